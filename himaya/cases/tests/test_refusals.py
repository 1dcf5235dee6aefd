"""Refusals of cases through every door: the rule holds in the action, pages answer 400
with the reason, the API answers problem details, and nothing changes."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.cases import actions
from himaya.cases.exceptions import CaseError, CaseForbidden
from himaya.cases.models import (
    CarePlan,
    CarePlanGoal,
    CarePlanStatus,
    Case,
    ClosureRequest,
    Phase,
    PhaseChange,
    RiskAssessment,
)
from himaya.cases.tests.factories import (
    CarePlanFactory,
    CarePlanGoalFactory,
    CaseFactory,
    ClosureRequestFactory,
    RiskAssessmentFactory,
)
from himaya.core.errors import Forbidden, Invalid
from himaya.survivors.tests.factories import SurvivorFactory
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
ABROAD = "Exploitation abroad makes the case transnational."


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@dataclass
class Scene:
    case: Case
    worker: User
    boss: User
    codes: dict[str, str]


@pytest.fixture
def scene(case_worker: User, supervisor: User, agency_a: Agency) -> Scene:
    """A case with a risk assessment, a draft plan with a goal, a submitted plan and a
    pending closure, each at version 1."""
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    risk = RiskAssessmentFactory(case=case)
    draft = CarePlanFactory(case=case, author=case_worker, status=CarePlanStatus.DRAFT)
    goal = CarePlanGoalFactory(care_plan=draft)
    submitted = CarePlanFactory(case=case, author=case_worker, status=CarePlanStatus.SUBMITTED)
    closure = ClosureRequestFactory(case=case, requested_by=case_worker)
    codes = {
        "case": case.code,
        "risk": risk.code,
        "draft": draft.code,
        "goal": goal.code,
        "submitted": submitted.code,
        "closure": closure.code,
    }
    return Scene(case, case_worker, supervisor, codes)


def client_for(login: Callable[[User], Client], user: User) -> Client:
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def everything() -> dict[str, Any]:
    """Every row and version a refused write could have changed."""
    return {
        "cases": list(Case.objects.values_list("code", "phase", "version", "is_transnational")),
        "risks": list(RiskAssessment.objects.values_list("code", "level", "version")),
        "plans": list(CarePlan.objects.values_list("code", "status", "summary", "version")),
        "goals": list(CarePlanGoal.objects.values_list("code", "description", "version")),
        "closures": list(ClosureRequest.objects.values_list("code", "status", "version")),
        "phase_changes": PhaseChange.objects.count(),
        "timeline": CaseEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# --- the error kinds ----------------------------------------------------------------------


def test_the_cases_refusals_are_kinds_of_the_one_error_model() -> None:
    assert issubclass(CaseError, Invalid)
    assert issubclass(CaseForbidden, Forbidden)
    assert CaseError("x").status == 400
    assert CaseForbidden("x").status == 403


# --- a transnational case ---------------------------------------------------------------


def _open_payload(survivor_code: str, agency: Agency, **extra: Any) -> dict[str, Any]:
    return {
        "survivor": survivor_code,
        "lead_agency": agency.code,
        "first_contact_on": "2026-06-01",
        "identified_by": "police",
        "recruitment_channel": "unknown",
        "country_of_exploitation": "LY",
        "is_transnational": False,
        **extra,
    }


def test_the_action_refuses_to_open_a_case_exploited_abroad_unless_transnational(
    case_worker: User, agency_a: Agency
) -> None:
    survivor = SurvivorFactory(registered_by_agency=agency_a)
    before = everything()
    with pytest.raises(CaseError) as refused:
        actions.open_case(
            survivor=survivor,
            by=case_worker,
            lead_agency=agency_a,
            first_contact_on=datetime.date(2026, 6, 1),
            identified_by="police",
            recruitment_channel="unknown",
            country_of_exploitation="LY",
            is_transnational=False,
        )
    assert refused.value.errors == {"is_transnational": [refused.value.message]}
    assert everything() == before
    case = actions.open_case(
        survivor=survivor,
        by=case_worker,
        lead_agency=agency_a,
        first_contact_on=datetime.date(2026, 6, 1),
        identified_by="police",
        recruitment_channel="unknown",
        country_of_exploitation="ly",
        is_transnational=True,
    )
    assert (case.country_of_exploitation, case.is_transnational) == ("LY", True)


def test_the_action_refuses_an_edit_that_moves_the_exploitation_abroad(
    case_worker: User, agency_a: Agency
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    before = everything()
    with pytest.raises(CaseError):
        actions.update_case(
            case=case,
            by=case_worker,
            expected_version=case.version,
            changes={"country_of_exploitation": "SA", "is_transnational": False},
        )
    assert everything() == before


def test_the_api_refuses_to_open_a_case_exploited_abroad_unless_transnational(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    survivor = SurvivorFactory(registered_by_agency=agency_a)
    client = client_for(login, case_worker)
    before = everything()
    response = client.post(
        reverse("cases:api_open"),
        _open_payload(survivor.code, agency_a),
        content_type="application/json",
    )
    body = assert_problem(response, 400)
    assert body["detail"] == ABROAD
    assert body["errors"] == {"is_transnational": [ABROAD]}
    assert everything() == before


def test_the_page_refuses_to_open_a_case_exploited_abroad_unless_transnational(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    survivor = SurvivorFactory(registered_by_agency=agency_a)
    client = client_for(login, case_worker)
    payload = _open_payload(survivor.code, agency_a, lead_agency=agency_a.pk)
    del payload["is_transnational"]  # an unticked box is not sent
    before = everything()
    response = client.post(reverse("cases:open"), payload)
    body = response.content.decode()
    assert response.status_code == 400
    assert f'data-error-for="is_transnational">{ABROAD}<' in body
    assert everything() == before


def test_the_edit_page_refuses_to_move_the_exploitation_abroad(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    client = client_for(login, case_worker)
    before = everything()
    response = client.post(
        reverse("cases:edit", kwargs={"code": case.code}),
        {
            "first_contact_on": "2026-03-01",
            "identified_by": "police",
            "recruitment_channel": "in_person",
            "country_of_exploitation": "SA",
            "version": case.version,
        },
    )
    assert response.status_code == 400
    assert f'data-error-for="is_transnational">{ABROAD}<' in response.content.decode()
    assert everything() == before


# --- malformed versions -----------------------------------------------------------------

MALFORMED = ["abc", "-1", "0", "1e9", "1.5", str(10**30)]

# name, code key, the rest of a valid payload, who posts
PAGES_WITH_VERSION: list[tuple[str, str, dict[str, Any], str]] = [
    ("cases:move", "case", {"to_phase": "protection"}, "worker"),
    (
        "cases:edit",
        "case",
        {
            "first_contact_on": "2026-03-01",
            "identified_by": "police",
            "recruitment_channel": "in_person",
            "country_of_exploitation": "EG",
        },
        "worker",
    ),
    ("cases:reassign", "case", {"case_worker": "worker"}, "boss"),
    ("cases:risk_edit", "risk", {"level": "high", "assessed_on": "2026-06-01"}, "worker"),
    ("cases:goal_edit", "goal", {"description": "هدف"}, "worker"),
    ("cases:care_plan", "draft", {"summary": "خطة"}, "worker"),
    ("cases:care_plan_submit", "draft", {}, "worker"),
    ("cases:care_plan_decide", "submitted", {"decision": "approve"}, "boss"),
    ("cases:decide_closure", "closure", {"decision": "approve"}, "boss"),
]

APIS_WITH_VERSION: list[tuple[str, str, dict[str, Any], str]] = [
    ("cases:api_transition", "case", {"to_phase": "protection"}, "worker"),
    ("cases:api_care_plan_submit", "draft", {}, "worker"),
    ("cases:api_care_plan_decision", "submitted", {"approve": True}, "boss"),
]


def _poster(scene: Scene, who: str) -> User:
    return scene.boss if who == "boss" else scene.worker


def _payload(scene: Scene, payload: dict[str, Any]) -> dict[str, Any]:
    return {k: scene.worker.pk if v == "worker" else v for k, v in payload.items()}


@pytest.mark.parametrize("version", MALFORMED)
@pytest.mark.parametrize(
    ("name", "key", "payload", "who"), PAGES_WITH_VERSION, ids=[p[0] for p in PAGES_WITH_VERSION]
)
def test_a_malformed_version_on_a_page_answers_400_and_changes_nothing(
    scene: Scene,
    login: Callable[[User], Client],
    name: str,
    key: str,
    payload: dict[str, Any],
    who: str,
    version: str,
) -> None:
    client = client_for(login, _poster(scene, who))
    before = everything()
    response = client.post(
        reverse(name, kwargs={"code": scene.codes[key]}),
        {**_payload(scene, payload), "version": version},
    )
    assert response.status_code == 400
    assert everything() == before


@pytest.mark.parametrize("version", [*MALFORMED, 1e9, 1.5, True, None, [1]])
@pytest.mark.parametrize(
    ("name", "key", "payload", "who"), APIS_WITH_VERSION, ids=[p[0] for p in APIS_WITH_VERSION]
)
def test_a_malformed_version_in_the_api_answers_a_400_problem_naming_it(
    scene: Scene,
    login: Callable[[User], Client],
    name: str,
    key: str,
    payload: dict[str, Any],
    who: str,
    version: Any,
) -> None:
    client = client_for(login, _poster(scene, who))
    before = everything()
    response = client.post(
        reverse(name, kwargs={"code": scene.codes[key]}),
        {**payload, "version": version},
        content_type="application/json",
    )
    body = assert_problem(response, 400)
    assert list(body["errors"]) == ["version"]
    assert everything() == before


@pytest.mark.parametrize(
    ("name", "key", "payload", "who"), APIS_WITH_VERSION, ids=[p[0] for p in APIS_WITH_VERSION]
)
def test_a_missing_version_in_the_api_answers_a_400_problem_naming_it(
    scene: Scene,
    login: Callable[[User], Client],
    name: str,
    key: str,
    payload: dict[str, Any],
    who: str,
) -> None:
    client = client_for(login, _poster(scene, who))
    before = everything()
    response = client.post(
        reverse(name, kwargs={"code": scene.codes[key]}), payload, content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert list(body["errors"]) == ["version"]
    assert everything() == before


# --- problem details for every kind of API refusal --------------------------------------


def test_a_rule_refusal_in_the_api_is_a_400_problem_in_the_users_language(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    client = client_for(login, scene.worker)
    before = everything()
    response = client.post(
        reverse("cases:api_transition", kwargs={"code": scene.case.code}),
        {"to_phase": "follow_up", "version": 1},
        content_type="application/json",
    )
    body = assert_problem(response, 400)
    assert body["detail"] == "A case cannot move from Identification to Follow-up."
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    arabic = client.post(
        reverse("cases:api_transition", kwargs={"code": scene.case.code}),
        {"to_phase": "follow_up", "version": 1},
        content_type="application/json",
    )
    assert assert_problem(arabic, 400)["detail"] != body["detail"]
    assert everything() == before


def test_a_stale_version_in_the_api_is_a_409_problem(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    client = client_for(login, scene.worker)
    before = everything()
    response = client.post(
        reverse("cases:api_transition", kwargs={"code": scene.case.code}),
        {"to_phase": "protection", "version": 7},
        content_type="application/json",
    )
    assert_problem(response, 409)
    assert everything() == before


def test_the_author_deciding_their_own_plan_in_the_api_is_a_403_problem(
    scene: Scene, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    plan = CarePlanFactory(
        case=CaseFactory(lead_agency=agency_a, case_worker=scene.boss),
        author=scene.boss,
        status=CarePlanStatus.SUBMITTED,
    )
    client = client_for(login, scene.boss)
    before = everything()
    response = client.post(
        reverse("cases:api_care_plan_decision", kwargs={"code": plan.code}),
        {"approve": True, "version": 1},
        content_type="application/json",
    )
    body = assert_problem(response, 403)
    assert body["detail"] == "You cannot approve or return a care plan you wrote."
    assert everything() == before


def test_a_case_outside_the_users_scope_is_a_404_problem(
    scene: Scene, outsider: User, login: Callable[[User], Client]
) -> None:
    client = client_for(login, outsider)
    before = everything()
    response = client.post(
        reverse("cases:api_transition", kwargs={"code": scene.case.code}),
        {"to_phase": "protection", "version": 1},
        content_type="application/json",
    )
    assert_problem(response, 404)
    assert everything() == before


def test_opening_a_case_for_an_unknown_survivor_is_a_400_problem_in_english_and_arabic(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    client = client_for(login, case_worker)
    payload = _open_payload("SV-NOPE-NOPE-X", agency_a, country_of_exploitation="EG")
    english = assert_problem(
        client.post(reverse("cases:api_open"), payload, content_type="application/json"), 400
    )
    assert english["errors"] == {"survivor": ["No survivor with this code is known to you."]}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    arabic = assert_problem(
        client.post(reverse("cases:api_open"), payload, content_type="application/json"), 400
    )
    assert arabic["errors"]["survivor"] != english["errors"]["survivor"]
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("identifying_agency", "AG-NOPE"),
        ("governorate_of_exploitation", "EG-XX"),
        ("exploitation_forms", ["no_such_form"]),
    ],
)
def test_opening_a_case_with_an_unknown_code_is_a_400_problem_naming_the_field(
    case_worker: User,
    agency_a: Agency,
    login: Callable[[User], Client],
    field: str,
    value: Any,
) -> None:
    survivor = SurvivorFactory(registered_by_agency=agency_a)
    payload = _open_payload(survivor.code, agency_a, country_of_exploitation="EG")
    payload[field] = value
    response = client_for(login, case_worker).post(
        reverse("cases:api_open"), payload, content_type="application/json"
    )
    assert list(assert_problem(response, 400)["errors"]) == [field]
    assert Case.objects.count() == 0


# --- pages: a decision refused by the rule ----------------------------------------------


def test_a_closed_case_page_offers_no_change(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        phase=Phase.CLOSED,
        closed_on=datetime.date(2026, 6, 1),
        closure_reason="reintegrated",
    )
    body = client_for(login, case_worker).get(reverse("cases:detail", kwargs={"code": case.code}))
    html = body.content.decode()
    assert reverse("cases:edit", kwargs={"code": case.code}) not in html
    assert reverse("cases:risk_new", kwargs={"code": case.code}) not in html
    assert reverse("cases:care_plan_new", kwargs={"code": case.code}) not in html
    assert 'data-testid="move-form"' not in html
    assert 'data-testid="request-closure"' not in html
