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
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.cases.tests.factories import CaseFactory
from himaya.core.bounds import MAX_INTEGER, latest_plan_date
from himaya.services import actions
from himaya.services.exceptions import ServiceError
from himaya.services.models import ServiceDelivery, ServiceFeedback
from himaya.services.tests.factories import DeliveredFactory, ServiceDeliveryFactory, service_type
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
LATEST = latest_plan_date(TODAY).isoformat()
PLANNED_BOUNDS = f"The planned date must lie between 2000-01-01 and {LATEST}."
DELIVERED_BOUNDS = "The delivery date must lie between 2000-01-01 and today."


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@dataclass
class Scene:
    planned: ServiceDelivery
    delivered: ServiceDelivery
    worker: User
    agency: Agency
    client: Client


@pytest.fixture
def scene(case_worker: User, agency_a: Agency, login: Callable[[User], Client]) -> Scene:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    planned = ServiceDeliveryFactory(case=case, provider=agency_a)
    delivered = DeliveredFactory(case=case, provider=agency_a)
    client = login(case_worker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return Scene(planned, delivered, case_worker, agency_a, client)


def snapshot(scene: Scene) -> dict[str, Any]:
    scene.planned.refresh_from_db()
    return {
        "planned": (
            scene.planned.status,
            scene.planned.planned_on,
            scene.planned.delivered_on,
            scene.planned.note,
            scene.planned.version,
        ),
        "deliveries": ServiceDelivery.objects.count(),
        "feedback": ServiceFeedback.objects.count(),
        "timeline": CaseEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _message(response: Any) -> str:
    body = response.json()
    if "detail" in body:
        return str(body["detail"])
    ((_field, messages),) = body.items()
    return str(messages[0])


def _update(**changes: Any) -> dict[str, Any]:
    return {"status": "planned", "planned_on": "2026-06-20", "version": 1, **changes}


# name, URL kwargs ("planned", "delivered" or None), payload, the expected message
API_REFUSALS: list[tuple[str, str | None, dict[str, Any], str]] = [
    (
        "services:api_plan",
        None,
        {"planned_on": "0001-01-01"},
        PLANNED_BOUNDS,
    ),
    ("services:api_plan", None, {"planned_on": "9999-12-31"}, PLANNED_BOUNDS),
    (
        "services:api_plan",
        None,
        {"planned_on": "2026-06-20", "note": "ن" * 501},
        "Ensure this field has no more than 500 characters.",
    ),
    ("services:api_delivery_update", "planned", _update(planned_on="9999-12-31"), PLANNED_BOUNDS),
    (
        "services:api_delivery_update",
        "planned",
        _update(status="delivered", delivered_on="0001-01-01"),
        DELIVERED_BOUNDS,
    ),
    (
        "services:api_delivery_update",
        "planned",
        _update(version=MAX_INTEGER + 1),
        f"Ensure this value is less than or equal to {MAX_INTEGER}.",
    ),
    (
        "services:api_feedback",
        "delivered",
        {"rating": 10**30},
        "Ensure this value is less than or equal to 5.",
    ),
    (
        "services:api_feedback",
        "delivered",
        {"rating": 4, "comment": "ن" * 301},
        "Ensure this field has no more than 300 characters.",
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
    kwargs = {"code": getattr(scene, target).code} if target else {}
    if name == "services:api_plan":
        payload = {
            "case": scene.planned.case.code,
            "service_type": "medical",
            "provider": scene.agency.code,
            **payload,
        }
    before = snapshot(scene)
    response = scene.client.post(
        reverse(name, kwargs=kwargs), payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert _message(response) == message
    assert snapshot(scene) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "planned", "planned_on": "9999-12-31"}, PLANNED_BOUNDS),
        ({"status": "planned", "planned_on": "1999-12-31"}, PLANNED_BOUNDS),
        (
            {"status": "delivered", "planned_on": "2026-06-16", "delivered_on": "1999-12-31"},
            DELIVERED_BOUNDS,
        ),
    ],
)
def test_the_delivery_page_refuses_implausible_dates_and_changes_nothing(
    scene: Scene, data: dict[str, str], message: str
) -> None:
    before = snapshot(scene)
    response = scene.client.post(
        reverse("services:delivery", kwargs={"code": scene.planned.code}),
        {**data, "version": 1},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(scene) == before


def test_the_plan_page_refuses_a_service_planned_for_the_year_9999_and_changes_nothing(
    scene: Scene,
) -> None:
    before = snapshot(scene)
    response = scene.client.post(
        reverse("services:plan", kwargs={"code": scene.planned.case.code}),
        {
            "service_type": service_type("medical").pk,
            "provider": scene.agency.pk,
            "planned_on": "9999-12-31",
        },
    )
    assert response.status_code == 200
    assert PLANNED_BOUNDS in response.content.decode()
    assert snapshot(scene) == before


def test_the_actions_refuse_implausible_dates_and_long_text(scene: Scene) -> None:
    worker, planned = scene.worker, scene.planned
    refusals: list[Callable[[], Any]] = [
        lambda: actions.plan_service(
            case=planned.case,
            by=worker,
            service_type=service_type("medical"),
            provider=scene.agency,
            planned_on=datetime.date(1, 1, 1),
        ),
        lambda: actions.plan_service(
            case=planned.case,
            by=worker,
            service_type=service_type("medical"),
            provider=scene.agency,
            planned_on=TODAY,
            note="ن" * 501,
        ),
        lambda: actions.update_delivery(
            delivery=planned,
            by=worker,
            expected_version=1,
            status="planned",
            planned_on=datetime.date(9999, 12, 31),
        ),
        lambda: actions.record_feedback(
            delivery=scene.delivered, by=worker, rating=4, comment="ن" * 301
        ),
    ]
    for refuse in refusals:
        before = snapshot(scene)
        with pytest.raises(ServiceError):
            refuse()
        assert snapshot(scene) == before
