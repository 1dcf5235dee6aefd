"""Interpretation on a service delivery: recorded through the action, the pages and the
API, refused when it does not hold together."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.tests.factories import CaseFactory
from himaya.core.errors import Invalid
from himaya.services import actions, rules
from himaya.services.models import ServiceDelivery
from himaya.services.tests.factories import ServiceDeliveryFactory, service_type

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def interpretation(delivery: ServiceDelivery) -> tuple[Any, ...]:
    delivery.refresh_from_db()
    return (
        delivery.interpreter_needed,
        delivery.interpreter_language,
        delivery.interpreter_provided_by,
        delivery.interpreter_sex,
        delivery.version,
    )


@pytest.mark.parametrize(
    ("values", "delivered", "fields"),
    [
        (
            {"needed": False, "language": "ti", "provided_by": "", "sex": ""},
            False,
            {"interpreter_needed"},
        ),
        (
            {"needed": True, "language": "", "provided_by": "", "sex": ""},
            False,
            {"interpreter_language"},
        ),
        (
            {"needed": True, "language": "xx", "provided_by": "", "sex": ""},
            False,
            {"interpreter_language"},
        ),
        (
            {"needed": True, "language": "ti", "provided_by": "", "sex": ""},
            True,
            {"interpreter_provided_by"},
        ),
        (
            {"needed": True, "language": "ti", "provided_by": "none_available", "sex": "female"},
            True,
            {"interpreter_sex"},
        ),
        ({"needed": True, "language": "ti", "provided_by": "", "sex": ""}, False, set()),
        (
            {"needed": True, "language": "ti", "provided_by": "external", "sex": "female"},
            True,
            set(),
        ),
        ({"needed": False, "language": "", "provided_by": "", "sex": ""}, True, set()),
    ],
    ids=[
        "not-needed-with-language",
        "needed-without-language",
        "unknown-language",
        "delivered-without-provider",
        "sex-without-interpreter",
        "planned-without-provider",
        "delivered-complete",
        "not-needed",
    ],
)
def test_the_interpretation_rule_names_the_fields_at_fault(
    values: dict[str, Any], delivered: bool, fields: set[str]
) -> None:
    assert set(rules.interpreter_problems(delivered=delivered, **values)) == fields


def test_planning_records_the_interpreter_needed(case_worker: User, agency_a: Agency) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    delivery = actions.plan_service(
        case=case,
        by=case_worker,
        service_type=service_type(),
        provider=AgencyFactory(),
        planned_on=datetime.date(2026, 6, 20),
        interpreter_needed=True,
        interpreter_language="TI",
        interpreter_sex="female",
    )
    assert interpretation(delivery) == (True, "ti", "", "female", 1)


def test_delivering_without_saying_who_interpreted_is_refused_and_changes_nothing(
    case_worker: User, agency_a: Agency
) -> None:
    delivery = ServiceDeliveryFactory(
        case=CaseFactory(lead_agency=agency_a, case_worker=case_worker),
        interpreter_needed=True,
        interpreter_language="am",
    )
    before = interpretation(delivery)
    with pytest.raises(Invalid) as refused:
        actions.update_delivery(
            delivery=delivery,
            by=case_worker,
            expected_version=1,
            status="delivered",
            planned_on=delivery.planned_on,
            delivered_on=datetime.date(2026, 6, 15),
        )
    assert list(refused.value.errors) == ["interpreter_provided_by"]
    assert interpretation(delivery) == before
    assert delivery.status == "planned"


def test_the_delivery_page_records_and_shows_the_interpreter(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    delivery = ServiceDeliveryFactory(
        case=CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    )
    client = login(case_worker)
    client.cookies["himaya_language"] = "en"
    url = reverse("services:delivery", kwargs={"code": delivery.code})
    response = client.post(
        url,
        {
            "status": "delivered",
            "planned_on": "2026-06-16",
            "delivered_on": "2026-06-15",
            "version": "1",
            "interpreter_needed": "on",
            "interpreter_language": "ti",
            "interpreter_provided_by": "external",
            "interpreter_sex": "male",
        },
    )
    assert response.status_code == 302
    assert interpretation(delivery) == (True, "ti", "external", "male", 2)
    body = client.get(url).content.decode()
    shown = body.split('data-testid="interpretation">')[1].split("<")[0]
    assert shown == "Tigrinya · External interpreter · Man"


def test_the_plan_page_offers_the_interpreter_fields(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    body = login(case_worker).get(reverse("services:plan", kwargs={"code": case.code}))
    assert 'data-testid="interpreter-fields"' in body.content.decode()


def test_the_api_records_and_answers_the_interpretation(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    provider = AgencyFactory()
    client = login(case_worker)
    response = client.post(
        reverse("services:api_plan"),
        {
            "case": case.code,
            "service_type": "medical",
            "provider": provider.code,
            "planned_on": "2026-06-20",
            "interpreter_needed": True,
            "interpreter_language": "so",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["interpreter_needed"], body["interpreter_language"]) == (True, "so")
    update = client.post(
        reverse("services:api_delivery_update", kwargs={"code": body["code"]}),
        {
            "status": "delivered",
            "planned_on": "2026-06-20",
            "delivered_on": "2026-06-15",
            "version": 1,
            "interpreter_provided_by": "staff",
        },
        content_type="application/json",
    )
    assert update.status_code == 200, update.content
    assert update.json()["interpreter_provided_by"] == "staff"
    assert update.json()["interpreter_language"] == "so"


def test_the_api_refuses_an_unknown_language_with_a_problem(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    response = login(case_worker).post(
        reverse("services:api_plan"),
        {
            "case": case.code,
            "service_type": "medical",
            "provider": AgencyFactory().code,
            "planned_on": "2026-06-20",
            "interpreter_needed": True,
            "interpreter_language": "klingon",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "interpreter_language" in response.json()["errors"]
    assert not ServiceDelivery.objects.filter(case=case).exists()
