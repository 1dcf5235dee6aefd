"""``manage.py monthly_report --month YYYY-MM``: the monthly national report as a PDF."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaya.core.errors import DomainError
from himaya.exchange import monthly


class Command(BaseCommand):
    help = (
        "Make the monthly national report of a month (identification, shelters, fund, "
        "empowerment and grants, with the change from the month before), read from the "
        "indicators' daily values, with small numbers hidden. The report is kept in the "
        "system in Arabic and in English (made again if it was already); --output writes "
        "the PDF in the language of --lang to a file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="the month to report, as YYYY-MM")
        parser.add_argument(
            "--lang",
            choices=monthly.LANGUAGES,
            default="ar",
            help="the language of the file written with --output: ar (default) or en",
        )
        parser.add_argument("--output", default="", help="the PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = monthly.parse_month(options["month"])
        except ValueError as error:
            raise CommandError("--month must be a month as YYYY-MM.") from error
        try:
            report = monthly.produce_monthly_report(month=month)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        content = bytes(report.pdf_ar if options["lang"] == "ar" else report.pdf_en)
        if options["output"]:
            Path(options["output"]).write_bytes(content)
            self.stdout.write(f"{options['output']}: {len(content)} bytes")
        else:
            self.stdout.write(
                f"monthly report {monthly.month_code(month)} kept "
                f"(Arabic {len(bytes(report.pdf_ar))} bytes, "
                f"English {len(bytes(report.pdf_en))} bytes)"
            )
