"""Writes: referral with eligibility, decisions, states, projects, visits; timeline and audit."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from himaya.agencies.tests.factories import governorate
from himaya.audit.models import AuditEvent
from himaya.cases.models import Phase
from himaya.core.locking import ConcurrentEditError
from himaya.empowerment import actions
from himaya.empowerment.exceptions import EmpowermentError, EmpowermentForbidden
from himaya.empowerment.models import (
    ActivityType,
    Enrolment,
    EnrolmentStatus,
    HouseholdRole,
    ProjectStatus,
)
from himaya.empowerment.tests.factories import CaseFactory, EnrolmentFactory, ProjectFactory
from himaya.survivors.models import Sex
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel("2026-03-10 10:00+02:00", tick=False):
        yield


def test_refer_an_eligible_survivor_creates_a_referral_on_the_timeline_and_audit_trail(
    case_a, mastoura, case_worker
) -> None:
    enrolment = actions.refer_survivor(
        case=case_a, programme=mastoura, household_role=HouseholdRole.HEAD, by=case_worker
    )
    assert enrolment.status == EnrolmentStatus.REFERRED
    assert enrolment.case_phase == Phase.REINTEGRATION
    assert enrolment.referred_on == date(2026, 3, 10)
    event = CaseEvent.objects.get(case=case_a)
    assert (event.kind, event.object_code) == ("empowerment.referred", enrolment.code)
    audit = AuditEvent.objects.get(action="empowerment.enrolment.referred")
    assert audit.object_code == enrolment.code
    assert audit.details == {"case": case_a.code, "programme": "mastoura-test"}


def test_refer_a_man_to_mastoura_is_refused_with_the_reason_and_creates_nothing(
    agency_a, case_worker, mastoura
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker, survivor__sex=Sex.MALE)
    with pytest.raises(EmpowermentError) as refused:
        actions.refer_survivor(
            case=case, programme=mastoura, household_role=HouseholdRole.HEAD, by=case_worker
        )
    assert [reason.rule for reason in refused.value.reasons] == ["sex"]
    assert Enrolment.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_refer_from_a_case_of_another_agency_is_refused(outsider, case_a, mastoura) -> None:
    with pytest.raises(EmpowermentForbidden):
        actions.refer_survivor(
            case=case_a, programme=mastoura, household_role=HouseholdRole.HEAD, by=outsider
        )
    assert Enrolment.objects.count() == 0


def test_a_second_open_referral_to_the_same_programme_is_refused(
    case_a, mastoura, case_worker
) -> None:
    actions.refer_survivor(
        case=case_a, programme=mastoura, household_role=HouseholdRole.HEAD, by=case_worker
    )
    with pytest.raises(EmpowermentError):
        actions.refer_survivor(
            case=case_a, programme=mastoura, household_role=HouseholdRole.HEAD, by=case_worker
        )
    assert Enrolment.objects.count() == 1


def test_officer_accepts_a_referral_and_the_case_timeline_says_so(
    case_a, mastoura, officer
) -> None:
    enrolment = EnrolmentFactory(programme=mastoura, case=case_a)
    actions.decide_enrolment(enrolment=enrolment, accept=True, expected_version=1, by=officer)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.version) == (EnrolmentStatus.ENROLLED, 2)
    assert enrolment.decided_by == officer
    assert CaseEvent.objects.get(case=case_a).kind == "empowerment.enrolled"
    assert AuditEvent.objects.get(action="empowerment.enrolment.enrolled").details == {
        "case": case_a.code,
        "from": "referred",
        "to": "enrolled",
    }


def test_declining_needs_a_reason(case_a, mastoura, officer) -> None:
    enrolment = EnrolmentFactory(programme=mastoura, case=case_a)
    with pytest.raises(EmpowermentError):
        actions.decide_enrolment(enrolment=enrolment, accept=False, expected_version=1, by=officer)
    actions.decide_enrolment(
        enrolment=enrolment, accept=False, reason="لا توجد أماكن", expected_version=1, by=officer
    )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.decline_reason) == ("declined", "لا توجد أماكن")


def test_a_case_worker_cannot_decide_and_nothing_changes(case_a, mastoura, case_worker) -> None:
    enrolment = EnrolmentFactory(programme=mastoura, case=case_a)
    with pytest.raises(EmpowermentForbidden):
        actions.decide_enrolment(
            enrolment=enrolment, accept=True, expected_version=1, by=case_worker
        )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.version) == ("referred", 1)


def test_a_stale_decision_is_refused_and_nothing_changes(case_a, mastoura, officer) -> None:
    enrolment = EnrolmentFactory(programme=mastoura, case=case_a)
    Enrolment.objects.filter(pk=enrolment.pk).update(version=2)
    with pytest.raises(ConcurrentEditError):
        actions.decide_enrolment(enrolment=enrolment, accept=True, expected_version=1, by=officer)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.version) == ("referred", 2)
    assert CaseEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        ("enrolled", "active", True),
        ("enrolled", "dropped_out", True),
        ("enrolled", "completed", False),
        ("active", "completed", True),
        ("active", "dropped_out", True),
        ("completed", "active", False),
        ("dropped_out", "active", False),
        ("declined", "active", False),
    ],
)
def test_enrolment_moves_only_along_the_transitions_table(
    case_a, mastoura, officer, start, to, allowed
) -> None:
    enrolment = EnrolmentFactory(programme=mastoura, case=case_a, status=start, decline_reason="x")
    if allowed:
        actions.move_enrolment(enrolment=enrolment, to=to, expected_version=1, by=officer)
        enrolment.refresh_from_db()
        assert enrolment.status == to
    else:
        with pytest.raises(EmpowermentError):
            actions.move_enrolment(enrolment=enrolment, to=to, expected_version=1, by=officer)
        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.version) == (start, 1)


def test_starting_a_project_activates_the_enrolment_and_plans_twelve_visits(
    case_a, mastoura, officer
) -> None:
    enrolment = EnrolmentFactory(programme=mastoura, case=case_a, status="enrolled")
    project = actions.start_project(
        enrolment=enrolment,
        activity_type=ActivityType.SEWING,
        started_on=date(2026, 3, 1),
        amount=Decimal("12000.00"),
        governorate=governorate("EG-C"),
        baseline_income=Decimal("400.00"),
        by=officer,
    )
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert project.visits.count() == 12
    assert [e.kind for e in CaseEvent.objects.filter(case=case_a).order_by("id")] == [
        "empowerment.active",
        "empowerment.project_started",
    ]


def test_a_project_amount_outside_the_programme_range_is_refused(case_a, mastoura, officer) -> None:
    enrolment = EnrolmentFactory(programme=mastoura, case=case_a, status="enrolled")
    with pytest.raises(EmpowermentError):
        actions.start_project(
            enrolment=enrolment,
            activity_type=ActivityType.SEWING,
            started_on=date(2026, 3, 1),
            amount=Decimal("25000.00"),
            governorate=governorate("EG-C"),
            baseline_income=Decimal("400.00"),
            by=officer,
        )
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"
    assert not hasattr(enrolment, "project")


def test_recording_a_visit_updates_the_project_status_and_income(case_a, mastoura, officer) -> None:
    project = ProjectFactory(
        enrolment__programme=mastoura, enrolment__case=case_a, started_on=date(2025, 1, 1)
    )
    first = project.visits.get(number=1)
    actions.record_visit(
        visit=first,
        done_on=date(2025, 2, 3),
        project_status=ProjectStatus.STRUGGLING,
        monthly_income=Decimal("300.00"),
        problems="قلة الزبائن",
        support_given="تدريب على التسويق",
        expected_version=1,
        by=officer,
    )
    project.refresh_from_db()
    assert (project.status, project.latest_income) == ("struggling", Decimal("300.00"))
    ninth = project.visits.get(number=9)
    actions.record_visit(
        visit=ninth,
        done_on=date(2026, 1, 5),
        project_status=ProjectStatus.CLOSED,
        monthly_income=Decimal("0.00"),
        expected_version=1,
        by=officer,
    )
    project.refresh_from_db()
    assert (project.status, project.closed_on, project.closed_after_months) == (
        "closed",
        date(2026, 1, 5),
        12,
    )
    assert AuditEvent.objects.filter(action="empowerment.visit.recorded").count() == 2


def test_a_visit_cannot_be_recorded_twice(case_a, mastoura, officer) -> None:
    project = ProjectFactory(
        enrolment__programme=mastoura, enrolment__case=case_a, started_on=date(2025, 1, 1)
    )
    visit = project.visits.get(number=1)
    actions.record_visit(
        visit=visit,
        done_on=date(2025, 2, 1),
        project_status="active",
        expected_version=1,
        by=officer,
    )
    with pytest.raises(EmpowermentError):
        actions.record_visit(
            visit=visit,
            done_on=date(2025, 2, 2),
            project_status="closed",
            expected_version=2,
            by=officer,
        )
    visit.refresh_from_db()
    assert (visit.done_on, visit.project_status) == (date(2025, 2, 1), "active")
