"""The actions of returns: the reflection period, the plan's steps and their refusals, the
follow-up after return and the worklist deadlines."""

import datetime
from typing import Any

import pytest
from django.test import override_settings

from himaya.accounts.models import User
from himaya.agencies.tests.factories import governorate
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case, CaseDeadline, DeadlineKind, RiskLevel
from himaya.core.errors import Conflict, Forbidden, Invalid, NotFound
from himaya.core.locking import ConcurrentEditError
from himaya.returns import actions, selectors
from himaya.returns.models import (
    AssessmentPlace,
    FollowUpMethod,
    FollowUpOutcome,
    ReflectionPeriod,
    ReturnPlan,
    ReturnStatus,
)
from himaya.returns.tests.factories import (
    CaseFactory,
    ReflectionPeriodFactory,
    ReturnPlanFactory,
    ReturnRiskAssessmentFactory,
)
from himaya.survivors.models import BestInterestsDetermination

pytestmark = pytest.mark.django_db

D = datetime.date


def plan_state(plan: ReturnPlan) -> tuple[Any, ...]:
    plan.refresh_from_db()
    return (
        plan.status,
        plan.version,
        plan.approved_on,
        plan.travel_planned_on,
        plan.case.events.count(),
        AuditEvent.objects.count(),
    )


def ready_plan(case: Case, **fields: Any) -> ReturnPlan:
    """A plan the survivor chose, assessed in both places, with a travel date."""
    values: dict[str, Any] = {
        "case": case,
        "chose_return": True,
        "choice_recorded_on": D(2026, 6, 1),
        "options_explained": "العودة أو البقاء في مصر",
        "travel_planned_on": D(2026, 7, 1),
        **fields,
    }
    plan = ReturnPlanFactory(**values)
    ReturnRiskAssessmentFactory(plan=plan, place=AssessmentPlace.EGYPT)
    ReturnRiskAssessmentFactory(plan=plan, place=AssessmentPlace.DESTINATION)
    return plan


# --- reflection period -------------------------------------------------------------------


@override_settings(HIMAYA_REFLECTION_DAYS=30)
def test_granting_a_period_computes_its_end_from_the_configured_duration(
    case: Case, case_worker: User
) -> None:
    period = actions.grant_reflection_period(case=case, starts_on=D(2026, 6, 1), by=case_worker)
    assert (period.days, period.ends_on, period.granted_by) == (30, D(2026, 6, 30), case_worker)
    assert case.events.get().kind == "return.reflection_granted"


def test_the_default_period_lasts_ninety_days(case: Case, case_worker: User) -> None:
    period = actions.grant_reflection_period(case=case, starts_on=D(2026, 6, 1), by=case_worker)
    assert (period.days, period.ends_on) == (90, D(2026, 8, 29))


def test_a_second_period_is_refused(case: Case, case_worker: User) -> None:
    ReflectionPeriodFactory(case=case)
    with pytest.raises(Invalid):
        actions.grant_reflection_period(case=case, starts_on=D(2026, 6, 1), by=case_worker)
    assert ReflectionPeriod.objects.filter(case=case).count() == 1


def test_a_period_starting_tomorrow_is_refused(case: Case, case_worker: User) -> None:
    with pytest.raises(Invalid):
        actions.grant_reflection_period(case=case, starts_on=D(2026, 6, 16), by=case_worker)
    assert not ReflectionPeriod.objects.exists()


def test_extending_moves_the_end_and_keeps_the_reason(case: Case, case_worker: User) -> None:
    period = ReflectionPeriodFactory(case=case, starts_on=D(2026, 6, 1), ends_on=D(2026, 8, 29))
    actions.extend_reflection_period(
        period=period, days=30, reason="علاج طبي مستمر", expected_version=1, by=case_worker
    )
    period.refresh_from_db()
    extension = period.extensions.get()
    assert (period.ends_on, period.version) == (D(2026, 9, 28), 2)
    assert (extension.previous_ends_on, extension.reason) == (D(2026, 8, 29), "علاج طبي مستمر")


def test_an_extension_without_a_reason_is_refused_and_changes_nothing(
    case: Case, case_worker: User
) -> None:
    period = ReflectionPeriodFactory(case=case)
    with pytest.raises(Invalid):
        actions.extend_reflection_period(
            period=period, days=10, reason="  ", expected_version=1, by=case_worker
        )
    period.refresh_from_db()
    assert (period.ends_on, period.version, period.extensions.count()) == (D(2026, 5, 29), 1, 0)


def test_an_extension_from_a_stale_version_is_refused(case: Case, case_worker: User) -> None:
    period = ReflectionPeriodFactory(case=case)
    with pytest.raises(ConcurrentEditError):
        actions.extend_reflection_period(
            period=period, days=10, reason="سبب", expected_version=7, by=case_worker
        )
    assert period.extensions.count() == 0


def test_another_agency_cannot_grant_a_period(case: Case, outsider: User) -> None:
    with pytest.raises(NotFound):
        actions.grant_reflection_period(case=case, starts_on=D(2026, 6, 1), by=outsider)
    assert not ReflectionPeriod.objects.exists()


# --- the plan ----------------------------------------------------------------------------


def test_a_plan_goes_from_the_choice_to_completion_with_its_follow_ups(
    case: Case, case_worker: User, supervisor: User
) -> None:
    ReflectionPeriodFactory(case=case)
    plan = actions.plan_return(case=case, destination_country="sd", by=case_worker)
    assert (plan.status, plan.destination_country) == (ReturnStatus.PLANNED, "SD")
    actions.record_informed_choice(
        plan=plan,
        expected_version=1,
        by=case_worker,
        recorded_on=D(2026, 6, 10),
        options_explained="شرح خيارات العودة والبقاء وإعادة التوطين بلغتها",
        chose_return=True,
    )
    for place in AssessmentPlace.values:
        actions.assess_return_risk(
            plan=plan, place=place, level=RiskLevel.LOW, assessed_on=D(2026, 6, 12), by=case_worker
        )
    actions.update_return_plan(
        plan=plan,
        expected_version=2,
        by=case_worker,
        destination_country="SD",
        receiving_organisation="منظمة الاستقبال",
        receiving_country="SD",
        receiving_contact="+249 912 000 000",
        travel_planned_on=D(2026, 7, 1),
        travel_documents_ready=True,
        escorted=True,
    )
    actions.approve_return(plan=plan, expected_version=3, by=supervisor)
    actions.record_departure(
        plan=plan, departed_on=D(2026, 6, 15), expected_version=4, by=case_worker
    )
    actions.record_arrival(plan=plan, arrived_on=D(2026, 6, 15), expected_version=5, by=case_worker)
    actions.complete_return(plan=plan, expected_version=6, by=case_worker)
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by, plan.arrived_on) == (
        ReturnStatus.COMPLETED,
        supervisor,
        D(2026, 6, 15),
    )
    assert list(plan.follow_ups.values_list("months", "due_on")) == [
        (3, D(2026, 9, 15)),
        (6, D(2026, 12, 15)),
        (12, D(2027, 6, 15)),
    ]
    assert list(case.events.order_by("id").values_list("kind", flat=True)) == [
        "return.planned",
        "return.choice_recorded",
        "return.risk_assessed",
        "return.risk_assessed",
        "return.updated",
        "return.approved",
        "return.departed",
        "return.arrived",
        "return.completed",
    ]
    stored = ReturnPlan.objects.filter(pk=plan.pk).values_list("receiving_contact", flat=True)
    assert plan.receiving_contact == "+249 912 000 000"
    assert AuditEvent.objects.filter(object_code=plan.code, action="return.approved").count() == 1
    assert stored.get() == "+249 912 000 000"  # read back through the field, stored encrypted


def test_the_contact_is_stored_encrypted(case: Case) -> None:
    from django.db import connection

    plan = ReturnPlanFactory(case=case, receiving_contact="+249 912 000 000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT receiving_contact FROM returns_returnplan WHERE id = %s", [plan.pk])
        raw = cursor.fetchone()[0]
    # Not in clear in any form (a short run of digits could occur in a ciphertext by chance).
    assert "912 000 000" not in raw and "912000000" not in raw


def test_approval_inside_the_reflection_period_is_refused_and_changes_nothing(
    case: Case, supervisor: User
) -> None:
    ReflectionPeriodFactory(case=case, starts_on=D(2026, 6, 1), ends_on=D(2026, 8, 29))
    plan = ready_plan(case, travel_planned_on=D(2026, 9, 1))
    before = plan_state(plan)
    with pytest.raises(Invalid) as refused:
        actions.approve_return(plan=plan, expected_version=1, by=supervisor)
    assert "reflection" in refused.value.errors
    assert plan_state(plan) == before


def test_a_travel_date_inside_the_reflection_period_is_refused_and_changes_nothing(
    case: Case, case_worker: User
) -> None:
    ReflectionPeriodFactory(case=case, starts_on=D(2026, 6, 1), ends_on=D(2026, 8, 29))
    plan = ReturnPlanFactory(case=case)
    before = plan_state(plan)
    with pytest.raises(Invalid) as refused:
        actions.update_return_plan(
            plan=plan,
            expected_version=1,
            by=case_worker,
            destination_country="SD",
            travel_planned_on=D(2026, 8, 29),
        )
    assert refused.value.field == "travel_planned_on"
    assert plan_state(plan) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"chose_return": False}, "chose_return"),
        ({"chose_return": None}, "chose_return"),
    ],
    ids=["chose-not-to-return", "choice-not-recorded"],
)
def test_approval_without_the_survivors_choice_is_refused(
    case: Case, supervisor: User, change: dict[str, Any], field: str
) -> None:
    plan = ready_plan(case, **change)
    before = plan_state(plan)
    with pytest.raises(Invalid) as refused:
        actions.approve_return(plan=plan, expected_version=1, by=supervisor)
    assert field in refused.value.errors
    assert plan_state(plan) == before


def test_approval_with_one_risk_assessment_is_refused(case: Case, supervisor: User) -> None:
    plan = ReturnPlanFactory(
        case=case, chose_return=True, options_explained="x", travel_planned_on=D(2026, 7, 1)
    )
    ReturnRiskAssessmentFactory(plan=plan, place=AssessmentPlace.EGYPT)
    before = plan_state(plan)
    with pytest.raises(Invalid) as refused:
        actions.approve_return(plan=plan, expected_version=1, by=supervisor)
    assert list(refused.value.errors) == ["risk"]
    assert plan_state(plan) == before


def test_a_case_worker_cannot_approve_a_return(case: Case, case_worker: User) -> None:
    plan = ready_plan(case)
    before = plan_state(plan)
    with pytest.raises(Forbidden):
        actions.approve_return(plan=plan, expected_version=1, by=case_worker)
    assert plan_state(plan) == before


def test_a_presumed_child_without_a_best_interests_determination_is_refused(
    agency_a: Any, case_worker: User, supervisor: User
) -> None:
    child_case = CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        survivor__nationality="ER",
        survivor__birth_year=2012,
    )
    plan = ready_plan(child_case)
    before = plan_state(plan)
    with pytest.raises(Conflict):
        actions.approve_return(plan=plan, expected_version=1, by=supervisor)
    assert plan_state(plan) == before


def test_a_presumed_child_with_a_determination_in_favour_of_return_is_approved(
    agency_a: Any, case_worker: User, supervisor: User
) -> None:
    child_case = CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        survivor__nationality="ER",
        survivor__birth_year=2012,
    )
    BestInterestsDetermination.objects.create(
        survivor=child_case.survivor,
        decided_on=D(2026, 6, 1),
        panel_members="عضو 1\nعضو 2\nعضو 3",
        panel_size=3,
        durable_solution="return",
        decision="in_favour",
        recorded_by=supervisor,
    )
    plan = ready_plan(child_case)
    actions.approve_return(plan=plan, expected_version=1, by=supervisor)
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.APPROVED


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (ReturnStatus.PLANNED, "complete"),
        (ReturnStatus.PLANNED, "depart"),
        (ReturnStatus.COMPLETED, "cancel"),
        (ReturnStatus.TRAVELLED, "cancel"),
        (ReturnStatus.CANCELLED, "approve"),
        (ReturnStatus.APPROVED, "approve"),
    ],
    ids=[
        "planned-complete",
        "planned-depart",
        "completed-cancel",
        "travelled-cancel",
        "cancelled-approve",
        "approved-approve",
    ],
)
def test_a_move_outside_the_table_is_refused_and_changes_nothing(
    case: Case, supervisor: User, status: str, step: str
) -> None:
    plan = ready_plan(case, status=status, cancel_reason="سبب" if status == "cancelled" else "")
    before = plan_state(plan)
    calls = {
        "complete": lambda: actions.complete_return(plan=plan, expected_version=1, by=supervisor),
        "depart": lambda: actions.record_departure(
            plan=plan, departed_on=D(2026, 6, 15), expected_version=1, by=supervisor
        ),
        "cancel": lambda: actions.cancel_return(
            plan=plan, reason="سبب", expected_version=1, by=supervisor
        ),
        "approve": lambda: actions.approve_return(plan=plan, expected_version=1, by=supervisor),
    }
    with pytest.raises(Invalid):
        calls[step]()
    assert plan_state(plan) == before


def test_a_second_open_plan_for_the_case_is_refused(case: Case, case_worker: User) -> None:
    ReturnPlanFactory(case=case)
    with pytest.raises(Invalid):
        actions.plan_return(case=case, destination_country="SD", by=case_worker)
    assert ReturnPlan.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    ("country", "gov"),
    [("", False), ("SD", True), ("EG", False), ("QQ", False)],
    ids=["none", "both", "egypt-as-country", "unknown-country"],
)
def test_a_destination_must_be_one_country_abroad_or_one_governorate(
    case: Case, case_worker: User, country: str, gov: bool
) -> None:
    with pytest.raises(Invalid):
        actions.plan_return(
            case=case,
            destination_country=country,
            destination_governorate=governorate("EG-ASN") if gov else None,
            by=case_worker,
        )
    assert not ReturnPlan.objects.exists()


def test_a_return_to_a_governorate_of_origin_is_planned(case: Case, case_worker: User) -> None:
    plan = actions.plan_return(
        case=case, destination_governorate=governorate("EG-ASN"), by=case_worker
    )
    assert (plan.destination_country, plan.destination_governorate.code) == ("", "EG-ASN")


def test_cancelling_needs_a_reason_and_clears_the_worklist_deadline(
    case: Case, case_worker: User
) -> None:
    plan = ready_plan(case, status=ReturnStatus.APPROVED)
    with pytest.raises(Invalid):
        actions.cancel_return(plan=plan, reason="", expected_version=1, by=case_worker)
    actions.cancel_return(
        plan=plan, reason="عدلت الناجية عن العودة", expected_version=1, by=case_worker
    )
    plan.refresh_from_db()
    assert (plan.status, plan.cancel_reason) == (ReturnStatus.CANCELLED, "عدلت الناجية عن العودة")


# --- follow-up after return ----------------------------------------------------------------


def travelled(case: Case, case_worker: User, arrived_on: datetime.date) -> ReturnPlan:
    plan = ready_plan(case, status=ReturnStatus.TRAVELLED, departed_on=arrived_on)
    actions.record_arrival(plan=plan, arrived_on=arrived_on, expected_version=1, by=case_worker)
    plan.refresh_from_db()
    return plan


def test_arrival_puts_the_first_follow_up_on_the_worklist(case: Case, case_worker: User) -> None:
    plan = travelled(case, case_worker, D(2026, 6, 1))
    deadline = CaseDeadline.objects.get(case=case, done_at__isnull=True)
    assert (deadline.kind, deadline.due_on, deadline.source_code) == (
        DeadlineKind.FOLLOW_UP_VISIT,
        D(2026, 9, 1),
        plan.code,
    )


def test_recording_a_follow_up_moves_the_worklist_to_the_next_one(
    case: Case, case_worker: User
) -> None:
    plan = travelled(case, case_worker, D(2026, 1, 10))
    first = plan.follow_ups.get(months=3)
    actions.record_follow_up(
        follow_up=first,
        done_on=D(2026, 4, 12),
        method=FollowUpMethod.PHONE,
        outcome=FollowUpOutcome.DIFFICULTIES,
        note="تحتاج دعماً نفسياً",
        expected_version=1,
        by=case_worker,
    )
    first.refresh_from_db()
    assert (first.done_on, first.outcome, first.recorded_by) == (
        D(2026, 4, 12),
        FollowUpOutcome.DIFFICULTIES,
        case_worker,
    )
    assert CaseDeadline.objects.get(case=case, done_at__isnull=True).due_on == D(2026, 7, 10)
    assert case.events.order_by("-id").first().kind == "return.follow_up_recorded"


def test_overdue_follow_ups_are_listed_for_the_case_team_only(
    case: Case, case_worker: User, outsider: User
) -> None:
    plan = travelled(case, case_worker, D(2026, 1, 10))
    assert [f.months for f in selectors.overdue_follow_ups_for(case_worker, D(2026, 6, 15))] == [3]
    assert list(selectors.overdue_follow_ups_for(outsider, D(2026, 6, 15))) == []
    assert plan.follow_ups.count() == 3


def test_a_follow_up_recorded_twice_is_refused(case: Case, case_worker: User) -> None:
    plan = travelled(case, case_worker, D(2026, 1, 10))
    first = plan.follow_ups.get(months=3)
    kwargs: dict[str, Any] = {
        "done_on": D(2026, 4, 12),
        "method": FollowUpMethod.IN_PERSON,
        "outcome": FollowUpOutcome.WELL,
        "by": case_worker,
    }
    actions.record_follow_up(follow_up=first, expected_version=1, **kwargs)
    with pytest.raises(Invalid):
        actions.record_follow_up(follow_up=first, expected_version=2, **kwargs)


def test_reflection_periods_ending_soon_are_listed_for_the_case_team(
    case: Case, case_worker: User, outsider: User
) -> None:
    ReflectionPeriodFactory(case=case, starts_on=D(2026, 3, 28), ends_on=D(2026, 6, 25))
    other = CaseFactory(lead_agency=case.lead_agency, case_worker=case_worker)
    ReflectionPeriodFactory(case=other, starts_on=D(2026, 6, 1), ends_on=D(2026, 8, 29))
    assert [p.case for p in selectors.reflections_ending_soon_for(case_worker, D(2026, 6, 15))] == [
        case
    ]
    assert list(selectors.reflections_ending_soon_for(outsider, D(2026, 6, 15))) == []
