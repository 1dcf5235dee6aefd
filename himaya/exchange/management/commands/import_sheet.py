"""``manage.py import_sheet FILE --agency CODE --user USERNAME``: the survivors-and-cases
template into Himaya, with the rules of registration and case opening."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.core.errors import DomainError
from himaya.exchange import sheets
from himaya.exchange.sheet_actions import OUTCOME_LABELS, import_sheet, preview_sheet


class Command(BaseCommand):
    help = (
        "Import a filled survivors-and-cases template (XLSX) for an agency, as one of its "
        "case workers or supervisors: each row registers a survivor and opens a case with "
        "the rules of the forms. Refused rows are reported with their line and reason, the "
        "others imported; the same file twice changes nothing. --check only checks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the XLSX file to import")
        parser.add_argument("--agency", required=True, help="the importing agency's code")
        parser.add_argument("--user", required=True, help="the importing user's username")
        parser.add_argument(
            "--check", action="store_true", help="check the rows and report; import nothing"
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="the language of the reasons reported",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']}")
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"no agency {options['agency']}")
        path = Path(options["file"])
        try:
            if path.stat().st_size > sheets.MAX_UPLOAD_BYTES:
                raise CommandError(f"the file is larger than {sheets.MAX_UPLOAD_BYTES} bytes")
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        run = preview_sheet if options["check"] else import_sheet
        with translation.override(options["language"]):
            try:
                batch = run(by=user, agency=agency, file_name=path.name, content=content)
            except DomainError as error:
                raise CommandError(str(error.message)) from error
            for entry in batch.report:
                outcome = OUTCOME_LABELS[entry["outcome"]]
                codes = " ".join(entry.get(key, "") for key in ("survivor", "case")).strip()
                text = f"line {entry['line']}: {outcome}"
                if codes:
                    text += f" {codes}"
                if entry["reason"]:
                    text += f" — {entry['reason']}"
                self.stderr.write(text)
        self.stdout.write(
            f"{batch.code}: read {batch.rows_read}, ready {batch.rows_ready}, "
            f"imported {batch.rows_imported}, already imported {batch.rows_already_present}, "
            f"duplicates {batch.rows_duplicate}, refused {batch.rows_refused}, "
            f"not attempted {batch.rows_not_attempted}"
        )
