"""Pages and API of cases: access matrix, forms, conflicts and query counts."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.audit.tests.queries import AUDIT_ROW_QUERIES
from himaya.cases.models import (
    CarePlan,
    CarePlanStatus,
    Case,
    ClosureReason,
    ExploitationForm,
    Phase,
)
from himaya.cases.tests.factories import (
    CarePlanFactory,
    CarePlanGoalFactory,
    CaseFactory,
    ClosureRequestFactory,
    RiskAssessmentFactory,
)
from himaya.survivors.tests.factories import SurvivorFactory

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role] + ["outsider"]
WORKERS = {Role.CASE_WORKER.value, Role.SUPERVISOR.value}


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@dataclass
class Scene:
    users: dict[str, User]
    case: Case
    codes: dict[str, str]
    agency_a: Agency


@pytest.fixture
def scene(personas: dict[str, User], agency_a: Agency) -> Scene:
    worker = personas[Role.CASE_WORKER]
    case = CaseFactory(lead_agency=agency_a, case_worker=worker)
    risk = RiskAssessmentFactory(case=case)
    plan = CarePlanFactory(case=case, author=worker, status=CarePlanStatus.SUBMITTED)
    goal = CarePlanGoalFactory(care_plan=plan)
    closure = ClosureRequestFactory(case=case, requested_by=worker)
    codes = {
        "case": case.code,
        "risk": risk.code,
        "plan": plan.code,
        "goal": goal.code,
        "closure": closure.code,
    }
    return Scene(personas, case, codes, agency_a)


def expect(allowed: set[str], *, outsider: int = 404, others: int = 403) -> dict[str, int]:
    result = {}
    for role in ROLES:
        if role in allowed:
            result[role] = 200
        elif role == "outsider":
            result[role] = outsider
        else:
            result[role] = others
    return result


CASE_PAGE = expect(WORKERS)
LIST_PAGE = expect(WORKERS | {"outsider"})
SUPERVISOR_PAGE = expect({Role.SUPERVISOR.value}, outsider=403)

# name, URL kwargs key (a key of Scene.codes or None), expected status per persona
PAGES: list[tuple[str, str | None, dict[str, int]]] = [
    ("cases:list", None, LIST_PAGE),
    ("cases:queue", None, LIST_PAGE),
    ("cases:open", None, LIST_PAGE),
    ("cases:approvals", None, SUPERVISOR_PAGE),
    ("cases:detail", "case", CASE_PAGE),
    ("cases:edit", "case", CASE_PAGE),
    ("cases:request_closure", "case", CASE_PAGE),
    ("cases:reassign", "case", SUPERVISOR_PAGE),
    ("cases:risk_new", "case", CASE_PAGE),
    ("cases:risk_edit", "risk", CASE_PAGE),
    ("cases:care_plan", "plan", CASE_PAGE),
    ("cases:goal_edit", "goal", CASE_PAGE),
    ("cases:decide_closure", "closure", SUPERVISOR_PAGE),
    ("cases:api_list", None, LIST_PAGE),
    ("cases:api_detail", "case", CASE_PAGE),
    ("cases:api_risk_list", "case", CASE_PAGE),
    ("cases:api_care_plan_list", "case", CASE_PAGE),
]


def url_for(name: str, key: str | None, scene: Scene) -> str:
    return reverse(name, kwargs={"code": scene.codes[key]} if key else None)


@pytest.mark.parametrize(("name", "key", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_every_role_gets_the_expected_status_on_each_page_and_api_read(
    scene: Scene,
    login: Callable[[User], Client],
    name: str,
    key: str | None,
    expected: dict[str, int],
) -> None:
    url = url_for(name, key, scene)
    seen = {}
    for role in ROLES:
        client = login(scene.users[role])
        seen[role] = client.get(url).status_code
    assert seen == expected


def state(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.phase,
        case.version,
        case.case_worker_id,
        case.events.count(),
        case.risk_assessments.count(),
        case.care_plans.count(),
        case.closure_requests.count(),
        list(case.closure_requests.values_list("status", "version")),
        list(case.care_plans.values_list("status", "version")),
    )


# name, key, payload builder, roles allowed, outsider status, success status
WRITES: list[tuple[str, str, Callable[[Scene], dict[str, Any]], set[str], int, int]] = [
    ("cases:move", "case", lambda s: {"to_phase": "protection", "version": 1}, WORKERS, 404, 302),
    (
        "cases:request_closure",
        "case",
        lambda s: {"reason": "lost_contact"},
        set(),  # the scene's case already has a pending closure: the page shows the error
        404,
        400,
    ),
    (
        "cases:risk_new",
        "case",
        lambda s: {"level": "low", "assessed_on": "2026-06-14"},
        WORKERS,
        404,
        302,
    ),
    (
        "cases:edit",
        "case",
        lambda s: {
            "first_contact_on": "2026-03-01",
            "identified_by": "police",
            "recruitment_channel": "in_person",
            "country_of_exploitation": "EG",
            "version": 1,
        },
        WORKERS,
        404,
        302,
    ),
    (
        "cases:care_plan_decide",
        "plan",
        lambda s: {"decision": "approve", "version": 1},
        {Role.SUPERVISOR.value},
        403,
        302,
    ),
    (
        "cases:decide_closure",
        "closure",
        lambda s: {"decision": "approve", "version": 1},
        {Role.SUPERVISOR.value},
        403,
        302,
    ),
    (
        "cases:api_transition",
        "case",
        lambda s: {"to_phase": "protection", "version": 1},
        WORKERS,
        404,
        200,
    ),
    (
        "cases:api_risk_create",
        "case",
        lambda s: {"level": "high", "assessed_on": "2026-06-14"},
        WORKERS,
        404,
        201,
    ),
    (
        "cases:api_care_plan_decision",
        "plan",
        lambda s: {"approve": True, "version": 1},
        {Role.SUPERVISOR.value},
        403,
        200,
    ),
    # The scene's case already has a care plan in preparation and a pending closure: the
    # workers pass the door and the rule refuses, the others stop at the door.
    ("cases:care_plan_new", "case", lambda s: {}, set(), 404, 302),
    ("cases:care_plan_submit", "plan", lambda s: {"version": 1}, set(), 404, 302),
    ("cases:api_closure", "case", lambda s: {"reason": "lost_contact"}, set(), 404, 400),
    ("cases:api_care_plan_create", "case", lambda s: {"summary": "x"}, set(), 404, 400),
    (
        "cases:reassign",
        "case",
        lambda s: {"case_worker": s.users[Role.CASE_WORKER].pk, "version": 1},
        {Role.SUPERVISOR.value},
        403,
        302,
    ),
    (
        "cases:risk_edit",
        "risk",
        lambda s: {"level": "critical", "assessed_on": "2026-03-03", "version": 1},
        WORKERS,
        404,
        302,
    ),
    (
        "cases:goal_edit",
        "goal",
        lambda s: {"description": "الحصول على رعاية طبية", "is_achieved": "on", "version": 1},
        WORKERS,
        404,
        302,
    ),
    # The scene's plan is submitted: no goal can be added any more.
    ("cases:care_plan", "plan", lambda s: {"form": "goal", "description": "هدف"}, set(), 404, 400),
    ("cases:api_care_plan_submit", "plan", lambda s: {"version": 1}, set(), 404, 400),
]


@pytest.mark.parametrize(
    ("name", "key", "payload", "allowed", "outsider_status", "ok_status"),
    WRITES,
    ids=[w[0] for w in WRITES],
)
def test_denied_writes_answer_their_status_and_change_nothing(
    scene: Scene,
    login: Callable[[User], Client],
    name: str,
    key: str,
    payload: Callable[[Scene], dict[str, Any]],
    allowed: set[str],
    outsider_status: int,
    ok_status: int,
) -> None:
    url = url_for(name, key, scene)
    before = state(scene.case)
    for role in ROLES:
        if role in allowed:
            continue
        client = login(scene.users[role])
        if "api" in name:
            response = client.post(url, payload(scene), content_type="application/json")
        else:
            response = client.post(url, payload(scene))
        expected = outsider_status if role == "outsider" else 403
        if role in WORKERS and allowed != {Role.SUPERVISOR.value}:
            expected = ok_status  # through the door, refused by the rule (the page says why)
        assert (role, response.status_code) == (role, expected)
        assert state(scene.case) == before, role


@pytest.mark.parametrize(
    ("name", "key", "payload", "allowed", "outsider_status", "ok_status"),
    [w for w in WRITES if w[3]],
    ids=[w[0] for w in WRITES if w[3]],
)
def test_allowed_writes_succeed(
    scene: Scene,
    login: Callable[[User], Client],
    name: str,
    key: str,
    payload: Callable[[Scene], dict[str, Any]],
    allowed: set[str],
    outsider_status: int,
    ok_status: int,
) -> None:
    role = Role.SUPERVISOR.value if Role.SUPERVISOR.value in allowed else Role.CASE_WORKER.value
    before = state(scene.case)
    client = login(scene.users[role])
    if "api" in name:
        response = client.post(
            url_for(name, key, scene), payload(scene), content_type="application/json"
        )
    else:
        response = client.post(url_for(name, key, scene), payload(scene))
    assert response.status_code == ok_status
    assert state(scene.case) != before


def test_author_supervisor_is_refused_the_care_plan_decision_page_action(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    boss = scene.users[Role.SUPERVISOR]
    plan = CarePlanFactory(
        case=CaseFactory(lead_agency=scene.agency_a, case_worker=boss),
        author=boss,
        status=CarePlanStatus.SUBMITTED,
    )
    response = login(boss).post(
        reverse("cases:care_plan_decide", kwargs={"code": plan.code}),
        {"decision": "approve", "version": 1},
    )
    assert response.status_code == 403
    plan.refresh_from_db()
    assert (plan.status, plan.version, plan.decided_by) == (CarePlanStatus.SUBMITTED, 1, None)
    api = login(boss).post(
        reverse("cases:api_care_plan_decision", kwargs={"code": plan.code}),
        {"approve": True, "version": 1},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert CarePlan.objects.get(pk=plan.pk).status == CarePlanStatus.SUBMITTED


# --- opening a case through the page ----------------------------------------------------


def test_open_case_page_prefills_survivor_and_screening(
    case_worker: User, login: Callable[[User], Client]
) -> None:
    response = login(case_worker).get(reverse("cases:open") + "?survivor=SV-AAAA&screening=SC-BBB")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="SV-AAAA"' in body
    assert 'value="SC-BBB"' in body


def test_open_case_page_creates_the_case_and_redirects_to_it(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    survivor = SurvivorFactory(registered_by_agency=agency_a)
    form = ExploitationForm.objects.get(code="forced_begging")
    response = login(case_worker).post(
        reverse("cases:open"),
        {
            "survivor": survivor.code,
            "lead_agency": agency_a.pk,
            "screening_code": "SC-1234",
            "first_contact_on": "2026-06-01",
            "identified_on": "2026-06-02",
            "identified_by": "border",
            "exploitation_forms": [form.pk],
            "recruitment_channel": "online_ad",
            "country_of_exploitation": "eg",
        },
    )
    case = Case.objects.get(survivor=survivor)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", kwargs={"code": case.code})
    assert (case.screening_code, case.identified_by, case.country_of_exploitation) == (
        "SC-1234",
        "border",
        "EG",
    )
    assert list(case.exploitation_forms.values_list("code", flat=True)) == ["forced_begging"]


def test_open_case_form_keeps_what_was_typed_and_shows_errors_beside_fields(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    response = login(case_worker).post(
        reverse("cases:open"),
        {
            "survivor": "SV-NOPE-NOPE-X",
            "lead_agency": agency_a.pk,
            "first_contact_on": "2026-06-05",
            "identified_on": "2026-06-01",
            "identified_by": "hotline",
            "recruitment_channel": "social_media",
            "country_of_exploitation": "LY",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="SV-NOPE-NOPE-X"' in body
    assert 'data-error-for="survivor"' in body
    assert 'value="2026-06-05"' in body
    assert 'data-error-for="identified_on"' in body
    assert 'data-error-for="is_transnational"' in body
    assert Case.objects.count() == 0


def test_case_page_shows_the_transition_table_panels_and_timeline(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    response = login(scene.users[Role.CASE_WORKER]).get(
        reverse("cases:detail", kwargs={"code": scene.case.code})
    )
    body = response.content.decode()
    assert 'data-testid="transition-table"' in body
    assert 'data-testid="move-protection"' in body
    assert 'data-testid="move-assistance"' in body
    assert 'data-testid="move-closed"' not in body
    assert 'data-testid="timeline"' in body
    services_panel = reverse("services:case_panel", kwargs={"code": scene.case.code})
    assert f'hx-get="{services_panel}"' in body
    assert 'hx-trigger="load"' in body


# --- conflicts --------------------------------------------------------------------------


def test_a_stale_edit_is_shown_with_what_was_typed_and_the_saved_values(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    case = scene.case
    Case.objects.filter(pk=case.pk).update(screening_code="SC-SAVED", version=2)
    response = login(scene.users[Role.CASE_WORKER]).post(
        reverse("cases:edit", kwargs={"code": case.code}),
        {
            "first_contact_on": "2026-03-01",
            "identified_by": "police",
            "recruitment_channel": "in_person",
            "country_of_exploitation": "EG",
            "screening_code": "SC-MINE",
            "version": 1,
        },
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="conflict"' in body
    assert 'value="SC-MINE"' in body
    assert "SC-SAVED" in body
    assert 'name="version" value="2"' in body
    case.refresh_from_db()
    assert (case.screening_code, case.version) == ("SC-SAVED", 2)


def test_a_stale_phase_move_through_the_api_answers_409_and_changes_nothing(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    Case.objects.filter(pk=scene.case.pk).update(version=3)
    response = login(scene.users[Role.CASE_WORKER]).post(
        reverse("cases:api_transition", kwargs={"code": scene.case.code}),
        {"to_phase": "protection", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 409
    scene.case.refresh_from_db()
    assert (scene.case.phase, scene.case.version) == (Phase.IDENTIFICATION, 3)


def test_the_api_refuses_an_illegal_transition_with_400(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    response = login(scene.users[Role.CASE_WORKER]).post(
        reverse("cases:api_transition", kwargs={"code": scene.case.code}),
        {"to_phase": "follow_up", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400
    scene.case.refresh_from_db()
    assert scene.case.phase == Phase.IDENTIFICATION


def test_the_api_opens_a_case(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    survivor = SurvivorFactory(registered_by_agency=agency_a)
    response = login(case_worker).post(
        reverse("cases:api_open"),
        {
            "survivor": survivor.code,
            "lead_agency": agency_a.code,
            "first_contact_on": "2026-06-01",
            "identified_by": "online",
            "recruitment_channel": "recruitment_website",
            "exploitation_forms": ["forced_criminality"],
            "governorate_of_exploitation": "EG-C",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["exploitation_forms"] == ["forced_criminality"]
    assert response.json()["governorate_of_exploitation"] == "EG-C"


def test_the_api_closure_needs_a_reason(scene: Scene, login: Callable[[User], Client]) -> None:
    case = CaseFactory(lead_agency=scene.agency_a, case_worker=scene.users[Role.CASE_WORKER])
    client = login(scene.users[Role.CASE_WORKER])
    url = reverse("cases:api_closure", kwargs={"code": case.code})
    assert client.post(url, {}, content_type="application/json").status_code == 400
    assert case.closure_requests.count() == 0
    response = client.post(
        url, {"reason": ClosureReason.REPATRIATED}, content_type="application/json"
    )
    assert response.status_code == 201
    assert case.closure_requests.get().reason == ClosureReason.REPATRIATED


# --- query counts -----------------------------------------------------------------------


def many_cases(agency: Agency, worker: User, count: int) -> None:
    forms = list(ExploitationForm.objects.all()[:2])
    for _ in range(count):
        case = CaseFactory(lead_agency=agency, case_worker=worker)
        case.exploitation_forms.set(forms)


@pytest.mark.parametrize("count", [2, 6])
@pytest.mark.parametrize(
    ("name", "queries"),
    [("cases:list", 7), ("cases:queue", 9 + AUDIT_ROW_QUERIES), ("cases:api_list", 6)],
)
def test_list_pages_use_a_fixed_number_of_queries(
    case_worker: User,
    agency_a: Agency,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
    name: str,
    queries: int,
    count: int,
) -> None:
    many_cases(agency_a, case_worker, count)
    client = login(case_worker)
    client.get(reverse(name))  # warm the session
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(("name", "queries"), [("cases:list", 7), ("cases:api_list", 6)])
def test_the_page_and_the_api_filter_with_one_filterset_in_the_same_number_of_queries(
    case_worker: User,
    agency_a: Agency,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
    name: str,
    queries: int,
) -> None:
    many_cases(agency_a, case_worker, 3)
    CaseFactory(lead_agency=agency_a, case_worker=case_worker, phase=Phase.PROTECTION)
    form = ExploitationForm.objects.all()[0]
    query = f"?q=CS-&phase=identification&agency={agency_a.code}&form={form.code}"
    client = login(case_worker)
    client.get(reverse(name))
    with django_assert_num_queries(queries):
        response = client.get(reverse(name) + query)
    assert response.status_code == 200
    if name == "cases:api_list":
        assert len(response.json()["results"]) == 3
    else:
        assert response.content.decode().count('<a class="code text-nowrap" href="/cases/CS-') == 3


def test_the_api_list_refuses_an_unknown_phase_with_a_problem(
    case_worker: User, login: Callable[[User], Client]
) -> None:
    response = login(case_worker).get(reverse("cases:api_list") + "?phase=nowhere")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == ["phase"]


@pytest.mark.parametrize("count", [1, 4])
def test_approvals_page_uses_a_fixed_number_of_queries(
    supervisor: User,
    case_worker: User,
    agency_a: Agency,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
    count: int,
) -> None:
    for _ in range(count):
        case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
        CarePlanFactory(case=case, author=case_worker, status=CarePlanStatus.SUBMITTED)
        ClosureRequestFactory(case=case, requested_by=case_worker)
    client = login(supervisor)
    client.get(reverse("cases:approvals"))
    with django_assert_num_queries(6):
        response = client.get(reverse("cases:approvals"))
    assert response.content.decode().count('href="/cases/care-plans/') == count


def test_case_list_filters_by_phase_governorate_form_and_code(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    from himaya.agencies.tests.factories import governorate

    match = CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        phase=Phase.PROTECTION,
        governorate_of_exploitation=governorate("EG-ALX"),
    )
    match.exploitation_forms.set([ExploitationForm.objects.get(code="organ_removal")])
    other = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    client = login(case_worker)
    for query in (
        "?phase=protection",
        "?governorate=EG-ALX",
        "?form=organ_removal",
        f"?q={match.code[-6:]}",
        f"?agency={agency_a.code}&phase=protection",
    ):
        body = client.get(reverse("cases:list") + query).content.decode()
        assert match.code in body, query
        assert other.code not in body, query


def test_opening_a_case_through_the_api_is_refused_outside_the_survivors_scope(
    personas: dict[str, User], agency_a: Agency, login: Callable[[User], Client]
) -> None:
    survivor = SurvivorFactory(registered_by_agency=agency_a)
    payload = {
        "survivor": survivor.code,
        "lead_agency": agency_a.code,
        "first_contact_on": "2026-06-01",
        "identified_by": "police",
    }
    for role in ROLES:
        if role in WORKERS:
            continue
        response = login(personas[role]).post(
            reverse("cases:api_open"), payload, content_type="application/json"
        )
        assert (role, response.status_code) == (role, 400 if role == "outsider" else 403)
        assert Case.objects.count() == 0


def test_care_plan_goes_from_draft_to_approval_through_the_pages(
    case_worker: User, supervisor: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    client = login(case_worker)
    response = client.post(reverse("cases:care_plan_new", kwargs={"code": case.code}))
    plan = CarePlan.objects.get(case=case)
    assert response["Location"] == reverse("cases:care_plan", kwargs={"code": plan.code})
    url = reverse("cases:care_plan", kwargs={"code": plan.code})
    empty_goal = client.post(url, {"form": "goal", "description": ""})
    assert 'data-error-for="description"' in empty_goal.content.decode()
    client.post(url, {"form": "goal", "description": "علاج نفسي", "target_on": "2026-09-01"})
    client.post(url, {"summary": "خطة أولى", "version": 1})
    plan.refresh_from_db()
    client.post(
        reverse("cases:care_plan_submit", kwargs={"code": plan.code}), {"version": plan.version}
    )
    plan.refresh_from_db()
    assert (plan.status, plan.summary, plan.goals.count()) == (
        CarePlanStatus.SUBMITTED,
        "خطة أولى",
        1,
    )
    page = login(supervisor).get(url).content.decode()
    assert 'data-testid="care-plan-decision"' in page
    login(supervisor).post(
        reverse("cases:care_plan_decide", kwargs={"code": plan.code}),
        {"decision": "approve", "version": plan.version},
    )
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == (CarePlanStatus.APPROVED, supervisor)


@pytest.mark.parametrize("count", [1, 4])
@pytest.mark.parametrize(
    ("name", "queries"), [("cases:api_risk_list", 7), ("cases:api_care_plan_list", 8)]
)
def test_case_api_lists_use_a_fixed_number_of_queries(
    case_worker: User,
    agency_a: Agency,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
    name: str,
    queries: int,
    count: int,
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    for _ in range(count):
        RiskAssessmentFactory(case=case)
        CarePlanGoalFactory(care_plan=CarePlanFactory(case=case, author=case_worker))
    client = login(case_worker)
    url = reverse(name, kwargs={"code": case.code})
    client.get(url)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.json()["count"] == count


def test_case_page_uses_a_fixed_number_of_queries(
    case_worker: User,
    agency_a: Agency,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    client = login(case_worker)
    url = reverse("cases:detail", kwargs={"code": case.code})
    counts = []
    for _ in range(2):
        RiskAssessmentFactory(case=case)
        CarePlanGoalFactory(care_plan=CarePlanFactory(case=case, author=case_worker))
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_api_drafts_a_care_plan_with_goals_and_its_author_submits_it(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    client = login(case_worker)
    response = client.post(
        reverse("cases:api_care_plan_create", kwargs={"code": case.code}),
        {"summary": "خطة", "goals": [{"description": "سكن آمن"}, {"description": "علاج"}]},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert [g["description"] for g in response.json()["goals"]] == ["سكن آمن", "علاج"]
    plan = CarePlan.objects.get(case=case)
    submitted = client.post(
        reverse("cases:api_care_plan_submit", kwargs={"code": plan.code}),
        {"version": plan.version},
        content_type="application/json",
    )
    assert submitted.status_code == 200
    assert submitted.json()["status"] == CarePlanStatus.SUBMITTED


def test_the_work_queue_shows_my_cases_and_the_sections_other_apps_register(
    case_worker: User,
    supervisor: User,
    agency_a: Agency,
    login: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from himaya.cases import panels
    from himaya.services.tests.factories import ServiceDeliveryFactory

    section = panels.QueueSection(
        key="test_section", label="Test", url_name="cases:list", permission="cases.work_cases"
    )
    monkeypatch.setitem(panels._queue_sections, section.key, section)
    queue_sections_for = panels.queue_sections_for
    mine = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    theirs = CaseFactory(lead_agency=agency_a, case_worker=supervisor)
    closed = CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        phase=Phase.CLOSED,
        closed_on=datetime.date(2026, 6, 1),
        closure_reason=ClosureReason.REINTEGRATED,
    )
    service = ServiceDeliveryFactory(case=mine, planned_on=datetime.date(2026, 6, 18))
    client = login(case_worker)
    body = client.get(reverse("cases:queue")).content.decode()
    assert mine.code in body
    assert theirs.code not in body
    assert closed.code not in body
    assert f'href="/cases/{mine.code}/"' in body
    keys = [section.key for section in queue_sections_for(case_worker)]
    assert {"services_week", "test_section"} <= set(keys)
    for key in keys:
        assert f'data-queue-section="{key}"' in body
    week_url = reverse("services:queue_week")
    assert f'hx-get="{week_url}"' in body
    week = client.get(week_url).content.decode()
    assert service.service_type.name_ar in week
    assert f'href="/cases/{mine.code}/"' in week
