"""Encrypt supporting documents still stored in clear; with --rotate, re-encrypt every
document under the newest key of HIMAYA_FIELD_KEYS (run it with ``rotate_keys``)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from himaya.fund.documents import seal_stored
from himaya.fund.models import SupportingDocument


class Command(BaseCommand):
    help = "Encrypt fund supporting documents stored in clear; --rotate re-encrypts the others."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rotate", action="store_true", help="re-encrypt under the newest key too"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = seal_stored(
            SupportingDocument.objects.order_by("pk").iterator(), rotate=options["rotate"]
        )
        self.stdout.write(
            f"{report.encrypted} encrypted, {report.rotated} re-encrypted, "
            f"{report.missing} missing, {report.unreadable} neither encrypted nor a document"
        )
        if report.unreadable:
            self.stderr.write("some files could not be read: check them by hand")
