"""Each invariant check passes on sound data and finds one deliberately broken row in the
database; ``manage.py check_invariants`` and the nightly task fail on it."""

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from himaya.audit.actions import record_event
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case, PhaseChange
from himaya.fund.actions import add_to_line_totals, recount_line_totals
from himaya.fund.models import BudgetLine, EntryKind, LedgerEntry, Status
from himaya.fund.tests.factories import BudgetLineFactory, PaymentRequestFactory, make_case
from himaya.integrity import selectors, tasks
from himaya.integrity.rules import Finding
from himaya.shelters.models import Stay, StayStatus
from himaya.shelters.tests.factories import make_unit

pytestmark = pytest.mark.django_db


def sound_case() -> Case:
    case = make_case()
    PhaseChange.objects.create(
        case=case, from_phase="", to_phase="identification", changed_on=dt.date(2025, 9, 1)
    )
    PhaseChange.objects.create(
        case=case,
        from_phase="identification",
        to_phase="assistance",
        changed_on=dt.date(2025, 9, 2),
    )
    return case


def open_stay(case: Case, bed: Any, **fields: Any) -> Stay:
    values: dict[str, Any] = {
        "case": case,
        "survivor": case.survivor,
        "bed": bed,
        "shelter": bed.unit.shelter,
        "admitted_on": dt.date(2026, 1, 1),
        "admitted_by": case.case_worker,
        **fields,
    }
    return Stay.objects.create(**values)


@pytest.fixture
def world() -> dict[str, Any]:
    """Sound data of every kind the checks read."""
    case = sound_case()
    line = BudgetLineFactory()
    payment = PaymentRequestFactory(case=case, budget_line=line, status=Status.APPROVED)
    LedgerEntry.objects.create(
        budget_line=line,
        request=payment,
        kind=EntryKind.COMMITMENT,
        amount=payment.amount,
        occurred_at=timezone.now(),
    )
    add_to_line_totals(line_id=line.pk, kind=EntryKind.COMMITMENT, amount=payment.amount)
    unit = make_unit(beds=2)
    beds = list(unit.beds.order_by("id"))
    stay = open_stay(case, beds[0])
    for action in ("case.opened", "case.closed"):
        record_event(action=action, obj=case, actor_username="system")
    return {"case": case, "line": line, "payment": payment, "beds": beds, "stay": stay}


def test_every_check_passes_on_sound_data(world: dict[str, Any]) -> None:
    assert selectors.check_invariants() == {"ledger": [], "stays": [], "audit": [], "phases": []}
    call_command("check_invariants")
    assert tasks.run_checks() == 0


def test_a_payment_line_without_its_paid_status_is_found(world: dict[str, Any]) -> None:
    payment = world["payment"]
    LedgerEntry.objects.create(
        budget_line=world["line"],
        request=payment,
        kind=EntryKind.PAYMENT,
        amount=payment.amount,
        occurred_at=timezone.now(),
    )
    add_to_line_totals(line_id=world["line"].pk, kind=EntryKind.PAYMENT, amount=payment.amount)
    assert selectors.ledger_findings() == [
        Finding("ledger", payment.code, "status approved with movements ['commitment', 'payment']")
    ]
    with pytest.raises(CommandError, match="1 invariant finding"):
        call_command("check_invariants")
    with pytest.raises(tasks.InvariantBroken):
        tasks.run_checks()


def test_a_line_whose_kept_sums_differ_from_its_ledger_is_found(world: dict[str, Any]) -> None:
    line = world["line"]
    BudgetLine.objects.filter(pk=line.pk).update(total_commitment=F("total_commitment") + 1)
    committed = world["payment"].amount
    assert selectors.ledger_findings() == [
        Finding(
            "ledger",
            line.code,
            f"the line keeps {committed + 1} as its commitment sum, the ledger sums to {committed}",
        )
    ]
    recount_line_totals([line.pk])
    assert selectors.ledger_findings() == []


def test_a_second_open_stay_in_one_bed_is_found(world: dict[str, Any]) -> None:
    with connection.cursor() as cursor:  # the constraint a faulty migration could lose
        cursor.execute("DROP INDEX stay_one_open_per_bed")
    other = sound_case()
    intruder = open_stay(other, world["beds"][0])
    codes = ", ".join(sorted([world["stay"].code, intruder.code]))
    assert selectors.stay_findings() == [Finding("stays", codes, "open stays share one bed")]


def test_a_second_open_stay_of_one_survivor_is_found(world: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX stay_one_open_per_survivor")
    second = open_stay(world["case"], world["beds"][1])
    codes = ", ".join(sorted([world["stay"].code, second.code]))
    assert selectors.stay_findings() == [
        Finding("stays", codes, "one survivor has several open stays")
    ]


def test_a_child_left_in_a_shelter_after_the_survivor_is_found(world: dict[str, Any]) -> None:
    child = open_stay(world["case"], world["beds"][1], survivor=None, companion_of=world["stay"])
    Stay.objects.filter(pk=world["stay"].pk).update(
        status=StayStatus.DISCHARGED, ended_on=dt.date(2026, 1, 5)
    )
    assert selectors.stay_findings() == [
        Finding("stays", child.code, "a child's stay is open after the survivor's")
    ]


def test_an_altered_audit_event_is_found(world: dict[str, Any]) -> None:
    first = AuditEvent.objects.order_by("sequence").first()
    assert first is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET action = %s WHERE id = %s",
            ["case.summary_printed", first.pk],
        )
    assert selectors.audit_findings() == [
        Finding("audit", f"event #{first.sequence}", "content changed")
    ]
    with pytest.raises(CommandError):
        call_command("check_invariants", check=["audit"])


def test_a_phase_changed_without_its_history_is_found(world: dict[str, Any]) -> None:
    case = world["case"]
    Case.objects.filter(pk=case.pk).update(phase="reintegration")
    assert selectors.phase_findings() == [
        Finding("phases", case.code, "phase reintegration, its history ends in assistance")
    ]


def test_cases_are_checked_beyond_one_batch(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "BATCH", 1)
    later = sound_case()
    Case.objects.filter(pk=later.pk).update(phase="protection")
    assert [finding.record for finding in selectors.phase_findings()] == [later.code]


def test_the_nightly_check_is_a_registered_periodic_task() -> None:
    from django.utils import translation

    from himaya.jobs.registry import label_of

    with translation.override("en"):
        assert str(label_of(tasks.CHECK_INVARIANTS)) == "Integrity checks"
    assert tasks.check_invariants_nightly.name == tasks.CHECK_INVARIANTS
