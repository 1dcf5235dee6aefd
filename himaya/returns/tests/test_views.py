"""Pages and API of returns: every role against every operation, refusals that change
nothing, the case panel, the queue section and the home count."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case
from himaya.returns import actions
from himaya.returns.models import (
    AssessmentPlace,
    ReflectionPeriod,
    ReturnPlan,
    ReturnRiskAssessment,
    ReturnStatus,
)
from himaya.returns.tests.factories import (
    CaseFactory,
    ReflectionPeriodFactory,
    ReturnPlanFactory,
    ReturnRiskAssessmentFactory,
)
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

D = datetime.date
ROLES = [role.value for role in Role] + ["outsider"]
WORKERS = {Role.CASE_WORKER.value, Role.SUPERVISOR.value}
SUPERVISOR = {Role.SUPERVISOR.value}


@dataclass
class Scene:
    users: dict[str, User]
    case: Case
    fresh: Case
    codes: dict[str, str]


@pytest.fixture
def scene(personas: dict[str, User], agency_a: Agency) -> Scene:
    worker = personas[Role.CASE_WORKER]
    case = CaseFactory(lead_agency=agency_a, case_worker=worker, survivor__nationality="SD")
    ReflectionPeriodFactory(case=case)  # 2026-03-01 to 2026-05-29: over
    plan = ReturnPlanFactory(
        case=case,
        chose_return=True,
        choice_recorded_on=D(2026, 6, 1),
        options_explained="خيارات",
        travel_planned_on=D(2026, 7, 1),
    )
    for place in AssessmentPlace.values:
        ReturnRiskAssessmentFactory(plan=plan, place=place)
    fresh = CaseFactory(lead_agency=agency_a, case_worker=worker, survivor__nationality="ET")
    returned = CaseFactory(lead_agency=agency_a, case_worker=worker, survivor__nationality="ER")
    travelled = ReturnPlanFactory(
        case=returned, status=ReturnStatus.TRAVELLED, departed_on=D(2026, 1, 5)
    )
    actions.record_arrival(plan=travelled, arrived_on=D(2026, 1, 6), expected_version=1, by=worker)
    codes = {"case": case.code, "fresh": fresh.code, "plan": plan.code, "travelled": travelled.code}
    return Scene(personas, case, fresh, codes)


def expect(allowed: set[str], *, outsider: int = 404) -> dict[str, int]:
    return {
        role: 200 if role in allowed else (outsider if role == "outsider" else 403)
        for role in ROLES
    }


CASE_PAGE = expect(WORKERS)
LIST_PAGE = expect(WORKERS | {"outsider"})

# name, URL kwargs builder, expected status per persona
PAGES: list[tuple[str, Callable[[Scene], dict[str, Any]], dict[str, int]]] = [
    ("returns:list", lambda s: {}, LIST_PAGE),
    ("returns:queue_section", lambda s: {}, LIST_PAGE),
    ("returns:case_panel", lambda s: {"code": s.codes["case"]}, CASE_PAGE),
    ("returns:grant_reflection", lambda s: {"code": s.codes["fresh"]}, CASE_PAGE),
    ("returns:extend_reflection", lambda s: {"code": s.codes["case"]}, CASE_PAGE),
    ("returns:plan_new", lambda s: {"code": s.codes["fresh"]}, CASE_PAGE),
    ("returns:plan", lambda s: {"code": s.codes["plan"]}, CASE_PAGE),
    (
        "returns:follow_up",
        lambda s: {"code": s.codes["travelled"], "months": 3},
        CASE_PAGE,
    ),
    ("returns:api_case", lambda s: {"code": s.codes["case"]}, CASE_PAGE),
    ("returns:api_plan", lambda s: {"code": s.codes["plan"]}, CASE_PAGE),
]


@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_every_role_gets_the_expected_status_on_each_page_and_api_read(
    scene: Scene,
    login: Callable[[User], Client],
    name: str,
    kwargs: Callable[[Scene], dict[str, Any]],
    expected: dict[str, int],
) -> None:
    url = reverse(name, kwargs=kwargs(scene) or None)
    seen = {role: login(scene.users[role]).get(url).status_code for role in ROLES}
    assert seen == expected


def state() -> tuple[Any, ...]:
    return (
        list(ReturnPlan.objects.order_by("id").values_list("status", "version", "chose_return")),
        list(ReflectionPeriod.objects.order_by("id").values_list("ends_on", "version")),
        ReturnRiskAssessment.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.exclude(action__startswith="auth.").count(),
    )


# name, URL kwargs, payload, roles allowed, status on success
WRITES: list[tuple[str, Callable[[Scene], dict[str, Any]], dict[str, Any], set[str], int]] = [
    (
        "returns:grant_reflection",
        lambda s: {"code": s.codes["fresh"]},
        {"starts_on": "2026-06-01"},
        WORKERS,
        302,
    ),
    (
        "returns:extend_reflection",
        lambda s: {"code": s.codes["case"]},
        {"days": "10", "reason": "علاج طبي", "version": "1"},
        WORKERS,
        302,
    ),
    (
        "returns:plan_new",
        lambda s: {"code": s.codes["fresh"]},
        {"destination_country": "ET"},
        WORKERS,
        302,
    ),
    (
        "returns:choice",
        lambda s: {"code": s.codes["plan"]},
        {
            "recorded_on": "2026-06-14",
            "options_explained": "العودة أو البقاء",
            "chose_return": "no",
            "version": "1",
        },
        WORKERS,
        302,
    ),
    (
        "returns:risk",
        lambda s: {"code": s.codes["plan"]},
        {"place": "egypt", "level": "high", "assessed_on": "2026-06-14"},
        WORKERS,
        302,
    ),
    ("returns:approve", lambda s: {"code": s.codes["plan"]}, {"version": "1"}, SUPERVISOR, 302),
    (
        "returns:cancel",
        lambda s: {"code": s.codes["plan"]},
        {"reason": "عدلت الناجية عن العودة", "version": "1"},
        WORKERS,
        302,
    ),
    (
        "returns:follow_up",
        lambda s: {"code": s.codes["travelled"], "months": 3},
        {"done_on": "2026-04-07", "method": "phone", "outcome": "well", "version": "1"},
        WORKERS,
        302,
    ),
    (
        "returns:api_grant_reflection",
        lambda s: {"code": s.codes["fresh"]},
        {"starts_on": "2026-06-01"},
        WORKERS,
        201,
    ),
    (
        "returns:api_plan_return",
        lambda s: {"code": s.codes["fresh"]},
        {"destination_governorate": "EG-ASN"},
        WORKERS,
        201,
    ),
    ("returns:api_approve", lambda s: {"code": s.codes["plan"]}, {"version": 1}, SUPERVISOR, 200),
    (
        "returns:api_risk",
        lambda s: {"code": s.codes["plan"]},
        {"place": "destination", "level": "critical", "assessed_on": "2026-06-14"},
        WORKERS,
        201,
    ),
    (
        "returns:api_follow_up",
        lambda s: {"code": s.codes["travelled"], "months": 3},
        {"done_on": "2026-04-07", "method": "phone", "outcome": "at_risk", "version": 1},
        WORKERS,
        200,
    ),
]
WRITE_IDS = [w[0] for w in WRITES]


def _post(client: Client, name: str, url: str, payload: dict[str, Any]) -> Any:
    if ":api_" in name:
        return client.post(url, payload, content_type="application/json")
    return client.post(url, payload)


@pytest.mark.parametrize(("name", "kwargs", "payload", "allowed", "ok"), WRITES, ids=WRITE_IDS)
def test_denied_writes_answer_their_status_and_change_nothing(
    scene: Scene,
    login: Callable[[User], Client],
    name: str,
    kwargs: Callable[[Scene], dict[str, Any]],
    payload: dict[str, Any],
    allowed: set[str],
    ok: int,
) -> None:
    url = reverse(name, kwargs=kwargs(scene))
    before = state()
    for role in ROLES:
        if role in allowed:
            continue
        response = _post(login(scene.users[role]), name, url, payload)
        expected = 404 if role == "outsider" else 403
        assert (role, response.status_code) == (role, expected)
        assert state() == before, role


@pytest.mark.parametrize(("name", "kwargs", "payload", "allowed", "ok"), WRITES, ids=WRITE_IDS)
def test_allowed_writes_succeed(
    scene: Scene,
    login: Callable[[User], Client],
    name: str,
    kwargs: Callable[[Scene], dict[str, Any]],
    payload: dict[str, Any],
    allowed: set[str],
    ok: int,
) -> None:
    role = Role.CASE_WORKER.value if Role.CASE_WORKER.value in allowed else Role.SUPERVISOR.value
    before = state()
    response = _post(login(scene.users[role]), name, reverse(name, kwargs=kwargs(scene)), payload)
    assert response.status_code == ok, response.content[:500]
    assert state() != before


def test_the_api_refuses_an_approval_inside_the_reflection_period_with_a_problem(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    ReflectionPeriod.objects.filter(case=scene.case).update(ends_on=D(2026, 8, 1))
    before = state()
    response = login(scene.users[Role.SUPERVISOR]).post(
        reverse("returns:api_approve", kwargs={"code": scene.codes["plan"]}),
        {"version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()["errors"]) == {"reflection", "travel_planned_on"}
    assert state() == before


def test_the_approval_page_shows_why_it_was_refused(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    ReflectionPeriod.objects.filter(case=scene.case).update(ends_on=D(2026, 8, 1))
    before = state()
    client = login(scene.users[Role.SUPERVISOR])
    client.cookies["himaya_language"] = "en"
    response = client.post(
        reverse("returns:approve", kwargs={"code": scene.codes["plan"]}), {"version": "1"}
    )
    assert response.status_code == 400
    assert "inside the reflection period" in response.content.decode()
    assert state() == before


def test_a_stale_version_through_the_api_answers_409_and_changes_nothing(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    before = state()
    response = login(scene.users[Role.CASE_WORKER]).post(
        reverse("returns:api_cancel", kwargs={"code": scene.codes["plan"]}),
        {"reason": "سبب", "version": 9},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert state() == before


def test_the_case_panel_shows_the_period_and_the_plan(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    body = (
        login(scene.users[Role.CASE_WORKER])
        .get(reverse("returns:case_panel", kwargs={"code": scene.codes["case"]}))
        .content.decode()
    )
    assert 'data-testid="reflection"' in body
    assert scene.codes["plan"] in body
    assert reverse("returns:plan", kwargs={"code": scene.codes["plan"]}) in body


def test_the_case_page_loads_the_returns_panel(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    body = (
        login(scene.users[Role.CASE_WORKER])
        .get(reverse("cases:detail", kwargs={"code": scene.codes["case"]}))
        .content.decode()
    )
    assert reverse("returns:case_panel", kwargs={"code": scene.codes["case"]}) in body


def test_the_queue_section_warns_of_a_period_ending_and_an_overdue_follow_up(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    ReflectionPeriodFactory(case=scene.fresh, starts_on=D(2026, 3, 25), ends_on=D(2026, 6, 22))
    client = login(scene.users[Role.CASE_WORKER])
    body = client.get(reverse("returns:queue_section")).content.decode()
    assert scene.fresh.code in body
    assert scene.codes["travelled"] in body  # the follow-up at 3 months was due on 2026-04-06
    home = client.get(reverse("home")).content.decode()
    assert reverse("returns:list") in home


def test_the_plan_page_works_in_arabic_at_phone_width_without_raw_codes(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    body = (
        login(scene.users[Role.SUPERVISOR])
        .get(reverse("returns:plan", kwargs={"code": scene.codes["plan"]}))
        .content.decode()
    )
    assert 'dir="rtl"' in body
    assert 'name="viewport"' in body
    status = body.split('data-testid="plan-status"')[1].split("</p>")[0]
    assert "planned" not in status
    assert reverse("cases:detail", kwargs={"code": scene.codes["case"]}) in body


def test_the_pages_take_a_plan_from_approval_to_completion(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    code = scene.codes["plan"]
    boss = login(scene.users[Role.SUPERVISOR])
    page = boss.get(reverse("returns:plan", kwargs={"code": code})).content.decode()
    assert reverse("returns:approve", kwargs={"code": code}) in page
    assert (
        boss.post(reverse("returns:approve", kwargs={"code": code}), {"version": "1"}).status_code
        == 302
    )
    page = boss.get(reverse("returns:plan", kwargs={"code": code})).content.decode()
    assert 'name="depart-day"' in page
    steps = [
        ("returns:depart", {"depart-day": "2026-06-15", "depart-version": "2"}),
        ("returns:arrive", {"arrive-day": "2026-06-15", "arrive-version": "3"}),
        ("returns:complete", {"version": "4"}),
    ]
    for name, data in steps:
        response = boss.post(reverse(name, kwargs={"code": code}), data)
        assert (name, response.status_code) == (name, 302)
    plan = ReturnPlan.objects.get(code=code)
    assert (plan.status, plan.follow_ups.count()) == (ReturnStatus.COMPLETED, 3)
    page = boss.get(reverse("returns:plan", kwargs={"code": code})).content.decode()
    assert reverse("returns:follow_up", kwargs={"code": code, "months": 6}) in page
