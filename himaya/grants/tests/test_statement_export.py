"""The grant statement leaves the system through the export door: the grants and totals of
the period the page shows, a purpose, the password, one audit row."""

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import csv_rows as _csv
from himaya.audit.tests.exported import exports_written as _exports
from himaya.audit.tests.exported import sheet_rows as _sheet
from himaya.grants import actions
from himaya.grants.tests.factories import make_grant

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("grants"),
]

URL = reverse("grants:statement")
PERIOD = "start=2025-07-01&end=2025-12-31"
HEADERS = [
    "Grant",
    "NGO",
    "Amount (EGP)",
    "Due (EGP)",
    "Released in the period (EGP)",
    "Released to date (EGP)",
    "Reports in the period",
]


@pytest.fixture
def login(login_english: Callable[[User], Client]) -> Callable[[User], Client]:
    """Signed in, reading English (the root conftest's ``login_english``)."""
    return login_english


@pytest.fixture
def grants(grants_officer: User, ngo_a: Agency, ngo_b: Agency) -> Iterator[None]:
    """Two grants, the first tranche of one released; read on 15 Nov 2025."""
    with time_machine.travel("2025-11-15 10:00:00+02:00", tick=False):
        one = make_grant(ngo_a)
        make_grant(ngo_b, tranches=((date(2025, 8, 1), "50000.00"),))
        actions.release_tranche(
            tranche=one.tranches.get(sequence=1), by=grants_officer, expected_version=1
        )
        yield


def test_the_grant_statement_exports_the_rows_and_totals_the_page_shows(
    grants_officer: User, login: Callable[[User], Client]
) -> None:
    client = login(grants_officer)
    page = client.get(f"{URL}?{PERIOD}")
    assert 'data-testid="export-links"' in page.content.decode()
    shown = [
        [row["grant"].code, row["due_total"], row["released_total"], row["released_to_date"]]
        for row in page.context["rows"]
    ]
    assert len(shown) == 2

    body = {"purpose": "inspection", "password": PASSWORD}
    sheet = _sheet(client.post(f"{URL}?{PERIOD}&export=xlsx", body))
    assert sheet[0] == HEADERS
    assert [[row[0], *(Decimal(str(cell)) for cell in row[3:6])] for row in sheet[1:]] == shown
    table = _csv(client.post(f"{URL}?{PERIOD}&export=csv", body))
    assert table[0] == HEADERS
    assert [row[0] for row in table[1:]] == [row[0] for row in shown]
    assert sum(Decimal(row[3]) for row in table[1:]) == Decimal("250000")

    events = _exports()
    assert [(e.object_code, e.purpose, e.details["rows"]) for e in events] == [
        ("grant-statement", "inspection", 2),
        ("grant-statement", "inspection", 2),
    ]
    assert events[0].details["filters"] == ["end", "start"]


@pytest.mark.parametrize("role", ["analyst", "fund_officer", "outsider"])
def test_a_role_that_may_not_see_the_statement_gets_no_export_and_no_audit_row(
    role: str, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[role])
    before = AuditEvent.objects.count()
    for fmt in ("xlsx", "csv"):
        response = client.post(
            f"{URL}?{PERIOD}&export={fmt}", {"purpose": "inspection", "password": PASSWORD}
        )
        assert response.status_code == 403
    assert AuditEvent.objects.count() == before


def test_a_statement_export_without_a_purpose_is_refused_and_writes_nothing(
    grants_officer: User, login: Callable[[User], Client]
) -> None:
    client = login(grants_officer)
    before = AuditEvent.objects.count()
    refused = client.post(f"{URL}?{PERIOD}&export=xlsx", {"password": PASSWORD})
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")
    assert AuditEvent.objects.count() == before
