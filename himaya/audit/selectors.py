"""Reads of the audit trail, for auditors only, and the chain check."""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max, QuerySet

from himaya.audit.anchors import audit_key
from himaya.audit.labels import ACTIONS
from himaya.audit.models import AuditEvent, ChainHead
from himaya.audit.rules import Anchor, ChainBreak, first_break, genesis_hash
from himaya.core.typing import AnyUser


def events_visible_to(user: AnyUser) -> QuerySet[AuditEvent]:
    if not user.has_perm("audit.view_trail"):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()


def filter_events(
    events: QuerySet[AuditEvent],
    *,
    action: str = "",
    actor: str = "",
    object_code: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    if action in ACTIONS:
        events = events.filter(action=action)
    elif action:  # a group of actions: their common prefix
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_username__iexact=actor)
    if object_code:
        events = events.filter(object_code__iexact=object_code.strip())
    if since:
        events = events.filter(occurred_at__date__gte=since)
    if until:
        events = events.filter(occurred_at__date__lte=until)
    return events


def _chain_rows(*, after: int, up_to: int) -> Iterator[Mapping[str, Any]]:
    rows = (
        AuditEvent.objects.filter(sequence__gt=after, sequence__lte=up_to)
        .order_by("sequence")
        .values(
            "sequence",
            "occurred_at",
            "actor_id",
            "actor_username",
            "action",
            "object_type",
            "object_code",
            "purpose",
            "ip_address",
            "details",
            "previous_hash",
            "hash",
        )
    )
    yield from rows.iterator(chunk_size=2000)


def _chain_head(key: bytes) -> tuple[int, str]:
    head = ChainHead.objects.filter(id=1).first()
    return (head.sequence, head.hash) if head else (0, genesis_hash(key))


@dataclass(frozen=True)
class ChainReport:
    head_sequence: int
    head_hash: str
    anchors: int
    broken: ChainBreak | None


def verify_chain(*, anchors: Sequence[Anchor] = (), since: Anchor | None = None) -> ChainReport:
    """Check the keyed chain up to its head, against the anchors; name the first break.

    With ``since`` (the last anchor, already checked when it was written) only the events
    after it are walked, once its link is found unchanged.
    """
    key = audit_key()
    head_sequence, head_hash = _chain_head(key)
    anchored = {anchor.sequence: anchor.hash for anchor in anchors}
    start_sequence, start_hash = 0, None
    if since is not None and 0 < since.sequence <= head_sequence:
        kept = AuditEvent.objects.filter(sequence=since.sequence).values_list("hash", flat=True)
        if list(kept) != [since.hash]:
            return ChainReport(
                head_sequence,
                head_hash,
                len(anchors),
                ChainBreak(since.sequence, "does not match its anchor"),
            )
        start_sequence, start_hash = since.sequence, since.hash
    broken = first_break(
        _chain_rows(after=start_sequence, up_to=head_sequence),
        key=key,
        head_sequence=head_sequence,
        head_hash=head_hash,
        anchors=anchored,
        start_sequence=start_sequence,
        start_hash=start_hash,
    )
    if broken is None:
        # Events appended while the chain was walked move the head too; an event beyond
        # the head as read afterwards was written around the chain.
        last = AuditEvent.objects.aggregate(last=Max("sequence"))["last"] or 0
        current_head, _hash = _chain_head(key)
        if last > current_head:
            broken = ChainBreak(current_head + 1, "beyond the chain head")
    return ChainReport(head_sequence, head_hash, len(anchors), broken)
