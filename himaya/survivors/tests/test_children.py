"""Children's safeguards: guardians, best interests, the child's situation, consent for a
child, the gates on a child's case, and the presumption of minority in every rule."""

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.cases import actions as case_actions
from himaya.cases.models import Case, ClosureReason, ClosureRequest, Phase
from himaya.core.errors import Conflict
from himaya.core.locking import ConcurrentEditError
from himaya.survivors import actions, selectors
from himaya.survivors.actions import SurvivorError, SurvivorForbidden, SurvivorNotFound
from himaya.survivors.models import (
    AgeAssessment,
    BestInterestsAssessment,
    BestInterestsDetermination,
    ChildAssent,
    Consent,
    ConsentPurpose,
    DeterminationDecision,
    DurableSolution,
    GuardianAppointment,
    GuardianKind,
    Survivor,
)
from himaya.survivors.tests.conftest import open_case
from himaya.survivors.tests.factories import SurvivorFactory
from himaya.timeline.models import CaseEvent

TODAY = timezone.localdate()
PANEL = "Judge A, chair\nSocial worker B\nChild protection officer C"


@pytest.fixture
def child(case_worker: User, agency_a: Agency) -> Survivor:
    """A survivor of unknown age registered by agency A: presumed a child."""
    return SurvivorFactory(
        birth_year=None, registered_by_agency=agency_a, registered_by=case_worker
    )


@pytest.fixture
def child_case(child: Survivor, agency_a: Agency, case_worker: User) -> Case:
    return open_case(child, agency_a, case_worker)


def appoint(child: Survivor, by: User, **changes: Any) -> GuardianAppointment:
    values: dict[str, Any] = {
        "guardian_name": "سعاد محمود",
        "kind": GuardianKind.LEGAL_GUARDIAN,
        "appointed_on": TODAY,
        "appointing_body": "محكمة الأسرة",
    }
    values.update(changes)
    return actions.appoint_guardian(survivor=child, by=by, **values)


def assess(child: Survivor, by: User) -> BestInterestsAssessment:
    return actions.record_best_interests_assessment(
        survivor=child,
        by=by,
        assessed_on=TODAY,
        summary="Safe with the foster family; wishes to go to school.",
        child_views_heard=True,
        recommendation="stay_in_care",
    )


def raw_column(model: Any, column: str) -> str:
    """The stored value of the only row's column, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table}")  # noqa: S608
        return str(cursor.fetchone()[0])


def counts() -> tuple[int, ...]:
    return (
        GuardianAppointment.objects.count(),
        BestInterestsAssessment.objects.count(),
        BestInterestsDetermination.objects.count(),
        Consent.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
    )


# --- the refusals other apps ask for --------------------------------------------------


@pytest.mark.parametrize("purpose", ["closure", "transfer", "return"])
def test_no_refusal_for_a_survivor_who_is_not_presumed_a_child(
    purpose: str, case_worker: User, agency_a: Agency
) -> None:
    adult = SurvivorFactory(birth_year=1990, registered_by_agency=agency_a)
    assert selectors.best_interests_refusal(survivor=adult, purpose=purpose) is None
    assert selectors.guardian_refusal(survivor=adult) is None


@pytest.mark.parametrize("purpose", ["closure", "transfer"])
def test_closure_and_transfer_of_a_child_need_a_best_interests_assessment(
    purpose: str, child: Survivor, case_worker: User
) -> None:
    refusal = selectors.best_interests_refusal(survivor=child, purpose=purpose)
    assert isinstance(refusal, Conflict)
    with translation.override("en"):
        assert "best-interests assessment" in str(refusal.message)
    assess(child, case_worker)
    assert selectors.best_interests_refusal(survivor=child, purpose=purpose) is None


def test_a_return_of_a_child_needs_a_panel_decision_in_favour_of_return(
    child: Survivor, case_worker: User, supervisor: User
) -> None:
    assess(child, case_worker)
    assert isinstance(selectors.best_interests_refusal(survivor=child, purpose="return"), Conflict)
    for solution, decision in [
        (DurableSolution.RETURN, DeterminationDecision.AGAINST),
        (DurableSolution.LOCAL_INTEGRATION, DeterminationDecision.IN_FAVOUR),
    ]:
        actions.record_best_interests_determination(
            survivor=child,
            by=supervisor,
            decided_on=TODAY,
            panel_members=PANEL,
            durable_solution=solution,
            decision=decision,
        )
    assert isinstance(selectors.best_interests_refusal(survivor=child, purpose="return"), Conflict)
    actions.record_best_interests_determination(
        survivor=child,
        by=supervisor,
        decided_on=TODAY,
        panel_members=PANEL,
        durable_solution=DurableSolution.RETURN,
        decision=DeterminationDecision.IN_FAVOUR,
    )
    assert selectors.best_interests_refusal(survivor=child, purpose="return") is None


def test_a_child_needs_a_guardian_currently_appointed(child: Survivor, case_worker: User) -> None:
    assert isinstance(selectors.guardian_refusal(survivor=child), Conflict)
    appointment = appoint(child, case_worker)
    assert selectors.guardian_refusal(survivor=child) is None
    actions.end_guardian_appointment(
        appointment=appointment, by=case_worker, expected_version=appointment.version
    )
    assert isinstance(selectors.guardian_refusal(survivor=child), Conflict)


# --- the actions ----------------------------------------------------------------------


def test_appointing_a_guardian_encrypts_the_name_and_writes_the_timeline_and_audit(
    child: Survivor, child_case: Case, case_worker: User
) -> None:
    appointment = appoint(child, case_worker)
    assert "سعاد" not in raw_column(GuardianAppointment, "guardian_name")
    assert GuardianAppointment.objects.get().guardian_name == "سعاد محمود"
    line = CaseEvent.objects.get(case=child_case, kind="survivor.guardian_appointed")
    assert line.object_code == child.code
    event = AuditEvent.objects.get(action="survivor.guardian_appointed")
    assert event.details == {"appointment": appointment.pk, "kind": "legal_guardian"}
    assert "سعاد" not in str(event.details)


def test_a_guardian_without_a_case_still_leaves_one_audit_row(
    child: Survivor, case_worker: User
) -> None:
    appoint(child, case_worker)
    assert AuditEvent.objects.filter(action="survivor.guardian_appointed").count() == 1
    assert CaseEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"guardian_name": "  \u200b "}, "guardian_name"),
        ({"kind": "uncle"}, "kind"),
        ({"appointed_on": TODAY + datetime.timedelta(days=1)}, "appointed_on"),
        ({"appointing_body": ""}, "appointing_body"),
    ],
    ids=["invisible-name", "unknown-kind", "future-date", "no-appointing-body"],
)
def test_a_guardian_is_refused_with_bad_input_and_nothing_is_written(
    changes: dict[str, Any], field: str, child: Survivor, child_case: Case, case_worker: User
) -> None:
    before = counts()
    with pytest.raises(SurvivorError) as refused:
        appoint(child, case_worker, **changes)
    assert refused.value.field == field
    assert counts() == before


@pytest.mark.parametrize("action", ["guardian", "assessment", "determination", "flags"])
def test_another_agency_gets_not_found_and_nothing_changes(
    action: str,
    child: Survivor,
    child_case: Case,
    outsider: User,
    make_persona: Any,
    agency_b: Agency,
) -> None:
    supervisor_b = make_persona("supervisor", agency_b, "supervisor_b")
    before = counts()
    with pytest.raises(SurvivorNotFound):
        if action == "guardian":
            appoint(child, outsider)
        elif action == "assessment":
            assess(child, outsider)
        elif action == "determination":
            actions.record_best_interests_determination(
                survivor=child,
                by=supervisor_b,
                decided_on=TODAY,
                panel_members=PANEL,
                durable_solution=DurableSolution.RETURN,
                decision=DeterminationDecision.IN_FAVOUR,
            )
        else:
            actions.set_child_flags(
                survivor=child,
                by=outsider,
                unaccompanied=True,
                separated=False,
                expected_version=child.version,
            )
    assert counts() == before
    child.refresh_from_db()
    assert (child.unaccompanied, child.separated) == (False, False)


@pytest.mark.parametrize("role", ["analyst", "auditor", "shelter_staff", "administrator"])
def test_roles_without_casework_may_not_appoint_a_guardian(
    role: str, child: Survivor, personas: dict[str, User]
) -> None:
    before = counts()
    with pytest.raises(SurvivorForbidden):
        appoint(child, personas[role])
    assert counts() == before


def test_only_a_supervisor_records_a_determination_with_a_large_enough_panel(
    child: Survivor, child_case: Case, case_worker: User, supervisor: User
) -> None:
    before = counts()
    with pytest.raises(SurvivorForbidden):
        actions.record_best_interests_determination(
            survivor=child,
            by=case_worker,
            decided_on=TODAY,
            panel_members=PANEL,
            durable_solution=DurableSolution.RETURN,
            decision=DeterminationDecision.IN_FAVOUR,
        )
    with pytest.raises(SurvivorError) as refused:
        actions.record_best_interests_determination(
            survivor=child,
            by=supervisor,
            decided_on=TODAY,
            panel_members="Judge A\n\n  \nSocial worker B",
            durable_solution=DurableSolution.RETURN,
            decision=DeterminationDecision.IN_FAVOUR,
        )
    assert refused.value.field == "panel_members"
    assert counts() == before
    determination = actions.record_best_interests_determination(
        survivor=child,
        by=supervisor,
        decided_on=TODAY,
        panel_members=PANEL,
        durable_solution=DurableSolution.RETURN,
        decision=DeterminationDecision.IN_FAVOUR,
    )
    assert determination.panel_size == 3
    assert CaseEvent.objects.filter(kind="survivor.best_interests_determined").count() == 1


def test_the_panel_minimum_is_a_setting(child: Survivor, supervisor: User, settings: Any) -> None:
    settings.BEST_INTERESTS_PANEL_MINIMUM = 4
    with pytest.raises(SurvivorError):
        actions.record_best_interests_determination(
            survivor=child,
            by=supervisor,
            decided_on=TODAY,
            panel_members=PANEL,
            durable_solution=DurableSolution.OTHER,
            decision=DeterminationDecision.DEFERRED,
        )


def test_a_best_interests_assessment_keeps_its_summary_encrypted(
    child: Survivor, child_case: Case, case_worker: User
) -> None:
    assessment = assess(child, case_worker)
    assert "foster" not in raw_column(BestInterestsAssessment, "summary")
    assert CaseEvent.objects.filter(kind="survivor.best_interests_assessed").count() == 1
    event = AuditEvent.objects.get(action="survivor.best_interests_assessed")
    assert event.details["assessment"] == assessment.pk
    assert "foster" not in str(event.details)


def test_the_child_flags_are_set_with_a_version_and_refused_together_or_for_an_adult(
    child: Survivor, child_case: Case, case_worker: User, agency_a: Agency
) -> None:
    version = child.version
    actions.set_child_flags(
        survivor=child,
        by=case_worker,
        unaccompanied=True,
        separated=False,
        expected_version=version,
    )
    child.refresh_from_db()
    assert (child.unaccompanied, child.separated, child.version) == (True, False, version + 1)
    assert CaseEvent.objects.filter(kind="survivor.child_flags_changed").count() == 1
    with pytest.raises(ConcurrentEditError):
        actions.set_child_flags(
            survivor=child,
            by=case_worker,
            unaccompanied=False,
            separated=True,
            expected_version=version,
        )
    with pytest.raises(SurvivorError):
        actions.set_child_flags(
            survivor=child,
            by=case_worker,
            unaccompanied=True,
            separated=True,
            expected_version=child.version,
        )
    adult = SurvivorFactory(birth_year=1990, registered_by_agency=agency_a)
    with pytest.raises(SurvivorError):
        actions.set_child_flags(
            survivor=adult,
            by=case_worker,
            unaccompanied=False,
            separated=True,
            expected_version=adult.version,
        )
    child.refresh_from_db()
    adult.refresh_from_db()
    assert (child.unaccompanied, child.separated) == (True, False)
    assert (adult.unaccompanied, adult.separated) == (False, False)


def test_an_appointment_ends_once_with_its_version(child: Survivor, case_worker: User) -> None:
    appointment = appoint(child, case_worker, appointed_on=TODAY - datetime.timedelta(days=3))
    with pytest.raises(SurvivorError):
        actions.end_guardian_appointment(
            appointment=appointment,
            by=case_worker,
            expected_version=appointment.version,
            ended_on=TODAY - datetime.timedelta(days=4),
        )
    with pytest.raises(ConcurrentEditError):
        actions.end_guardian_appointment(
            appointment=appointment, by=case_worker, expected_version=appointment.version + 5
        )
    actions.end_guardian_appointment(
        appointment=appointment, by=case_worker, expected_version=appointment.version
    )
    appointment.refresh_from_db()
    assert appointment.ended_on == TODAY
    with pytest.raises(SurvivorError):
        actions.end_guardian_appointment(
            appointment=appointment, by=case_worker, expected_version=appointment.version
        )


# --- consent for a child ----------------------------------------------------------------


def test_a_childs_consent_needs_the_guardian_and_records_the_assent_apart(
    child: Survivor, case_worker: User
) -> None:
    before = counts()
    with pytest.raises(SurvivorError) as refused:
        actions.record_consent(survivor=child, by=case_worker, purpose=ConsentPurpose.CARE)
    assert refused.value.field == "guardian"
    assert counts() == before
    guardian = appoint(child, case_worker)
    with pytest.raises(SurvivorError) as refused:
        actions.record_consent(
            survivor=child, by=case_worker, purpose=ConsentPurpose.CARE, guardian=guardian
        )
    assert refused.value.field == "child_assent"
    with pytest.raises(SurvivorError) as refused:
        actions.record_consent(
            survivor=child,
            by=case_worker,
            purpose=ConsentPurpose.CARE,
            guardian=guardian,
            child_assent=ChildAssent.NOT_ASKED,
        )
    assert refused.value.field == "child_assent_reason"
    consent = actions.record_consent(
        survivor=child,
        by=case_worker,
        purpose=ConsentPurpose.CARE,
        guardian=guardian,
        child_assent=ChildAssent.GIVEN,
    )
    assert (consent.guardian, consent.guardian_consented_on, consent.child_assent) == (
        guardian,
        TODAY,
        "given",
    )


def test_a_guardian_of_another_child_or_ended_is_refused(
    child: Survivor, case_worker: User, agency_a: Agency
) -> None:
    other = SurvivorFactory(birth_year=None, registered_by_agency=agency_a)
    theirs = appoint(other, case_worker)
    with pytest.raises(SurvivorError) as refused:
        actions.record_consent(
            survivor=child,
            by=case_worker,
            purpose=ConsentPurpose.CARE,
            guardian=theirs,
            child_assent=ChildAssent.GIVEN,
        )
    assert refused.value.field == "guardian"
    assert Consent.objects.count() == 0


def test_an_adults_consent_keeps_no_guardian_nor_assent(
    case_worker: User, agency_a: Agency
) -> None:
    adult = SurvivorFactory(birth_year=1990, registered_by_agency=agency_a)
    consent = actions.record_consent(
        survivor=adult, by=case_worker, purpose=ConsentPurpose.CARE, child_assent="given"
    )
    assert (consent.guardian, consent.child_assent) == (None, "")


# --- gates on a child's case -----------------------------------------------------------


def _case_state(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (case.phase, case.version, ClosureRequest.objects.filter(case=case).count())


def test_a_childs_case_leaves_identification_only_with_a_guardian(
    child: Survivor, child_case: Case, case_worker: User
) -> None:
    before, events = _case_state(child_case), counts()
    with pytest.raises(Conflict) as refused:
        case_actions.move_case(
            case=child_case,
            to_phase=Phase.PROTECTION,
            by=case_worker,
            expected_version=child_case.version,
        )
    with translation.override("en"):
        assert "guardian" in str(refused.value.message)
    assert _case_state(child_case) == before
    assert counts() == events
    appoint(child, case_worker)
    case_actions.move_case(
        case=child_case,
        to_phase=Phase.PROTECTION,
        by=case_worker,
        expected_version=child_case.version,
    )
    assert _case_state(child_case)[0] == Phase.PROTECTION


def test_a_childs_case_is_not_closed_without_a_best_interests_assessment(
    child: Survivor, child_case: Case, case_worker: User, supervisor: User
) -> None:
    before, events = _case_state(child_case), counts()
    with pytest.raises(Conflict):
        case_actions.request_closure(
            case=child_case, by=case_worker, reason=ClosureReason.values[0]
        )
    assert _case_state(child_case) == before
    assert counts() == events
    # A request made before the rule (or from elsewhere) is not approved either.
    closure = ClosureRequest.objects.create(
        case=child_case, reason=ClosureReason.values[0], requested_by=case_worker
    )
    with pytest.raises(Conflict):
        case_actions.decide_closure(
            closure=closure, by=supervisor, approve=True, expected_version=closure.version
        )
    closure.refresh_from_db()
    child_case.refresh_from_db()
    assert (closure.status, child_case.phase) == ("pending", Phase.IDENTIFICATION)
    assess(child, case_worker)
    case_actions.decide_closure(
        closure=closure, by=supervisor, approve=True, expected_version=closure.version
    )
    child_case.refresh_from_db()
    assert child_case.phase == Phase.CLOSED


# --- the presumption of minority in every rule -----------------------------------------

AGES = {
    "unknown": (None, None, True),
    "estimated-17": (TODAY.year - 17, None, True),
    "exactly-18": (TODAY.year - 18, None, False),
    "aged-25": (TODAY.year - 25, None, False),
    "unknown-assessed-adult": (None, True, False),
}


@pytest.mark.parametrize("age", list(AGES), ids=list(AGES))
def test_every_age_rule_presumes_a_child_until_an_assessment_says_adult(
    age: str, case_worker: User, agency_a: Agency
) -> None:
    from himaya.cases.selectors import worklist_page
    from himaya.empowerment.selectors import eligibility_for
    from himaya.screening.actions import child_rule_applies
    from himaya.shelters import rules as shelter_rules
    from himaya.shelters.selectors import need_for_case

    birth_year, assessed_adult, child = AGES[age]
    survivor = SurvivorFactory(
        birth_year=birth_year,
        age_is_estimated=age == "estimated-17",
        registered_by_agency=agency_a,
        registered_by=case_worker,
    )
    if assessed_adult is not None:
        AgeAssessment.objects.create(
            survivor=survivor,
            method="medical",
            assessed_on=TODAY,
            is_adult=assessed_adult,
            assessed_by=case_worker,
            agency=agency_a,
        )
    case = case_actions.refresh_worklist(open_case(survivor, agency_a, case_worker))
    # The survivor's page, the gates and the refusals.
    assert selectors.presumed_child(survivor) is child
    # Screening: the children's set and the child rule.
    adults_set: Any = SimpleNamespace(for_children=False)
    assert child_rule_applies(indicator_set=adults_set, survivor=survivor, on=TODAY) is child
    # Shelters: a unit for adults alone never receives a presumed child.
    group = need_for_case(case, today=TODAY).group
    adults_only = shelter_rules.accepts_age_group(
        group, accepts_children=False, accepts_adolescents=False, accepts_adults=True
    )
    assert adults_only is not child
    # Referrals to a programme for adults only.
    programme: Any = SimpleNamespace(
        allowed_sexes=[], min_age=18, max_age=None, household_roles=[], requires_reintegration=False
    )
    decision = eligibility_for(programme, case, "head", TODAY)
    age_reason = next(reason for reason in decision.reasons if reason.rule == "age")
    if child:
        assert age_reason.passed is False
    # Consent: a child's needs the guardian.
    if child:
        with pytest.raises(SurvivorError):
            actions.record_consent(survivor=survivor, by=case_worker, purpose=ConsentPurpose.CARE)
    else:
        actions.record_consent(survivor=survivor, by=case_worker, purpose=ConsentPurpose.CARE)
    # The worklist's child flag.
    rows = worklist_page(case_worker, scope="mine", today=TODAY).rows
    assert [row.is_child for row in rows if row.case.pk == case.pk] == [child]


# --- pages and API ---------------------------------------------------------------------


def test_the_survivor_page_shows_the_childs_section_and_badges(
    login: Any, case_worker: User, child: Survivor
) -> None:
    survivor = Survivor.objects.get(pk=child.pk)
    survivor.unaccompanied = True
    survivor.save()
    response = login(case_worker).get(reverse("survivors:detail", args=[child.code]))
    body = response.content.decode()
    assert response.status_code == 200
    for testid in [
        "children",
        "badge-child",
        "badge-unaccompanied",
        "no-guardian",
        "guardian-form",
    ]:
        assert f'data-testid="{testid}"' in body


def test_a_guardian_is_appointed_from_the_page_and_an_outsider_gets_404(
    login: Any, case_worker: User, outsider: User, child: Survivor, client: Client
) -> None:
    url = reverse("survivors:appoint_guardian", args=[child.code])
    data = {
        "guardian_name": "سعاد محمود",
        "kind": "legal_guardian",
        "appointing_body": "محكمة الأسرة",
        "appointed_on": TODAY.isoformat(),
    }
    assert login(outsider).post(url, data).status_code == 404
    assert GuardianAppointment.objects.count() == 0
    client.logout()
    response = login(case_worker).post(url, data)
    assert response.status_code == 302
    assert GuardianAppointment.objects.filter(survivor=child).count() == 1
    refused = login(case_worker).post(url, {**data, "appointing_body": ""})
    assert refused.status_code == 400
    assert GuardianAppointment.objects.count() == 1


def test_the_api_lists_and_creates_guardians_and_refuses_outsiders(
    login: Any, case_worker: User, outsider: User, supervisor: User, child: Survivor, client: Client
) -> None:
    create = reverse("survivors:api_guardian_create", args=[child.code])
    payload = {
        "guardian_name": "سعاد محمود",
        "kind": "court_representative",
        "appointing_body": "محكمة الأسرة",
        "appointed_on": TODAY.isoformat(),
    }
    assert login(outsider).post(create, payload, content_type="application/json").status_code == 404
    client.logout()
    api = login(case_worker)
    response = api.post(create, payload, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "court_representative" and body["is_current"] is True
    assert "guardian_name" not in body
    listed = api.get(reverse("survivors:api_guardians", args=[child.code])).json()
    assert [row["id"] for row in listed] == [body["id"]]
    determination = reverse("survivors:api_determination_create", args=[child.code])
    decided = {
        "decided_on": TODAY.isoformat(),
        "panel_members": PANEL,
        "durable_solution": "return",
        "decision": "in_favour",
    }
    assert api.post(determination, decided, content_type="application/json").status_code == 403
    client.logout()
    answer = login(supervisor).post(determination, decided, content_type="application/json")
    assert answer.status_code == 201
    assert answer.json()["panel_size"] == 3


def test_the_api_records_a_childs_consent_with_the_guardian(
    login: Any, case_worker: User, child: Survivor
) -> None:
    guardian = appoint(child, case_worker)
    api = login(case_worker)
    url = reverse("survivors:api_consent_create", args=[child.code])
    refused = api.post(url, {"purpose": "care"}, content_type="application/json")
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    answer = api.post(
        url,
        {"purpose": "care", "guardian": guardian.pk, "child_assent": "refused"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert (answer.json()["guardian"], answer.json()["child_assent"]) == (guardian.pk, "refused")


def test_the_api_sets_the_child_situation_and_answers_409_on_a_stale_version(
    login: Any, case_worker: User, child: Survivor
) -> None:
    api = login(case_worker)
    url = reverse("survivors:api_child_situation", args=[child.code])
    ok = api.post(
        url,
        {"unaccompanied": False, "separated": True, "version": child.version},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["separated"] is True and ok.json()["presumed_child"] is True
    stale = api.post(
        url,
        {"unaccompanied": True, "separated": False, "version": child.version},
        content_type="application/json",
    )
    assert stale.status_code == 409


def test_the_api_lists_and_records_age_assessments(
    login: Any, case_worker: User, child: Survivor, agency_a: Agency
) -> None:
    api = login(case_worker)
    created = api.post(
        reverse("survivors:api_age_assessment_create", args=[child.code]),
        {
            "method": "documents",
            "assessed_on": TODAY.isoformat(),
            "is_adult": True,
            "estimated_age": 19,
            "agency": agency_a.code,
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    listed = api.get(reverse("survivors:api_age_assessments", args=[child.code])).json()
    assert [(row["is_adult"], row["estimated_age"]) for row in listed] == [(True, 19)]
    assert selectors.presumed_child(child) is False
    assert CaseEvent.objects.count() == 0
    assert AuditEvent.objects.filter(action="survivor.age_assessed").count() == 1
