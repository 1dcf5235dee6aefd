from typing import Any

from django.core.management.base import BaseCommand, CommandError

from himaya.audit.anchors import AnchorFileError, anchor_path, read_anchors
from himaya.audit.selectors import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the keyed audit chain and check it against the anchors; name the first broken "
        "link, if any."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            anchors = read_anchors()
        except AnchorFileError as exc:
            raise CommandError(f"audit anchors cannot be trusted: {exc}") from exc
        report = verify_chain(anchors=anchors)
        if report.broken is not None:
            raise CommandError(
                f"audit chain broken at event #{report.broken.sequence}: {report.broken.reason}"
            )
        if not anchors:
            self.stderr.write(
                f"no anchors in {anchor_path()}: run manage.py anchor_audit every hour"
            )
        self.stdout.write(
            f"audit chain intact: {report.head_sequence} events, {len(anchors)} anchors"
        )
