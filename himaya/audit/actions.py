"""The one way to write to the audit trail."""

from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from himaya.audit.anchors import audit_key
from himaya.audit.models import AuditEvent, ChainHead
from himaya.audit.rules import event_hash, genesis_hash
from himaya.core import changes, context


def client_address(request: HttpRequest | None) -> str | None:
    """The address of the request (given, or the one being served), if any."""
    if request is None:
        return context.client_address()
    return request.META.get("REMOTE_ADDR") or None


@transaction.atomic(savepoint=False)  # a part of the caller's write: no savepoint of its own
def record_event(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_code: str = "",
    purpose: str = "",
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
    actor_username: str = "",
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the write it records.

    ``obj`` names the record by its public ``code`` (never by a name); ``details`` must
    hold no personal data.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_code = object_code or str(getattr(obj, "code", "") or obj.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    key = audit_key()
    head, _created = ChainHead.objects.select_for_update(no_key=True).get_or_create(
        id=1, defaults={"sequence": 0, "hash": genesis_hash(key)}
    )
    fields: dict[str, Any] = {
        "sequence": head.sequence + 1,
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": actor.get_username() if actor is not None else actor_username,
        "action": action,
        "object_type": object_type,
        "object_code": object_code,
        "purpose": purpose,
        "ip_address": client_address(request),
        "details": details or {},
        "previous_hash": head.hash,
    }
    event = AuditEvent(**fields)
    event.hash = event_hash(fields, key=key)
    event.save()
    head.sequence = event.sequence
    head.hash = event.hash
    head.save(update_fields=["sequence", "hash"])
    changes.records_changed(action=action, day=timezone.localdate())
    return event
