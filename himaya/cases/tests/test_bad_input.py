"""Implausible dates, over-long text and out-of-range numbers are refused with a message,
through the pages and the API alike, and change nothing."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.cases import actions
from himaya.cases.exceptions import CaseError
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
from himaya.cases.tests.factories import CarePlanFactory, CaseFactory
from himaya.core.bounds import MAX_INTEGER, latest_plan_date
from himaya.survivors.tests.factories import SurvivorFactory
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
LATEST = latest_plan_date(TODAY).isoformat()
LONG = "ن" * 5001


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@dataclass
class Scene:
    case: Case
    plan: CarePlan
    worker: User
    client: Client


@pytest.fixture
def scene(case_worker: User, agency_a: Agency, login: Callable[[User], Client]) -> Scene:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    plan = CarePlanFactory(case=case, author=case_worker, status=CarePlanStatus.DRAFT)
    client = login(case_worker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return Scene(case, plan, case_worker, client)


def snapshot(scene: Scene) -> dict[str, Any]:
    """Everything a refused write could have changed."""
    scene.case.refresh_from_db()
    scene.plan.refresh_from_db()
    return {
        "case": (scene.case.phase, scene.case.version, scene.case.first_contact_on),
        "plan": (scene.plan.summary, scene.plan.status, scene.plan.version),
        "cases": Case.objects.count(),
        "risks": RiskAssessment.objects.count(),
        "plans": CarePlan.objects.count(),
        "goals": CarePlanGoal.objects.count(),
        "closures": ClosureRequest.objects.count(),
        "phase_changes": PhaseChange.objects.count(),
        "timeline": CaseEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _message(response: Any) -> str:
    body = response.json()
    if "errors" in body:  # a problem detail (RFC 9457)
        return str(body["detail"])
    if "detail" in body:
        return str(body["detail"])
    ((_field, messages),) = body.items()
    return str(messages[0])


RECORD_DATE = "must lie between 2000-01-01 and today."

# name, URL kwargs ("case", "plan" or None), payload, the expected message
API_REFUSALS: list[tuple[str, str | None, dict[str, Any], str]] = [
    (
        "cases:api_transition",
        "case",
        {"to_phase": "protection", "on": "0001-01-01", "version": 1},
        f"The date of the phase change {RECORD_DATE}",
    ),
    (
        "cases:api_transition",
        "case",
        {"to_phase": "protection", "on": "9999-12-31", "version": 1},
        f"The date of the phase change {RECORD_DATE}",
    ),
    (
        "cases:api_transition",
        "case",
        {"to_phase": "protection", "version": MAX_INTEGER + 1},
        f"Ensure this value is less than or equal to {MAX_INTEGER}.",
    ),
    (
        "cases:api_risk_create",
        "case",
        {"level": "high", "assessed_on": "0001-01-01"},
        f"The assessment date {RECORD_DATE}",
    ),
    (
        "cases:api_risk_create",
        "case",
        {"level": "high", "assessed_on": "1999-12-31"},
        f"The assessment date {RECORD_DATE}",
    ),
    (
        "cases:api_risk_create",
        "case",
        {"level": "high", "assessed_on": "2026-06-01", "note": LONG},
        "Ensure this field has no more than 2000 characters.",
    ),
    (
        "cases:api_closure",
        "case",
        {"reason": "lost_contact", "note": LONG},
        "Ensure this field has no more than 500 characters.",
    ),
    (
        "cases:api_care_plan_submit",
        "plan",
        {"version": 10**30},
        f"Ensure this value is less than or equal to {MAX_INTEGER}.",
    ),
    (
        "cases:api_open",
        None,
        {
            "survivor": "to be set",
            "lead_agency": "to be set",
            "first_contact_on": "0001-01-01",
            "identified_by": "online",
        },
        f"The date of first contact {RECORD_DATE}",
    ),
]


@pytest.mark.parametrize(
    ("name", "target", "payload", "message"),
    API_REFUSALS,
    ids=[f"{name}-{i}" for i, (name, *_rest) in enumerate(API_REFUSALS)],
)
def test_the_api_refuses_implausible_input_with_400_and_changes_nothing(
    scene: Scene, name: str, target: str | None, payload: dict[str, Any], message: str
) -> None:
    # A plan with an implausible target date needs a case without a plan in preparation.
    kwargs = {"code": getattr(scene, target).code} if target else {}
    if name == "cases:api_open":
        survivor = SurvivorFactory(registered_by_agency=scene.case.lead_agency)
        payload = {**payload, "survivor": survivor.code, "lead_agency": scene.case.lead_agency.code}
    before = snapshot(scene)
    response = scene.client.post(
        reverse(name, kwargs=kwargs), payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert _message(response) == message
    assert snapshot(scene) == before


def test_a_care_plan_with_an_implausible_goal_date_is_refused_whole_through_the_api(
    scene: Scene,
) -> None:
    other = CaseFactory(lead_agency=scene.case.lead_agency, case_worker=scene.worker)
    before = snapshot(scene)
    response = scene.client.post(
        reverse("cases:api_care_plan_create", kwargs={"code": other.code}),
        {"summary": "خطة", "goals": [{"description": "سكن آمن", "target_on": "9999-12-31"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert _message(response) == f"The target date must lie between 2000-01-01 and {LATEST}."
    assert snapshot(scene) == before


def _shown(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_move_page_refuses_a_phase_change_dated_0001_and_changes_nothing(
    scene: Scene,
) -> None:
    before = snapshot(scene)
    response = scene.client.post(
        reverse("cases:move", kwargs={"code": scene.case.code}),
        {"to_phase": "protection", "on": "0001-01-01", "version": 1},
    )
    assert response.status_code == 302
    assert _shown(response) == [f"The date of the phase change {RECORD_DATE}"]
    assert snapshot(scene) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"level": "high", "assessed_on": "0001-01-01"}, f"The assessment date {RECORD_DATE}"),
        (
            {"level": "high", "assessed_on": "9999-12-31"},
            "An assessment cannot be dated in the future.",
        ),
    ],
)
def test_the_risk_page_refuses_an_implausible_date_and_changes_nothing(
    scene: Scene, data: dict[str, str], message: str
) -> None:
    before = snapshot(scene)
    response = scene.client.post(reverse("cases:risk_new", kwargs={"code": scene.case.code}), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(scene) == before


def test_the_care_plan_page_refuses_a_goal_due_in_the_year_9999_and_changes_nothing(
    scene: Scene,
) -> None:
    before = snapshot(scene)
    response = scene.client.post(
        reverse("cases:care_plan", kwargs={"code": scene.plan.code}),
        {"form": "goal", "description": "سكن آمن", "target_on": "9999-12-31"},
    )
    assert response.status_code == 400
    assert f"The target date must lie between 2000-01-01 and {LATEST}." in response.content.decode()
    assert snapshot(scene) == before


def test_the_open_case_page_refuses_a_first_contact_before_2000_and_changes_nothing(
    scene: Scene,
) -> None:
    survivor = SurvivorFactory(registered_by_agency=scene.case.lead_agency)
    before = snapshot(scene)
    response = scene.client.post(
        reverse("cases:open"),
        {
            "survivor": survivor.code,
            "lead_agency": scene.case.lead_agency.pk,
            "first_contact_on": "1999-12-31",
            "identified_by": "online",
            "recruitment_channel": "unknown",
            "country_of_exploitation": "EG",
        },
    )
    assert response.status_code == 400
    assert f"The date of first contact {RECORD_DATE}" in response.content.decode()
    assert snapshot(scene) == before


@pytest.mark.parametrize("version", ["abc", "-1", str(10**30)])
def test_submitting_a_care_plan_with_a_malformed_version_is_refused_and_changes_nothing(
    scene: Scene, version: str
) -> None:
    before = snapshot(scene)
    response = scene.client.post(
        reverse("cases:care_plan_submit", kwargs={"code": scene.plan.code}), {"version": version}
    )
    assert response.status_code == 400
    assert "The form was incomplete: reload the page." in response.content.decode()
    assert snapshot(scene) == before


# --- the actions themselves, as every door reaches them --------------------------------


def test_the_actions_refuse_implausible_dates_and_long_text(scene: Scene) -> None:
    case, worker = scene.case, scene.worker
    refusals: list[Callable[[], Any]] = [
        lambda: actions.move_case(
            case=case,
            to_phase=Phase.PROTECTION,
            by=worker,
            expected_version=1,
            on=datetime.date(1, 1, 1),
        ),
        lambda: actions.assess_risk(
            case=case, by=worker, level="high", factors=[], assessed_on=datetime.date(1999, 1, 1)
        ),
        lambda: actions.assess_risk(
            case=case, by=worker, level="high", factors=[], assessed_on=TODAY, note=LONG
        ),
        lambda: actions.request_closure(case=case, by=worker, reason="lost_contact", note=LONG),
        lambda: actions.update_care_plan(
            plan=scene.plan, by=worker, expected_version=1, summary=LONG
        ),
        lambda: actions.add_care_plan_goal(
            plan=scene.plan, by=worker, description="هدف", target_on=datetime.date(9999, 12, 31)
        ),
        lambda: actions.add_care_plan_goal(plan=scene.plan, by=worker, description=LONG),
        lambda: actions.update_case(
            case=case,
            by=worker,
            expected_version=1,
            changes={"identified_on": datetime.date(9999, 12, 31)},
        ),
        lambda: actions.update_case(
            case=case, by=worker, expected_version=1, changes={"country_of_exploitation": "EGY"}
        ),
        lambda: actions.update_case(
            case=case, by=worker, expected_version=1, changes={"screening_code": "S" * 21}
        ),
    ]
    for refuse in refusals:
        before = snapshot(scene)
        with pytest.raises(CaseError):
            refuse()
        assert snapshot(scene) == before
