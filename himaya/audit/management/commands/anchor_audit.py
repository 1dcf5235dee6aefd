from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from himaya.audit.actions import flush_chain
from himaya.audit.anchors import (
    AnchorFileError,
    append_anchor,
    read_anchors,
    sign_anchor,
)
from himaya.audit.selectors import verify_chain


class Command(BaseCommand):
    help = (
        "Append a signed checkpoint of the audit chain head to the anchor file (run it every "
        "hour). A broken chain is never anchored."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            anchors = read_anchors()
        except AnchorFileError as exc:
            raise CommandError(f"audit anchors cannot be trusted: {exc}") from exc
        report = verify_chain(anchors=anchors, since=anchors[-1] if anchors else None)
        if report.broken is not None:
            raise CommandError(
                f"audit chain broken at event #{report.broken.sequence}: "
                f"{report.broken.reason}; nothing anchored"
            )
        if report.head_sequence == 0:
            self.stdout.write("audit chain empty: nothing anchored")
            return
        # Readings commit without waiting for the disk: the head verified here must be on
        # disk before it is anchored, or a crash could rewind the chain behind its anchor.
        flush_chain()
        anchor = sign_anchor(
            sequence=report.head_sequence,
            hash=report.head_hash,
            anchored_at=timezone.now().isoformat(),
        )
        path = append_anchor(anchor)
        self.stdout.write(f"audit chain anchored at event #{anchor.sequence} in {path}")
