"""``manage.py export_ctdc``: the k-anonymous record-level export of Himaya's cases."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaya.core.errors import DomainError
from himaya.exchange.actions import FORMATS, LAYOUTS, export_statistics


class Command(BaseCommand):
    help = (
        "Export Himaya's cases k-anonymously in the CTDC (v6) or HTCDS layout: only "
        "survivors whose statistics consent stands, ages in bands, dates as years. "
        "CSV goes to standard output unless --output is given; the suppression report "
        "goes to standard error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--k", type=int, default=None, help="the k of k-anonymity (11)")
        parser.add_argument("--layout", choices=LAYOUTS, default="ctdc", help="ctdc or htcds")
        parser.add_argument("--format", choices=FORMATS, default="csv", help="csv or xlsx")
        parser.add_argument("--output", default="", help="the file to write")
        parser.add_argument(
            "--purpose",
            default="national statistics (command line)",
            help="why the data are exported (kept in the audit trail)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("An XLSX export needs --output PATH.")
        try:
            export = export_statistics(
                by=None,
                purpose=options["purpose"],
                k=options["k"],
                layout=options["layout"],
                fmt=options["format"],
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        if options["output"]:
            Path(options["output"]).write_bytes(export.content)
        else:
            sys.stdout.flush()
            self.stdout.write(export.content.decode("utf-8"), ending="")
        for key, value in export.report.items():
            self.stderr.write(f"{key}: {value}")
