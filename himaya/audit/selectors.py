"""Reads of the audit trail, for auditors only, and the chain check."""

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from django.db.models import QuerySet

from himaya.audit.models import AuditEvent, ChainHead
from himaya.audit.rules import GENESIS_HASH, ChainBreak, first_break
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
    if action:
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


def _chain_rows() -> Iterator[Mapping[str, Any]]:
    rows = AuditEvent.objects.order_by("sequence").values(
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
    yield from rows.iterator(chunk_size=2000)


def verify_chain() -> tuple[int, ChainBreak | None]:
    """How many events the chain holds, and its first broken link (None if intact)."""
    head = ChainHead.objects.filter(id=1).first()
    head_sequence = head.sequence if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    return head_sequence, first_break(
        _chain_rows(), head_sequence=head_sequence, head_hash=head_hash
    )
