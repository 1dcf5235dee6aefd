"""``manage.py import_ctdc FILE``: a CTDC-layout CSV into the statistical store."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from himaya.core.errors import DomainError
from himaya.exchange.actions import import_ctdc


class Command(BaseCommand):
    help = (
        "Import a CTDC-layout CSV (codebook v6, such as the CTDC global dataset) into the "
        "statistical store. No survivor is created; bad rows are reported with their line "
        "and reason and the rest imports; the same file twice changes nothing. "
        "Source: Counter-Trafficking Data Collaborative (CTDC)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file to import")
        parser.add_argument(
            "--no-progress", action="store_true", help="do not show the progress bar"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def bar(rows: Any) -> Any:
            return tqdm(rows, unit=" rows", file=self.stderr._out, disable=options["no_progress"])

        try:
            run = import_ctdc(path=options["file"], progress=bar)
        except (DomainError, OSError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from error
        for rejection in getattr(run, "rejection_list", []):
            self.stderr.write(f"line {rejection.line}: {rejection.reason}")
        self.stdout.write(
            f"read {run.rows_read}, imported {run.rows_imported}, "
            f"already present {run.rows_already_present}, rejected {run.rows_rejected}"
        )
