import hashlib
import itertools
import json
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from himaya.audit.actions import record_event
from himaya.audit.models import AppendOnlyError, AuditEvent, ChainHead
from himaya.audit.rules import HASHED_FIELDS, ChainBreak, event_hash, genesis_hash
from himaya.audit.selectors import verify_chain

pytestmark = pytest.mark.django_db

KEY = settings.AUDIT_KEY.encode()


@pytest.fixture
def five_events(case_worker) -> list[AuditEvent]:
    return [
        record_event(
            action="test.event",
            actor=case_worker,
            object_code=f"SV-{n}",
            purpose="care",
            details={"n": n},
        )
        for n in range(1, 6)
    ]


def _sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _plain_sha256(row: dict[str, Any]) -> str:
    """The attacker's hash: the content of a link, hashed without any key."""
    payload = {name: row.get(name) for name in HASHED_FIELDS}
    payload["occurred_at"] = str(payload["occurred_at"])
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _other_key(row: dict[str, Any]) -> str:
    return event_hash(row, key=b"a key the attacker chose, not the server's")


def _database_copy() -> list[dict[str, Any]]:
    return list(AuditEvent.objects.order_by("sequence").values())


def _write_back(rows: list[dict[str, Any]], *, head: int) -> None:
    """What someone with write access to the database and none of the keys can do."""
    for row in rows:
        _sql(
            "UPDATE audit_auditevent SET purpose = %s, previous_hash = %s, hash = %s "
            "WHERE sequence = %s",
            [row["purpose"], row["previous_hash"], row["hash"], row["sequence"]],
        )
    _sql("DELETE FROM audit_auditevent WHERE sequence > %s", [head])
    _sql(
        "UPDATE audit_chainhead SET sequence = %s, hash = %s WHERE id = 1",
        [head, rows[head - 1]["hash"]],
    )


def _rehash(rows: list[dict[str, Any]], *, start: int, hasher: Any, genesis: str) -> None:
    previous = genesis if start == 1 else rows[start - 2]["hash"]
    for row in rows[start - 1 :]:
        row["previous_hash"] = previous
        row["hash"] = hasher(row)
        previous = row["hash"]


def test_an_untouched_chain_verifies(five_events, capsys) -> None:
    call_command("verify_audit")
    assert capsys.readouterr().out.strip() == "audit chain intact: 5 events, 0 anchors"


def test_each_link_is_keyed_and_carries_the_hash_of_the_previous_one(five_events) -> None:
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[0].previous_hash == genesis_hash(KEY)
    assert events[0].previous_hash != "0" * 64
    for before, after in itertools.pairwise(events):
        assert after.previous_hash == before.hash
    row = AuditEvent.objects.filter(sequence=3).values().get()
    assert row["hash"] == event_hash(row, key=KEY)
    assert row["hash"] != _plain_sha256(row)
    assert ChainHead.objects.get().hash == events[-1].hash


def test_a_changed_row_makes_verify_audit_fail_and_name_it(five_events) -> None:
    _sql("UPDATE audit_auditevent SET purpose = %s WHERE sequence = %s", ["legal", 3])
    with pytest.raises(CommandError, match=r"broken at event #3: content changed"):
        call_command("verify_audit")


def test_a_deleted_row_makes_verify_audit_fail_and_name_it(five_events) -> None:
    _sql("DELETE FROM audit_auditevent WHERE sequence = %s", [2])
    with pytest.raises(CommandError, match=r"broken at event #2: missing"):
        call_command("verify_audit")


def test_a_deleted_last_row_is_detected_through_the_chain_head(five_events) -> None:
    _sql("DELETE FROM audit_auditevent WHERE sequence = %s", [5])
    assert verify_chain().broken == ChainBreak(sequence=5, reason="missing")
    with pytest.raises(CommandError, match=r"broken at event #5: missing"):
        call_command("verify_audit")


def test_an_event_written_beyond_the_chain_head_is_detected(five_events) -> None:
    last = five_events[-1]
    row = {name: getattr(last, name) for name in HASHED_FIELDS}
    row.update(sequence=6, previous_hash=last.hash, actor_id=last.actor_id)
    AuditEvent.objects.create(**row, hash=event_hash(row, key=KEY))
    with pytest.raises(CommandError, match=r"broken at event #6: beyond the chain head"):
        call_command("verify_audit")


@pytest.mark.parametrize("hasher", [_plain_sha256, _other_key], ids=["sha256", "other-key"])
def test_a_rewritten_event_rehashed_without_the_key_is_named(five_events, hasher) -> None:
    rows = _database_copy()
    rows[2]["purpose"] = "forged"
    _rehash(rows, start=3, hasher=hasher, genesis="")
    _write_back(rows, head=5)
    with pytest.raises(CommandError, match=r"broken at event #3: content changed"):
        call_command("verify_audit")


@pytest.mark.parametrize("hasher", [_plain_sha256, _other_key], ids=["sha256", "other-key"])
def test_a_rewritten_event_rehashed_and_the_head_rewound_is_named(five_events, hasher) -> None:
    rows = _database_copy()
    rows[1]["purpose"] = "forged"
    _rehash(rows, start=2, hasher=hasher, genesis="")
    _write_back(rows, head=3)
    assert AuditEvent.objects.count() == 3
    with pytest.raises(CommandError, match=r"broken at event #2: content changed"):
        call_command("verify_audit")


@pytest.mark.parametrize(
    ("hasher", "genesis"),
    [(_plain_sha256, "0" * 64), (_other_key, _other_key({}))],
    ids=["unkeyed-chain", "chain-under-another-key"],
)
def test_a_whole_chain_rebuilt_without_the_key_fails_at_its_first_event(
    five_events, hasher, genesis
) -> None:
    rows = _database_copy()
    rows[0]["purpose"] = "forged"
    _rehash(rows, start=1, hasher=hasher, genesis=genesis)
    _write_back(rows, head=5)
    with pytest.raises(CommandError, match=r"broken at event #1: previous hash does not match"):
        call_command("verify_audit")


def test_the_application_cannot_update_or_delete_events(five_events) -> None:
    event = five_events[0]
    event.purpose = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(sequence=1).update(purpose="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(sequence=1).purpose == "care"
    assert AuditEvent.objects.count() == 5


def test_an_event_names_a_record_by_its_code_and_never_by_personal_data(case_worker) -> None:
    from himaya.survivors.models import Survivor

    survivor = Survivor.objects.create(
        name_ar="سلمى يوسف",
        registered_by_agency=case_worker.memberships.get().agency,
        registered_by=case_worker,
    )
    event = record_event(action="survivor.viewed", actor=case_worker, obj=survivor)
    assert (event.object_type, event.object_code) == ("survivors.survivor", survivor.code)
    assert "سلمى" not in str(AuditEvent.objects.filter(pk=event.pk).values().get())
