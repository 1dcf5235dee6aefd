"""The national occupancy leaves the system through the export door: the nights the page
shows with its counts, a purpose, the password, one audit row."""

from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import csv_rows as _csv
from himaya.audit.tests.exported import exports_written as _exports
from himaya.audit.tests.exported import sheet_rows as _sheet
from himaya.cases.models import Case
from himaya.shelters import actions
from himaya.shelters.models import Shelter

pytestmark = pytest.mark.django_db

URL = reverse("shelters:occupancy")
HEADERS = ["Night of", "Beds", "Occupied", "Survivors", "Children"]


@pytest.fixture
def login(login_english: Callable[[User], Client]) -> Callable[[User], Client]:
    """Signed in, reading English (the root conftest's ``login_english``)."""
    return login_english


@pytest.fixture
def nights(case: Case, case_worker: User, shelter: Shelter) -> None:
    """A mother and her infant staying from 1 Nov; occupancy recorded for 3 to 5 Nov;
    the pages are read on 6 Nov."""
    with time_machine.travel("2026-11-01 18:00 +0200", tick=False):
        actions.admit_to_shelter(
            case=case, shelter=shelter, by=case_worker, children_birth_years=[2026]
        )
    call_command(
        "record_occupancy",
        "--from",
        "2026-11-03",
        "--to",
        "2026-11-05",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )


@pytest.fixture
def on_the_sixth() -> Iterator[None]:
    with time_machine.travel("2026-11-06 10:00 +0200", tick=False):
        yield


@pytest.mark.parametrize("role", ["case_worker", "shelter_staff", "operator"])
def test_the_occupancy_exports_the_nights_and_counts_the_page_shows(
    role: str,
    personas: dict[str, User],
    nights: None,
    on_the_sixth: None,
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    page = client.get(URL)
    assert 'data-testid="export-links"' in page.content.decode()
    shown = [
        [row["on"].isoformat(), row["beds"], row["occupied"], row["survivors"], row["children"]]
        for row in page.context["national"]
    ]
    assert shown == [[f"2026-11-0{day}", 5, 2, 1, 1] for day in (3, 4, 5)]

    workbook = client.post(f"{URL}?export=xlsx", {"purpose": "statistics", "password": PASSWORD})
    assert _sheet(workbook) == [HEADERS, *shown]
    table = client.post(f"{URL}?export=csv", {"purpose": "statistics", "password": PASSWORD})
    assert _csv(table) == [HEADERS, *[[str(cell) for cell in row] for row in shown]]

    assert [
        (e.object_code, e.purpose, e.details["format"], e.details["rows"]) for e in _exports()
    ] == [
        ("shelter-occupancy", "statistics", "xlsx", 3),
        ("shelter-occupancy", "statistics", "csv", 3),
    ]


@pytest.mark.parametrize("role", ["analyst", "fund_officer", "partner_staff"])
def test_a_role_that_may_not_see_the_occupancy_gets_no_export_and_no_audit_row(
    role: str,
    personas: dict[str, User],
    nights: None,
    on_the_sixth: None,
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    before = AuditEvent.objects.count()
    for fmt in ("xlsx", "csv"):
        response = client.post(
            f"{URL}?export={fmt}", {"purpose": "statistics", "password": PASSWORD}
        )
        assert response.status_code == 403
    assert AuditEvent.objects.count() == before


def test_an_occupancy_export_without_a_purpose_is_refused_and_writes_nothing(
    personas: dict[str, User], nights: None, on_the_sixth: None, login: Callable[[User], Client]
) -> None:
    client = login(personas["shelter_staff"])
    before = AuditEvent.objects.count()
    refused = client.post(f"{URL}?export=csv", {"password": PASSWORD})
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")
    assert AuditEvent.objects.count() == before
