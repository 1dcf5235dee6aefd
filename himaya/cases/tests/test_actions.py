import datetime
import itertools
from collections.abc import Callable, Iterator

import pytest
import time_machine

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.cases import actions
from himaya.cases.exceptions import CaseError, CaseForbidden, FourEyesError
from himaya.cases.models import (
    TRANSITIONS,
    CarePlanStatus,
    Case,
    ClosureReason,
    ClosureRequest,
    ClosureStatus,
    ExploitationForm,
    IdentificationChannel,
    Phase,
    PhaseChange,
    RecruitmentChannel,
    RiskLevel,
)
from himaya.cases.rules import PHASE_DATE_FIELDS
from himaya.cases.tests.conftest import CaseWorld
from himaya.cases.tests.factories import (
    CarePlanFactory,
    CarePlanGoalFactory,
    CaseFactory,
    RiskAssessmentFactory,
)
from himaya.core.locking import ConcurrentEditError
from himaya.survivors.tests.factories import SurvivorFactory
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


TODAY = datetime.date(2026, 6, 15)
PAIRS = list(itertools.product([p for p in Phase.values if p != Phase.CLOSED], Phase.values))
ALLOWED = [(f, t) for f, t in PAIRS if t in TRANSITIONS[f] and t != Phase.CLOSED]
REFUSED = [(f, t) for f, t in PAIRS if t not in TRANSITIONS[f]] + [
    (Phase.CLOSED, t) for t in Phase.values
]


def snapshot(case: Case) -> tuple[object, ...]:
    case.refresh_from_db()
    return (
        case.phase,
        case.version,
        case.closed_on,
        case.events.count(),
        case.phase_changes.count(),
        *(getattr(case, f) for f in PHASE_DATE_FIELDS.values()),
    )


def case_in(phase: str, worker: User, world: CaseWorld) -> Case:
    extra = {"closed_on": TODAY, "closure_reason": ClosureReason.REINTEGRATED}
    return CaseFactory(
        lead_agency=world.agency_a,
        case_worker=worker,
        phase=phase,
        **(extra if phase == Phase.CLOSED else {}),
    )


# --- opening ----------------------------------------------------------------------------


def test_open_case_starts_in_identification_with_history_timeline_and_audit(
    world: CaseWorld,
) -> None:
    survivor = SurvivorFactory(registered_by_agency=world.agency_a)
    forms = list(ExploitationForm.objects.filter(code__in=["forced_labour", "domestic_servitude"]))
    case = actions.open_case(
        survivor=survivor,
        by=world.case_worker,
        lead_agency=world.agency_a,
        first_contact_on=datetime.date(2026, 6, 1),
        identified_on=datetime.date(2026, 6, 3),
        identified_by=IdentificationChannel.LABOUR_INSPECTION,
        exploitation_forms=forms,
        recruitment_channel=RecruitmentChannel.MESSAGING_APP,
        screening_code="SC-TEST",
    )
    assert case.phase == Phase.IDENTIFICATION
    assert case.case_worker == world.case_worker
    assert sorted(f.code for f in case.exploitation_forms.all()) == [
        "domestic_servitude",
        "forced_labour",
    ]
    assert list(case.phase_changes.values_list("to_phase", "changed_on")) == [
        (Phase.IDENTIFICATION, datetime.date(2026, 6, 3))
    ]
    assert list(case.events.values_list("kind", flat=True)) == ["case.opened"]
    assert AuditEvent.objects.filter(action="case.opened", object_code=case.code).count() == 1


WORKLIST_COLUMNS = ("next_action", "next_due_on", "risk_level", "risk_rank", "new_until")


@pytest.mark.parametrize("identified_on", [None, datetime.date(2026, 6, 3)])
def test_a_case_is_opened_with_the_worklist_columns_its_records_give(
    world: CaseWorld, identified_on: datetime.date | None
) -> None:
    case = actions.open_case(
        survivor=SurvivorFactory(registered_by_agency=world.agency_a),
        by=world.case_worker,
        lead_agency=world.agency_a,
        first_contact_on=datetime.date(2026, 6, 1),
        identified_on=identified_on,
        identified_by=IdentificationChannel.HOTLINE,
        recruitment_channel=RecruitmentChannel.MESSAGING_APP,
    )
    stored = Case.objects.filter(pk=case.pk).values_list(*WORKLIST_COLUMNS).get()
    assert stored == tuple(getattr(case, column) for column in WORKLIST_COLUMNS)
    recomputed = actions.refresh_worklist(Case.objects.get(pk=case.pk))
    assert stored == tuple(getattr(recomputed, column) for column in WORKLIST_COLUMNS)
    assert stored[0] != "" and stored[1] is not None  # something is due on a new case
    assert case.exploitation_forms.count() == 0


@pytest.mark.parametrize(
    ("who", "registered_by", "active", "refusal"),
    [
        ("outsider", "agency_a", True, CaseForbidden),  # not of the lead agency
        ("case_worker", "agency_b", True, CaseForbidden),  # another agency's survivor
        ("case_worker", "agency_a", False, CaseError),  # an inactive record
    ],
)
def test_open_case_out_of_scope_is_refused_and_creates_nothing(
    world: CaseWorld, who: str, registered_by: str, active: bool, refusal: type[Exception]
) -> None:
    survivor = SurvivorFactory(registered_by_agency=getattr(world, registered_by), is_active=active)
    with pytest.raises(refusal):
        actions.open_case(
            survivor=survivor,
            by=getattr(world, who),
            lead_agency=world.agency_a,
            first_contact_on=TODAY,
            identified_by=IdentificationChannel.POLICE,
            recruitment_channel=RecruitmentChannel.IN_PERSON,
        )
    assert Case.objects.filter(survivor=survivor).count() == 0


def test_open_case_refuses_identification_before_first_contact(world: CaseWorld) -> None:
    survivor = SurvivorFactory(registered_by_agency=world.agency_a)
    with pytest.raises(CaseError):
        actions.open_case(
            survivor=survivor,
            by=world.case_worker,
            lead_agency=world.agency_a,
            first_contact_on=datetime.date(2026, 6, 10),
            identified_on=datetime.date(2026, 6, 9),
            identified_by=IdentificationChannel.POLICE,
            recruitment_channel=RecruitmentChannel.IN_PERSON,
        )
    assert Case.objects.filter(survivor=survivor).count() == 0


# --- phase transitions ------------------------------------------------------------------


@pytest.mark.parametrize(("from_phase", "to_phase"), ALLOWED)
def test_allowed_transition_moves_the_case_and_records_date_history_and_timeline(
    world: CaseWorld, from_phase: str, to_phase: str
) -> None:
    case = case_in(from_phase, world.case_worker, world)
    on = datetime.date(2026, 6, 10)
    actions.move_case(
        case=case, to_phase=to_phase, by=world.case_worker, expected_version=case.version, on=on
    )
    case.refresh_from_db()
    assert case.phase == to_phase
    assert case.version == 2
    assert getattr(case, PHASE_DATE_FIELDS[to_phase]) == on
    assert list(PhaseChange.objects.filter(case=case).values_list("from_phase", "to_phase")) == [
        (from_phase, to_phase)
    ]
    assert list(case.events.values_list("kind", flat=True)) == ["case.phase_changed"]


@pytest.mark.parametrize(("from_phase", "to_phase"), REFUSED)
def test_refused_transition_raises_and_changes_nothing(
    world: CaseWorld, from_phase: str, to_phase: str
) -> None:
    case = case_in(from_phase, world.case_worker, world)
    before = snapshot(case)
    with pytest.raises(CaseError):
        actions.move_case(
            case=case, to_phase=to_phase, by=world.case_worker, expected_version=case.version
        )
    assert snapshot(case) == before


@pytest.mark.parametrize("from_phase", [p for p in Phase.values if p != Phase.CLOSED])
def test_closing_is_never_a_direct_move(world: CaseWorld, from_phase: str) -> None:
    case = case_in(from_phase, world.case_worker, world)
    before = snapshot(case)
    with pytest.raises(CaseError):
        actions.move_case(
            case=case, to_phase=Phase.CLOSED, by=world.case_worker, expected_version=case.version
        )
    assert snapshot(case) == before


def test_moving_back_keeps_the_first_date_of_a_phase(world: CaseWorld) -> None:
    case = case_in(Phase.PROTECTION, world.case_worker, world)
    case.protection_started_on = datetime.date(2026, 4, 1)
    case.save()
    actions.move_case(
        case=case, to_phase=Phase.ASSISTANCE, by=world.case_worker, expected_version=case.version
    )
    actions.move_case(
        case=case, to_phase=Phase.PROTECTION, by=world.case_worker, expected_version=case.version
    )
    case.refresh_from_db()
    assert case.protection_started_on == datetime.date(2026, 4, 1)
    assert case.assistance_started_on == TODAY
    assert case.phase_changes.count() == 2


def test_outsider_cannot_move_a_case_and_nothing_changes(world: CaseWorld) -> None:
    before = snapshot(world.case)
    with pytest.raises(CaseForbidden):
        actions.move_case(
            case=world.case,
            to_phase=Phase.PROTECTION,
            by=world.outsider,
            expected_version=world.case.version,
        )
    assert snapshot(world.case) == before


# --- closure ----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "bored"])
def test_closure_needs_a_known_reason(world: CaseWorld, reason: str) -> None:
    before = snapshot(world.case)
    with pytest.raises(CaseError):
        actions.request_closure(case=world.case, by=world.case_worker, reason=reason)
    assert ClosureRequest.objects.count() == 0
    assert snapshot(world.case) == before


@pytest.mark.parametrize("reason", ClosureReason.values)
def test_closure_approved_by_a_supervisor_closes_the_case_with_its_reason(
    world: CaseWorld, reason: str
) -> None:
    closure = actions.request_closure(case=world.case, by=world.case_worker, reason=reason)
    case = world.case
    case.refresh_from_db()
    assert case.phase == Phase.IDENTIFICATION
    actions.decide_closure(
        closure=closure, by=world.supervisor, approve=True, expected_version=closure.version
    )
    case.refresh_from_db()
    closure.refresh_from_db()
    assert (case.phase, case.closed_on, case.closure_reason) == (Phase.CLOSED, TODAY, reason)
    assert closure.status == ClosureStatus.APPROVED
    assert closure.decided_by == world.supervisor
    assert list(case.events.values_list("kind", flat=True)) == [
        "case.closed",
        "case.closure_requested",
    ]


def test_refused_closure_leaves_the_case_open(world: CaseWorld) -> None:
    closure = actions.request_closure(
        case=world.case, by=world.case_worker, reason=ClosureReason.LOST_CONTACT
    )
    actions.decide_closure(
        closure=closure, by=world.supervisor, approve=False, expected_version=closure.version
    )
    world.case.refresh_from_db()
    assert world.case.phase == Phase.IDENTIFICATION
    assert ClosureRequest.objects.get().status == ClosureStatus.REFUSED


def test_a_second_pending_closure_is_refused(world: CaseWorld) -> None:
    actions.request_closure(case=world.case, by=world.case_worker, reason=ClosureReason.DECEASED)
    with pytest.raises(CaseError):
        actions.request_closure(
            case=world.case, by=world.case_worker, reason=ClosureReason.DECEASED
        )
    assert ClosureRequest.objects.count() == 1


def test_case_worker_cannot_approve_a_closure_and_nothing_changes(world: CaseWorld) -> None:
    closure = actions.request_closure(
        case=world.case, by=world.case_worker, reason=ClosureReason.REPATRIATED
    )
    before = snapshot(world.case)
    with pytest.raises(CaseForbidden):
        actions.decide_closure(
            closure=closure, by=world.case_worker, approve=True, expected_version=closure.version
        )
    assert snapshot(world.case) == before
    closure.refresh_from_db()
    assert (closure.status, closure.version) == (ClosureStatus.PENDING, 1)


def test_supervisor_cannot_approve_their_own_closure_request(world: CaseWorld) -> None:
    closure = actions.request_closure(
        case=world.case, by=world.supervisor, reason=ClosureReason.TRANSFERRED
    )
    before = snapshot(world.case)
    with pytest.raises(FourEyesError):
        actions.decide_closure(
            closure=closure, by=world.supervisor, approve=True, expected_version=closure.version
        )
    assert snapshot(world.case) == before


# --- care plans -------------------------------------------------------------------------


def submitted_plan(world: CaseWorld, author: User) -> object:
    plan = actions.create_care_plan(case=world.case, by=author, summary="خطة")
    actions.add_care_plan_goal(plan=plan, by=author, description="علاج طبي")
    actions.submit_care_plan(plan=plan, by=author, expected_version=plan.version)
    plan.refresh_from_db()
    return plan


def test_care_plan_approved_by_another_supervisor_of_the_lead_agency(world: CaseWorld) -> None:
    plan = submitted_plan(world, world.case_worker)
    actions.decide_care_plan(
        plan=plan, by=world.supervisor, approve=True, expected_version=plan.version
    )
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == (CarePlanStatus.APPROVED, world.supervisor)


def test_care_plan_approval_is_refused_to_its_author_and_nothing_changes(
    world: CaseWorld,
) -> None:
    plan = submitted_plan(world, world.supervisor)
    with pytest.raises(FourEyesError):
        actions.decide_care_plan(
            plan=plan, by=world.supervisor, approve=True, expected_version=plan.version
        )
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by, plan.version) == (CarePlanStatus.SUBMITTED, None, 2)


def test_care_plan_approval_is_refused_to_another_agencys_supervisor(
    world: CaseWorld, make_persona: Callable[..., User]
) -> None:
    other = make_persona(Role.SUPERVISOR, world.agency_b, "supervisor_b")
    plan = submitted_plan(world, world.case_worker)
    with pytest.raises(CaseForbidden):
        actions.decide_care_plan(plan=plan, by=other, approve=True, expected_version=plan.version)
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == (CarePlanStatus.SUBMITTED, None)


def test_returning_a_care_plan_needs_a_note_and_lets_the_author_resubmit(
    world: CaseWorld,
) -> None:
    plan = submitted_plan(world, world.case_worker)
    with pytest.raises(CaseError):
        actions.decide_care_plan(
            plan=plan, by=world.supervisor, approve=False, expected_version=plan.version
        )
    actions.decide_care_plan(
        plan=plan,
        by=world.supervisor,
        approve=False,
        note="أضيفي هدف السكن",
        expected_version=plan.version,
    )
    plan.refresh_from_db()
    assert plan.status == CarePlanStatus.RETURNED
    actions.add_care_plan_goal(plan=plan, by=world.case_worker, description="سكن آمن")
    actions.submit_care_plan(plan=plan, by=world.case_worker, expected_version=plan.version)
    plan.refresh_from_db()
    assert (plan.status, plan.goals.count()) == (CarePlanStatus.SUBMITTED, 2)


def test_a_care_plan_without_goals_cannot_be_submitted(world: CaseWorld) -> None:
    plan = actions.create_care_plan(case=world.case, by=world.case_worker)
    with pytest.raises(CaseError):
        actions.submit_care_plan(plan=plan, by=world.case_worker, expected_version=plan.version)
    plan.refresh_from_db()
    assert plan.status == CarePlanStatus.DRAFT


def test_only_the_author_submits_a_care_plan(world: CaseWorld) -> None:
    plan = CarePlanFactory(case=world.case, author=world.case_worker)
    CarePlanGoalFactory(care_plan=plan)
    with pytest.raises(CaseError):
        actions.submit_care_plan(plan=plan, by=world.supervisor, expected_version=plan.version)
    plan.refresh_from_db()
    assert plan.status == CarePlanStatus.DRAFT


def test_goals_of_an_approved_plan_cannot_be_rewritten_but_can_be_achieved(
    world: CaseWorld,
) -> None:
    plan = CarePlanFactory(
        case=world.case,
        author=world.case_worker,
        status=CarePlanStatus.APPROVED,
        decided_by=world.supervisor,
    )
    goal = CarePlanGoalFactory(care_plan=plan)
    with pytest.raises(CaseError):
        actions.update_care_plan_goal(
            goal=goal,
            by=world.case_worker,
            expected_version=goal.version,
            description="شيء آخر",
            target_on=None,
            is_achieved=False,
        )
    actions.update_care_plan_goal(
        goal=goal,
        by=world.case_worker,
        expected_version=goal.version,
        description=goal.description,
        target_on=None,
        is_achieved=True,
    )
    goal.refresh_from_db()
    assert (goal.is_achieved, goal.description) == (True, "الحصول على رعاية طبية")


# --- reassignment -----------------------------------------------------------------------


def test_supervisor_reassigns_a_case_to_another_case_worker_of_the_agency(
    world: CaseWorld, make_persona: Callable[..., User]
) -> None:
    colleague = make_persona(Role.CASE_WORKER, world.agency_a, "colleague_a")
    actions.reassign_case(
        case=world.case, to_worker=colleague, by=world.supervisor, expected_version=1
    )
    world.case.refresh_from_db()
    assert world.case.case_worker == colleague
    assert world.case.events.get().kind == "case.reassigned"


def test_case_worker_cannot_reassign_and_nothing_changes(
    world: CaseWorld, make_persona: Callable[..., User]
) -> None:
    colleague = make_persona(Role.CASE_WORKER, world.agency_a, "colleague_a")
    with pytest.raises(CaseForbidden):
        actions.reassign_case(
            case=world.case, to_worker=colleague, by=world.case_worker, expected_version=1
        )
    world.case.refresh_from_db()
    assert (world.case.case_worker, world.case.version) == (world.case_worker, 1)


def test_reassigning_to_a_case_worker_of_another_agency_is_refused(world: CaseWorld) -> None:
    with pytest.raises(CaseError):
        actions.reassign_case(
            case=world.case, to_worker=world.outsider, by=world.supervisor, expected_version=1
        )
    world.case.refresh_from_db()
    assert world.case.case_worker == world.case_worker


# --- optimistic locking -----------------------------------------------------------------


def test_stale_case_edit_is_refused_and_the_other_edit_survives(world: CaseWorld) -> None:
    first = Case.objects.get(pk=world.case.pk)
    second = Case.objects.get(pk=world.case.pk)
    actions.update_case(
        case=first, by=world.case_worker, expected_version=1, changes={"screening_code": "SC-1"}
    )
    with pytest.raises(ConcurrentEditError):
        actions.update_case(
            case=second,
            by=world.supervisor,
            expected_version=1,
            changes={"screening_code": "SC-2"},
        )
    world.case.refresh_from_db()
    assert (world.case.screening_code, world.case.version) == ("SC-1", 2)
    assert world.case.events.filter(kind="case.updated").count() == 1


def test_stale_phase_move_is_refused(world: CaseWorld) -> None:
    actions.update_case(
        case=world.case, by=world.case_worker, expected_version=1, changes={"screening_code": "X"}
    )
    stale = Case.objects.get(pk=world.case.pk)
    with pytest.raises(ConcurrentEditError):
        actions.move_case(
            case=stale, to_phase=Phase.PROTECTION, by=world.case_worker, expected_version=1
        )
    world.case.refresh_from_db()
    assert (world.case.phase, world.case.protection_started_on) == (Phase.IDENTIFICATION, None)
    assert world.case.phase_changes.count() == 0


def test_stale_risk_assessment_edit_is_refused(world: CaseWorld) -> None:
    assessment = RiskAssessmentFactory(case=world.case)
    actions.update_risk_assessment(
        assessment=assessment,
        by=world.case_worker,
        expected_version=1,
        level=RiskLevel.CRITICAL,
        factors=["threats"],
        assessed_on=assessment.assessed_on,
    )
    with pytest.raises(ConcurrentEditError):
        actions.update_risk_assessment(
            assessment=assessment,
            by=world.supervisor,
            expected_version=1,
            level=RiskLevel.LOW,
            factors=[],
            assessed_on=assessment.assessed_on,
        )
    assessment.refresh_from_db()
    assert (assessment.level, assessment.factors, assessment.version) == (
        RiskLevel.CRITICAL,
        ["threats"],
        2,
    )


def test_stale_care_plan_and_goal_edits_are_refused(world: CaseWorld) -> None:
    plan = CarePlanFactory(case=world.case, author=world.case_worker)
    goal = CarePlanGoalFactory(care_plan=plan)
    actions.update_care_plan(plan=plan, by=world.case_worker, expected_version=1, summary="أ")
    with pytest.raises(ConcurrentEditError):
        actions.update_care_plan(plan=plan, by=world.supervisor, expected_version=1, summary="ب")
    actions.update_care_plan_goal(
        goal=goal,
        by=world.case_worker,
        expected_version=1,
        description="هدف أ",
        target_on=None,
        is_achieved=False,
    )
    with pytest.raises(ConcurrentEditError):
        actions.update_care_plan_goal(
            goal=goal,
            by=world.supervisor,
            expected_version=1,
            description="هدف ب",
            target_on=None,
            is_achieved=False,
        )
    plan.refresh_from_db()
    goal.refresh_from_db()
    assert (plan.summary, goal.description) == ("أ", "هدف أ")


def test_stale_closure_decision_is_refused(world: CaseWorld, make_persona: Callable) -> None:
    other = make_persona(Role.SUPERVISOR, world.agency_a, "supervisor_a2")
    closure = actions.request_closure(
        case=world.case, by=world.case_worker, reason=ClosureReason.REINTEGRATED
    )
    actions.decide_closure(closure=closure, by=world.supervisor, approve=False, expected_version=1)
    with pytest.raises(CaseError):
        actions.decide_closure(closure=closure, by=other, approve=True, expected_version=1)
    world.case.refresh_from_db()
    assert world.case.phase == Phase.IDENTIFICATION


# --- timeline ---------------------------------------------------------------------------


def test_the_timeline_records_each_event_of_a_case(
    world: CaseWorld, make_persona: Callable[..., User]
) -> None:
    colleague = make_persona(Role.CASE_WORKER, world.agency_a, "colleague_a")
    survivor = SurvivorFactory(registered_by_agency=world.agency_a)
    worker, boss = world.case_worker, world.supervisor
    case = actions.open_case(
        survivor=survivor,
        by=worker,
        lead_agency=world.agency_a,
        first_contact_on=datetime.date(2026, 6, 1),
        identified_by=IdentificationChannel.HOTLINE,
        recruitment_channel=RecruitmentChannel.SOCIAL_MEDIA,
    )
    actions.update_case(
        case=case, by=worker, expected_version=case.version, changes={"is_transnational": True}
    )
    actions.move_case(
        case=case, to_phase=Phase.PROTECTION, by=worker, expected_version=case.version
    )
    assessment = actions.assess_risk(
        case=case, by=worker, level=RiskLevel.HIGH, factors=["threats"], assessed_on=TODAY
    )
    actions.update_risk_assessment(
        assessment=assessment,
        by=worker,
        expected_version=assessment.version,
        level=RiskLevel.MEDIUM,
        factors=[],
        assessed_on=TODAY,
    )
    plan = actions.create_care_plan(case=case, by=worker)
    actions.update_care_plan(plan=plan, by=worker, expected_version=plan.version, summary="خطة")
    goal = actions.add_care_plan_goal(plan=plan, by=worker, description="هدف")
    actions.update_care_plan_goal(
        goal=goal,
        by=worker,
        expected_version=goal.version,
        description="هدف",
        target_on=None,
        is_achieved=False,
    )
    actions.submit_care_plan(plan=plan, by=worker, expected_version=plan.version)
    actions.decide_care_plan(plan=plan, by=boss, approve=True, expected_version=plan.version)
    case.refresh_from_db()
    actions.reassign_case(case=case, to_worker=colleague, by=boss, expected_version=case.version)
    closure = actions.request_closure(case=case, by=colleague, reason=ClosureReason.REINTEGRATED)
    actions.decide_closure(closure=closure, by=boss, approve=True, expected_version=closure.version)
    kinds = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))
    assert kinds == [
        "case.opened",
        "case.updated",
        "case.phase_changed",
        "case.risk_assessed",
        "case.risk_updated",
        "care_plan.created",
        "care_plan.updated",
        "care_plan.goal_added",
        "care_plan.goal_updated",
        "care_plan.submitted",
        "care_plan.approved",
        "case.reassigned",
        "case.closure_requested",
        "case.closed",
    ]


def test_a_closed_case_can_no_longer_be_changed(world: CaseWorld) -> None:
    case = case_in(Phase.CLOSED, world.case_worker, world)
    with pytest.raises(CaseError):
        actions.assess_risk(
            case=case, by=world.case_worker, level=RiskLevel.LOW, factors=[], assessed_on=TODAY
        )
    with pytest.raises(CaseError):
        actions.create_care_plan(case=case, by=world.case_worker)
    assert case.risk_assessments.count() == case.care_plans.count() == 0
