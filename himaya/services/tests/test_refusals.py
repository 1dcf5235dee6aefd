"""Rules of services refused alike through the page and the API, with nothing changed;
the API answers a refusal as problem details."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case, Phase
from himaya.cases.tests.factories import CaseFactory
from himaya.services.models import DeliveryStatus, ServiceDelivery, ServiceFeedback
from himaya.services.tests.factories import DeliveredFactory, ServiceDeliveryFactory
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def counts() -> tuple[Any, ...]:
    return (
        list(ServiceDelivery.objects.order_by("id").values_list("status", "version", "note")),
        ServiceFeedback.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def assert_problem(response: Any, status: int, detail: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert (body["status"], body["detail"]) == (status, detail)


@pytest.fixture
def closed_case(personas: dict[str, User], agency_a: Agency) -> Case:
    return CaseFactory(
        lead_agency=agency_a,
        case_worker=personas[Role.CASE_WORKER],
        phase=Phase.CLOSED,
        closed_on=TODAY,
        closure_reason="reintegrated",
    )


CLOSED = "This case is closed: no service can be planned."


def test_no_service_is_planned_for_a_closed_case_through_the_page(
    closed_case: Case,
    personas: dict[str, User],
    agency_a: Agency,
    login: Callable[[User], Client],
) -> None:
    client = login(personas[Role.CASE_WORKER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = counts()
    panel = client.get(reverse("services:case_panel", kwargs={"code": closed_case.code}))
    assert panel.context["can_work"] is False
    response = client.post(
        reverse("services:plan", kwargs={"code": closed_case.code}),
        {"service_type": 1, "provider": agency_a.pk, "planned_on": "2026-06-20"},
    )
    assert response.status_code == 200
    assert CLOSED in response.content.decode()
    assert counts() == before


def test_no_service_is_planned_for_a_closed_case_through_the_api(
    closed_case: Case,
    personas: dict[str, User],
    agency_a: Agency,
    login: Callable[[User], Client],
) -> None:
    client = login(personas[Role.CASE_WORKER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = counts()
    response = client.post(
        reverse("services:api_plan"),
        {
            "case": closed_case.code,
            "service_type": "medical",
            "provider": agency_a.code,
            "planned_on": "2026-06-20",
        },
        content_type="application/json",
    )
    assert_problem(response, 400, CLOSED)
    assert counts() == before


def test_an_unknown_goal_is_refused_in_the_user_language(
    personas: dict[str, User], agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=personas[Role.CASE_WORKER])
    client = login(personas[Role.CASE_WORKER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    before = counts()
    response = client.post(
        reverse("services:api_plan"),
        {
            "case": case.code,
            "service_type": "medical",
            "provider": agency_a.code,
            "planned_on": "2026-06-20",
            "goal": "GL-XXXX-XXXX-X",
        },
        content_type="application/json",
    )
    assert_problem(response, 400, "هذا الهدف ليس من خطة رعاية الحالة.")
    assert response.json()["errors"] == {"goal": ["هذا الهدف ليس من خطة رعاية الحالة."]}
    assert counts() == before


NOT_PLANNED = "Only a planned service can be changed."


def test_a_delivered_service_is_not_changed_through_the_page(
    personas: dict[str, User], agency_a: Agency, login: Callable[[User], Client]
) -> None:
    delivery = DeliveredFactory(
        case__lead_agency=agency_a, case__case_worker=personas[Role.CASE_WORKER]
    )
    client = login(personas[Role.CASE_WORKER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = counts()
    response = client.post(
        reverse("services:delivery", kwargs={"code": delivery.code}),
        {"status": "cancelled", "planned_on": "2026-06-10", "version": 1},
    )
    assert response.status_code == 200
    assert response.context["editable"] is False
    assert NOT_PLANNED in response.content.decode()
    assert counts() == before


def test_a_delivered_service_is_not_changed_through_the_api(
    personas: dict[str, User], agency_a: Agency, login: Callable[[User], Client]
) -> None:
    delivery = DeliveredFactory(
        case__lead_agency=agency_a, case__case_worker=personas[Role.CASE_WORKER]
    )
    client = login(personas[Role.CASE_WORKER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = counts()
    response = client.post(
        reverse("services:api_delivery_update", kwargs={"code": delivery.code}),
        {"status": "cancelled", "planned_on": "2026-06-10", "version": 1},
        content_type="application/json",
    )
    assert_problem(response, 400, NOT_PLANNED)
    assert counts() == before


def test_the_delivery_list_filters_by_status_on_the_api(
    personas: dict[str, User], agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=personas[Role.CASE_WORKER])
    planned = ServiceDeliveryFactory(case=case, provider=agency_a)
    DeliveredFactory(case=case, provider=agency_a)
    client = login(personas[Role.CASE_WORKER])
    response = client.get(reverse("services:api_deliveries"), {"status": DeliveryStatus.PLANNED})
    assert [row["code"] for row in response.json()["results"]] == [planned.code]
    wrong = client.get(reverse("services:api_deliveries"), {"status": "nonsense"})
    assert wrong.status_code == 400
    assert wrong["Content-Type"] == "application/problem+json"
