"""``manage.py export_table NAME``: an international table in long format."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaya.core.errors import DomainError
from himaya.exchange.actions import FORMATS, export_table
from himaya.exchange.rules import TABLE_NAMES
from himaya.exchange.selectors import SOURCES


class Command(BaseCommand):
    help = (
        "Print an international table (SDG 16.2.2, UNODC) in long format: one column per "
        "disaggregation in the standard's codes (CTDC's values for CTDC data), then "
        "'victims' (and 'per_100k' for sdg_16_2_2). Small cells are hidden as on the "
        "dashboard. CSV goes to standard output unless --output is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=TABLE_NAMES, help=", ".join(TABLE_NAMES))
        parser.add_argument("--source", choices=SOURCES, default="himaya", help="himaya or ctdc")
        parser.add_argument("--format", choices=FORMATS, default="csv", help="csv or xlsx")
        parser.add_argument("--output", default="", help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("An XLSX table needs --output PATH.")
        try:
            export = export_table(
                name=options["name"],
                by=None,
                purpose="table (command line)",
                source=options["source"],
                fmt=options["format"],
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        if options["output"]:
            Path(options["output"]).write_bytes(export.content)
        else:
            sys.stdout.flush()
            self.stdout.write(export.content.decode("utf-8"), ending="")
