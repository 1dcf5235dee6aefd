"""Pages and API of services: access matrix, forms, conflicts and query counts."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.cases.tests.factories import CaseFactory
from himaya.services.models import DeliveryStatus, ServiceDelivery, ServiceFeedback
from himaya.services.tests.factories import (
    DeliveredFactory,
    ServiceDeliveryFactory,
    ServiceFeedbackFactory,
)

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
    codes: dict[str, str]
    planned: ServiceDelivery
    delivered: ServiceDelivery
    agency_a: Agency


@pytest.fixture
def scene(personas: dict[str, User], agency_a: Agency) -> Scene:
    case = CaseFactory(lead_agency=agency_a, case_worker=personas[Role.CASE_WORKER])
    planned = ServiceDeliveryFactory(case=case, provider=agency_a)
    delivered = DeliveredFactory(case=case, provider=agency_a)
    codes = {"case": case.code, "planned": planned.code, "delivered": delivered.code}
    return Scene(personas, codes, planned, delivered, agency_a)


def expect(allowed: set[str], *, outsider: int = 404) -> dict[str, int]:
    return {
        role: 200 if role in allowed else (outsider if role == "outsider" else 403)
        for role in ROLES
    }


EVERYONE = expect(set(ROLES))
PROVIDERS = {Role.PARTNER_STAFF.value, Role.SHELTER_STAFF.value}
# Provider staff pass the door of delivery pages and find nothing outside their agency.
CASE_PAGE = expect(WORKERS)
DELIVERY_PAGE = {**CASE_PAGE, **{role: 404 for role in PROVIDERS}}
PROVIDED = expect(PROVIDERS, outsider=403)
DELIVERY_LIST = expect(WORKERS | PROVIDERS | {"outsider"})
LIST_PAGE = expect(WORKERS | {"outsider"})
REPORT = expect({Role.SUPERVISOR.value, Role.ANALYST.value}, outsider=403)

PAGES: list[tuple[str, str | None, dict[str, int]]] = [
    ("services:catalogue", None, EVERYONE),
    ("services:feedback_report", None, REPORT),
    ("services:case_panel", "case", CASE_PAGE),
    ("services:plan", "case", CASE_PAGE),
    ("services:delivery", "planned", DELIVERY_PAGE),
    ("services:provided", None, PROVIDED),
    ("services:feedback", "delivered", CASE_PAGE),
    ("services:api_service_types", None, EVERYONE),
    ("services:api_deliveries", None, DELIVERY_LIST),
    ("services:api_delivery", "planned", DELIVERY_PAGE),
    ("services:api_feedback_summary", None, REPORT),
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
    seen = {role: login(scene.users[role]).get(url).status_code for role in ROLES}
    assert seen == expected


def state(scene: Scene) -> tuple[Any, ...]:
    return (
        list(ServiceDelivery.objects.order_by("id").values_list("status", "version", "note")),
        ServiceFeedback.objects.count(),
    )


WRITES: list[tuple[str, str | None, Callable[[Scene], dict[str, Any]], int]] = [
    (
        "services:plan",
        "case",
        lambda s: {"service_type": 1, "provider": s.agency_a.pk, "planned_on": "2026-06-20"},
        302,
    ),
    (
        "services:delivery",
        "planned",
        lambda s: {"status": "cancelled", "planned_on": "2026-06-16", "version": 1},
        302,
    ),
    ("services:feedback", "delivered", lambda s: {"rating": 4, "recorded_as": "survivor"}, 302),
    (
        "services:api_plan",
        None,
        lambda s: {
            "case": s.codes["case"],
            "service_type": "shelter",
            "provider": s.agency_a.code,
            "planned_on": "2026-06-20",
        },
        201,
    ),
    (
        "services:api_delivery_update",
        "planned",
        lambda s: {
            "status": "delivered",
            "planned_on": "2026-06-16",
            "delivered_on": "2026-06-15",
            "version": 1,
        },
        200,
    ),
    ("services:api_feedback", "delivered", lambda s: {"rating": 2}, 201),
]


@pytest.mark.parametrize(("name", "key", "payload", "ok"), WRITES, ids=[w[0] for w in WRITES])
def test_writes_are_refused_outside_the_lead_agency_and_change_nothing(
    scene: Scene,
    login: Callable[[User], Client],
    name: str,
    key: str | None,
    payload: Callable[[Scene], dict[str, Any]],
    ok: int,
) -> None:
    url = url_for(name, key, scene)
    before = state(scene)
    for role in ROLES:
        if role in WORKERS:
            continue
        client = login(scene.users[role])
        if "api" in name:
            response = client.post(url, payload(scene), content_type="application/json")
        else:
            response = client.post(url, payload(scene))
        expected = 404 if role == "outsider" else 403
        if role in PROVIDERS and name in {"services:delivery", "services:api_delivery_update"}:
            expected = 404  # provider staff, but not of this delivery's provider
        assert (role, response.status_code) == (role, expected)
        assert state(scene) == before, role
    client = login(scene.users[Role.CASE_WORKER])
    if "api" in name:
        response = client.post(url, payload(scene), content_type="application/json")
    else:
        response = client.post(url, payload(scene))
    assert response.status_code == ok
    assert state(scene) != before


def test_delivery_form_shows_a_conflict_and_keeps_what_was_typed(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    ServiceDelivery.objects.filter(pk=scene.planned.pk).update(note="موعد جديد", version=2)
    response = login(scene.users[Role.CASE_WORKER]).post(
        reverse("services:delivery", kwargs={"code": scene.planned.code}),
        {"status": "planned", "planned_on": "2026-06-18", "note": "ملاحظتي", "version": 1},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="conflict"' in body
    assert "ملاحظتي" in body
    assert "موعد جديد" in body
    scene.planned.refresh_from_db()
    assert (scene.planned.note, scene.planned.version) == ("موعد جديد", 2)


def test_delivery_form_shows_the_missing_delivery_date_beside_the_field(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    response = login(scene.users[Role.CASE_WORKER]).post(
        reverse("services:delivery", kwargs={"code": scene.planned.code}),
        {"status": "delivered", "planned_on": "2026-06-16", "note": "تم", "version": 1},
    )
    body = response.content.decode()
    assert 'data-error-for="delivered_on"' in body
    assert 'value="تم"' in body
    scene.planned.refresh_from_db()
    assert scene.planned.status == DeliveryStatus.PLANNED


def test_case_panel_lists_the_deliveries_of_the_case(
    scene: Scene, login: Callable[[User], Client]
) -> None:
    body = (
        login(scene.users[Role.CASE_WORKER])
        .get(reverse("services:case_panel", kwargs={"code": scene.codes["case"]}))
        .content.decode()
    )
    assert scene.planned.code in body
    assert scene.delivered.code in body
    assert "<html" not in body


@pytest.mark.parametrize("count", [2, 5])
@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("services:catalogue", 5),
        ("services:api_service_types", 5),
        ("services:api_deliveries", 6),
        ("services:feedback_report", 5),
        ("services:api_feedback_summary", 5),
        ("case_panel", 6),
    ],
)
def test_lists_use_a_fixed_number_of_queries(
    supervisor: User,
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
        ServiceFeedbackFactory(delivery__case=case, delivery__provider=agency_a)
        ServiceDeliveryFactory(case=case)
    client = login(supervisor)
    if name == "case_panel":
        url = reverse("services:case_panel", kwargs={"code": case.code})
    else:
        url = reverse(name)
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_provider_staff_see_and_confirm_the_services_their_agency_provides(
    personas: dict[str, User], agency_a: Agency, login: Callable[[User], Client]
) -> None:
    partner = personas[Role.PARTNER_STAFF]
    provider = partner.memberships.get().agency
    case = CaseFactory(lead_agency=agency_a, case_worker=personas[Role.CASE_WORKER])
    delivery = ServiceDeliveryFactory(case=case, provider=provider)
    client = login(partner)
    listing = client.get(reverse("services:provided")).content.decode()
    assert delivery.case.code in listing
    assert case.survivor.code not in listing
    assert client.get(reverse("cases:detail", kwargs={"code": case.code})).status_code == 403
    feedback_url = reverse("services:api_feedback", kwargs={"code": delivery.code})
    assert (
        client.post(feedback_url, {"rating": 5}, content_type="application/json").status_code == 403
    )
    response = client.post(
        reverse("services:delivery", kwargs={"code": delivery.code}),
        {
            "status": "delivered",
            "planned_on": "2026-06-16",
            "delivered_on": "2026-06-15",
            "version": 1,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("services:provided")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.delivered_on) == (
        DeliveryStatus.DELIVERED,
        datetime.date(2026, 6, 15),
    )
    assert case.events.get().kind == "service.delivered"
    assert ServiceFeedback.objects.count() == 0


@pytest.mark.parametrize("count", [1, 4])
def test_services_to_provide_use_a_fixed_number_of_queries(
    make_persona: Callable[..., User],
    agency_a: Agency,
    case_worker: User,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
    count: int,
) -> None:
    partner = make_persona(Role.PARTNER_STAFF)
    provider = partner.memberships.get().agency
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    for _ in range(count):
        ServiceDeliveryFactory(case=case, provider=provider)
        DeliveredFactory(case=case, provider=provider)
    client = login(partner)
    client.get(reverse("services:provided"))
    with django_assert_num_queries(6):
        response = client.get(reverse("services:provided"))
    assert response.content.decode().count('href="/services/deliveries/') == count
