"""Re-key the audit chain: every link becomes an HMAC-SHA256 under the audit key.

The chain written before this migration was hashed with plain SHA-256 from a genesis of
zeros, which anyone holding the database could recompute. This migration first checks that
chain as it stands (a broken one is refused: re-keying it would hide the break), then signs
every event again, in order, from the keyed genesis, and moves the head. The hashing rules
are frozen here as they were and are.
"""

import hashlib
import hmac
import json
from typing import Any

from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

FIELDS = (
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
)
UNKEYED_GENESIS = "0" * 64


def _canonical(event: dict[str, Any]) -> bytes:
    payload = {name: event.get(name) for name in FIELDS}
    payload["occurred_at"] = str(payload["occurred_at"])
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def _unkeyed_hash(event: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _keyed_hash(event: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, b"himaya.audit.event\x1f" + _canonical(event), hashlib.sha256).hexdigest()


def _keyed_genesis(key: bytes) -> str:
    return hmac.new(key, b"himaya.audit.genesis", hashlib.sha256).hexdigest()


def rekey_chain(apps: Apps, schema_editor: BaseDatabaseSchemaEditor | None) -> None:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ChainHead = apps.get_model("audit", "ChainHead")
    key = str(settings.AUDIT_KEY).encode("utf-8")
    head = ChainHead.objects.filter(id=1).first()
    head_sequence, head_hash = (head.sequence, head.hash) if head else (0, UNKEYED_GENESIS)

    old_previous, new_previous = UNKEYED_GENESIS, _keyed_genesis(key)
    expected = 1
    batch: list[Any] = []
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        row = {name: getattr(event, name) for name in FIELDS}
        if (
            event.sequence != expected
            or event.previous_hash != old_previous
            or _unkeyed_hash(row) != event.hash
        ):
            raise RuntimeError(
                f"the audit chain is broken at event #{expected}: it is not re-keyed, "
                "which would hide the break; investigate it first"
            )
        old_previous = event.hash
        row["previous_hash"] = new_previous
        event.previous_hash = new_previous
        event.hash = _keyed_hash(row, key)
        new_previous = event.hash
        batch.append(event)
        expected += 1
        if len(batch) == 2000:
            AuditEvent.objects.bulk_update(batch, ["previous_hash", "hash"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["previous_hash", "hash"])
    if expected - 1 != head_sequence or old_previous != head_hash:
        raise RuntimeError(
            f"the audit chain is broken at event #{expected}: missing; it is not re-keyed, "
            "which would hide the break; investigate it first"
        )
    if head is not None:
        head.hash = new_previous
        head.save(update_fields=["hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(rekey_chain, elidable=False),
    ]
