"""The migration that signs the earlier, unkeyed chain with the audit key."""

import hashlib
import importlib
import json
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from himaya.audit.models import AuditEvent
from himaya.audit.rules import HASHED_FIELDS
from himaya.audit.selectors import verify_chain

pytestmark = pytest.mark.django_db

rekey = importlib.import_module("himaya.audit.migrations.0002_rekey_chain_with_hmac")


def _unkeyed(row: dict[str, Any]) -> str:
    payload = {name: row.get(name) for name in HASHED_FIELDS}
    payload["occurred_at"] = str(payload["occurred_at"])
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def old_apps() -> Any:
    return MigrationLoader(connection).project_state(("audit", "0001_initial")).apps


def _write_unkeyed_chain(old_apps: Any, count: int) -> list[str]:
    """A chain as the earlier code wrote it: plain SHA-256 from a genesis of zeros."""
    Event = old_apps.get_model("audit", "AuditEvent")
    previous = "0" * 64
    hashes = []
    for sequence in range(1, count + 1):
        row: dict[str, Any] = {
            "sequence": sequence,
            "occurred_at": timezone.now(),
            "actor_id": None,
            "actor_username": "system",
            "action": "test.event",
            "object_type": "",
            "object_code": f"SV-{sequence}",
            "purpose": "",
            "ip_address": None,
            "details": {"n": sequence},
            "previous_hash": previous,
        }
        event = Event.objects.create(**row, hash="")
        row["occurred_at"] = Event.objects.get(pk=event.pk).occurred_at
        event.hash = _unkeyed(row)
        event.save()
        previous = event.hash
        hashes.append(previous)
    old_apps.get_model("audit", "ChainHead").objects.create(id=1, sequence=count, hash=previous)
    return hashes


def test_an_unkeyed_chain_is_refused_until_re_keyed(old_apps) -> None:
    old_hashes = _write_unkeyed_chain(old_apps, 4)
    assert verify_chain().broken is not None
    assert verify_chain().broken.sequence == 1

    rekey.rekey_chain(old_apps, None)

    report = verify_chain()
    assert (report.head_sequence, report.broken) == (4, None)
    new_hashes = list(AuditEvent.objects.order_by("sequence").values_list("hash", flat=True))
    assert len(new_hashes) == 4
    assert not set(new_hashes) & set(old_hashes)


def test_a_broken_unkeyed_chain_is_not_re_keyed(old_apps) -> None:
    old_hashes = _write_unkeyed_chain(old_apps, 3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET purpose = 'changed' WHERE sequence = 2")
    with pytest.raises(RuntimeError, match=r"broken at event #2: it is not re-keyed"):
        rekey.rekey_chain(old_apps, None)
    kept = list(AuditEvent.objects.order_by("sequence").values_list("hash", flat=True))
    assert kept == old_hashes
