"""Implausible dates, over-long text and out-of-range numbers are refused with a message,
through the pages and the API alike, and change nothing."""

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
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.core.bounds import MAX_INTEGER, latest_plan_date
from himaya.empowerment import actions
from himaya.empowerment.exceptions import EmpowermentError
from himaya.empowerment.models import Enrolment, Project, Visit
from himaya.empowerment.tests.conftest import World
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
    world: World
    officer: User
    client: Client

    @property
    def visit(self) -> Visit:
        return self.world.project.visits.get(number=1)


@pytest.fixture
def scene(world: World, personas: dict[str, User], login: Callable[[User], Client]) -> Scene:
    officer = personas[Role.EMPOWERMENT_OFFICER]
    client = login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return Scene(world, officer, client)


def snapshot(scene: Scene) -> dict[str, Any]:
    return {
        "enrolments": sorted(
            Enrolment.objects.values_list("pk", "status", "version", "decline_reason", "note")
        ),
        "projects": sorted(Project.objects.values_list("pk", "status", "started_on", "version")),
        "visits": sorted(
            Visit.objects.values_list("pk", "due_on", "done_on", "problems", "version")
        ),
        "timeline": CaseEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _message(response: Any) -> str:
    body = response.json()
    if "detail" in body:
        return str(body["detail"])
    ((_field, messages),) = body.items()
    return str(messages[0])


def _record(**changes: Any) -> dict[str, Any]:
    return {"done_on": "2026-06-01", "project_status": "active", "version": 1, **changes}


def _url(name: str, scene: Scene, target: str) -> str:
    world = scene.world
    kwargs = {
        "referred": {"code": world.referred.code},
        "enrolled": {"code": world.enrolled.code},
        "visit": {"code": world.project.code, "number": 1},
        "none": {},
    }[target]
    return reverse(name, kwargs=kwargs)


# name, URL target, payload, the expected message
API_REFUSALS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "empowerment:api_record_visit",
        "visit",
        _record(done_on="0001-01-01"),
        "A visit cannot come before the project started.",
    ),
    (
        "empowerment:api_record_visit",
        "visit",
        _record(problems=LONG),
        "Ensure this field has no more than 5000 characters.",
    ),
    (
        "empowerment:api_record_visit",
        "visit",
        _record(version=MAX_INTEGER + 1),
        f"Ensure this value is less than or equal to {MAX_INTEGER}.",
    ),
    (
        "empowerment:api_reschedule_visit",
        "visit",
        {"due_on": "9999-12-31", "version": 1},
        f"The new due date must lie between 2000-01-01 and {LATEST}.",
    ),
    (
        "empowerment:api_start_project",
        "enrolled",
        {
            "activity_type": "sewing",
            "started_on": "0001-01-01",
            "amount": "5000.00",
            "governorate": "EG-C",
            "baseline_income": "100.00",
        },
        "The start date must lie between 2000-01-01 and today.",
    ),
    (
        "empowerment:api_decide",
        "referred",
        {"accept": False, "reason": "ن" * 501, "version": 1},
        "Ensure this field has no more than 500 characters.",
    ),
]


@pytest.mark.parametrize(
    ("name", "target", "payload", "message"),
    API_REFUSALS,
    ids=[f"{name}-{i}" for i, (name, *_rest) in enumerate(API_REFUSALS)],
)
def test_the_api_refuses_implausible_input_with_400_and_changes_nothing(
    scene: Scene, name: str, target: str, payload: dict[str, Any], message: str
) -> None:
    before = snapshot(scene)
    response = scene.client.post(
        _url(name, scene, target), payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert _message(response) == message
    assert snapshot(scene) == before


PAGE_REFUSALS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "empowerment:reschedule_visit",
        "visit",
        {"due_on": "9999-12-31", "version": 1},
        f"The new due date must lie between 2000-01-01 and {LATEST}.",
    ),
    (
        "empowerment:reschedule_visit",
        "visit",
        {"due_on": "0001-01-01", "version": 1},
        "A visit cannot be planned before the project started.",
    ),
    (
        "empowerment:start_project",
        "enrolled",
        {
            "activity_type": "sewing",
            "started_on": "1999-12-31",
            "amount": "5000.00",
            "governorate": "",
            "baseline_income": "100.00",
        },
        "The start date must lie between 2000-01-01 and today.",
    ),
    (
        "empowerment:record_visit",
        "visit",
        _record(problems=LONG),
        "Ensure this value has at most 5000 characters (it has 5001).",
    ),
]


@pytest.mark.parametrize(
    ("name", "target", "data", "message"),
    PAGE_REFUSALS,
    ids=[f"{name}-{i}" for i, (name, *_rest) in enumerate(PAGE_REFUSALS)],
)
def test_the_pages_refuse_implausible_input_and_change_nothing(
    scene: Scene, name: str, target: str, data: dict[str, Any], message: str
) -> None:
    if "governorate" in data:
        from himaya.agencies.tests.factories import governorate

        data = {**data, "governorate": governorate().pk}
    before = snapshot(scene)
    response = scene.client.post(_url(name, scene, target), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert snapshot(scene) == before


def test_the_actions_refuse_implausible_dates_and_long_text(scene: Scene) -> None:
    officer, world = scene.officer, scene.world
    refusals: list[Callable[[], Any]] = [
        lambda: actions.refer_survivor(
            case=world.case,
            programme=world.programme,
            household_role="head",
            by=world.case.case_worker,
            note="ن" * 501,
        ),
        lambda: actions.decide_enrolment(
            enrolment=world.referred,
            accept=False,
            expected_version=1,
            by=officer,
            reason="ن" * 501,
        ),
        lambda: actions.record_visit(
            visit=scene.visit,
            done_on=TODAY,
            project_status="active",
            expected_version=1,
            by=officer,
            support_given=LONG,
        ),
        lambda: actions.reschedule_visit(
            visit=scene.visit, due_on=datetime.date(9999, 12, 31), expected_version=1, by=officer
        ),
    ]
    for refuse in refusals:
        before = snapshot(scene)
        with pytest.raises(EmpowermentError):
            refuse()
        assert snapshot(scene) == before
