import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from himaya.audit.actions import record_event
from himaya.audit.models import AppendOnlyError, AuditEvent
from himaya.audit.rules import ChainBreak
from himaya.audit.selectors import verify_chain

pytestmark = pytest.mark.django_db


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


def test_an_untouched_chain_verifies(five_events, capsys) -> None:
    call_command("verify_audit")
    assert capsys.readouterr().out.strip() == "audit chain intact: 5 events"


def test_each_event_carries_the_hash_of_the_previous_one(five_events) -> None:
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[0].previous_hash == "0" * 64
    for before, after in itertools.pairwise(events):
        assert after.previous_hash == before.hash


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
    assert verify_chain() == (5, ChainBreak(sequence=5, reason="missing"))
    with pytest.raises(CommandError, match=r"broken at event #5: missing"):
        call_command("verify_audit")


def test_a_rewritten_row_with_a_recomputed_hash_breaks_the_next_link(five_events) -> None:
    from himaya.audit.rules import event_hash

    row = AuditEvent.objects.filter(sequence=2).values().get()
    row["purpose"] = "forged"
    forged_hash = event_hash(row)
    _sql(
        "UPDATE audit_auditevent SET purpose = %s, hash = %s WHERE sequence = %s",
        ["forged", forged_hash, 2],
    )
    with pytest.raises(CommandError, match=r"broken at event #3: previous hash"):
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
