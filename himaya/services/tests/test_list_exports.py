"""The services lists leave the system through the export door: the services to provide
with cases by code only, the feedback report with small groups withheld as on the page, a
purpose, the password, one audit row."""

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import csv_rows as _csv
from himaya.audit.tests.exported import exports_written as _exports
from himaya.audit.tests.exported import sheet_rows as _sheet
from himaya.cases.tests.factories import CaseFactory
from himaya.services.models import ServiceDelivery
from himaya.services.tests.factories import (
    DeliveredFactory,
    ServiceDeliveryFactory,
    ServiceFeedbackFactory,
)

pytestmark = pytest.mark.django_db

PROVIDED = reverse("services:provided")
DONE = f"{PROVIDED}?table=done"
FEEDBACK = reverse("services:feedback_report")


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _post(client: Client, url: str, fmt: str, purpose: str = "reporting") -> Any:
    target = f"{url}&export={fmt}" if "?" in url else f"{url}?export={fmt}"
    return client.post(target, {"purpose": purpose, "password": PASSWORD})


@pytest.fixture
def login(login_english: Callable[[User], Client]) -> Callable[[User], Client]:
    """Signed in, reading English (the root conftest's ``login_english``)."""
    return login_english


@pytest.fixture
def provided(personas: dict[str, User], agency_a: Agency) -> dict[str, ServiceDelivery]:
    """A planned and a delivered service asked of the partner's agency."""
    provider = personas[Role.PARTNER_STAFF].memberships.get().agency
    case = CaseFactory(lead_agency=agency_a, case_worker=personas[Role.CASE_WORKER])
    return {
        "planned": ServiceDeliveryFactory(case=case, provider=provider),
        "done": DeliveredFactory(case=case, provider=provider),
        "elsewhere": ServiceDeliveryFactory(case=case, provider=agency_a),
    }


@pytest.fixture
def ratings(personas: dict[str, User], agency_a: Agency, agency_b: Agency) -> None:
    """Three ratings of agency A's medical care (shown) and two of agency B's (withheld)."""
    case = CaseFactory(lead_agency=agency_a, case_worker=personas[Role.CASE_WORKER])
    for rating in (3, 4, 4):
        ServiceFeedbackFactory(delivery__case=case, delivery__provider=agency_a, rating=rating)
    for _ in range(2):
        ServiceFeedbackFactory(delivery__case=case, delivery__provider=agency_b, rating=1)


def test_both_tables_of_the_services_to_provide_export_the_rows_the_page_shows(
    personas: dict[str, User],
    provided: dict[str, ServiceDelivery],
    login: Callable[[User], Client],
) -> None:
    client = login(personas[Role.PARTNER_STAFF])
    page = client.get(PROVIDED)
    assert [d.code for d in page.context["planned"]] == [provided["planned"].code]
    assert [d.code for d in page.context["done"]] == [provided["done"].code]
    html = page.content.decode()
    assert 'data-testid="export-links"' in html and "export-links-done" in html

    planned = _sheet(_post(client, PROVIDED, "xlsx"))
    assert planned[0] == ["Planned for", "Case", "Service", "Provider"]
    assert [row[1:2] for row in planned[1:]] == [[provided["planned"].case.code]]
    assert planned[1][3] == provided["planned"].provider.name_en
    done = _csv(_post(client, DONE, "csv"))
    assert done == [
        ["Planned for", "Case", "Service", "Status"],
        ["2026-06-10", provided["done"].case.code, done[1][2], "Delivered · 2026-06-10"],
    ]
    survivor = provided["planned"].case.survivor.code
    assert survivor not in str(planned) + str(done)

    assert [
        (e.object_code, e.purpose, e.details["format"], e.details["rows"]) for e in _exports()
    ] == [
        ("services-provided-planned", "reporting", "xlsx", 1),
        ("services-provided-done", "reporting", "csv", 1),
    ]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ANALYST])
def test_the_feedback_report_exports_the_groups_the_page_shows_and_withholds_small_ones(
    role: str, personas: dict[str, User], ratings: None, login: Callable[[User], Client]
) -> None:
    client = login(personas[role])
    shown = client.get(FEEDBACK).context["rows"]
    assert [(r["provider_en"], r["count"]) for r in shown] == [("Agency A", 3)]

    sheet = _sheet(_post(client, FEEDBACK, "xlsx"))
    assert sheet[0] == ["Service", "Provider", "Ratings", "Average (1–5)"]
    assert [row[1:3] for row in sheet[1:]] == [["Agency A", 3]]
    assert Decimal(str(sheet[1][3])) == Decimal("3.67")
    table = _csv(_post(client, FEEDBACK, "csv"))
    assert [row[1:3] for row in table] == [["Provider", "Ratings"], ["Agency A", "3"]]
    assert "Agency B" not in str(sheet) + str(table)

    assert [(e.object_code, e.purpose, e.details["rows"]) for e in _exports()] == [
        ("services-feedback", "reporting", 1),
        ("services-feedback", "reporting", 1),
    ]


@pytest.mark.parametrize(
    ("url", "role"),
    [
        (PROVIDED, Role.CASE_WORKER),
        (DONE, Role.ANALYST),
        (PROVIDED, "outsider"),
        (FEEDBACK, Role.CASE_WORKER),
        (FEEDBACK, Role.PARTNER_STAFF),
        (FEEDBACK, "outsider"),
    ],
)
def test_a_role_that_may_not_see_the_list_gets_no_export_and_no_audit_row(
    url: str,
    role: str,
    personas: dict[str, User],
    provided: dict[str, ServiceDelivery],
    ratings: None,
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    before = AuditEvent.objects.count()
    assert _post(client, url, "xlsx").status_code == 403
    assert _post(client, url, "csv").status_code == 403
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("url", "role"),
    [(PROVIDED, Role.PARTNER_STAFF), (DONE, Role.PARTNER_STAFF), (FEEDBACK, Role.SUPERVISOR)],
)
def test_an_export_without_a_purpose_is_refused_and_writes_nothing(
    url: str,
    role: str,
    personas: dict[str, User],
    provided: dict[str, ServiceDelivery],
    ratings: None,
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    before = AuditEvent.objects.count()
    refused = client.post(
        f"{url}&export=xlsx" if "?" in url else f"{url}?export=xlsx", {"password": PASSWORD}
    )
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")
    assert AuditEvent.objects.count() == before
