"""Compensation ordered by courts appears in the fund's statement and in its export."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Role
from himaya.audit.tests.exported import exports_written, sheet_rows
from himaya.justice import actions
from himaya.justice.selectors import compensation_totals
from himaya.justice.tests.conftest import World, details

pytestmark = pytest.mark.django_db


@pytest.fixture
def compensation(world: World) -> None:
    for claimed, claimed_on, received, received_on in (
        (Decimal("1000.50"), date(2025, 8, 1), Decimal("2000.25"), date(2026, 1, 10)),
        (Decimal("300.00"), date(2026, 2, 1), None, None),
        (Decimal("999.99"), date(2025, 6, 30), Decimal("10.00"), date(2025, 6, 30)),
    ):
        actions.record_proceeding(
            case=world.case,
            details=details(
                compensation_claimed=claimed,
                claimed_on=claimed_on,
                compensation_received=received,
                received_on=received_on,
            ),
            by=world.case_worker,
        )


def test_compensation_totals_count_claims_and_receipts_by_their_own_dates(
    compensation: None,
) -> None:
    totals = compensation_totals(start=date(2025, 7, 1), end=date(2026, 6, 30))
    assert (totals.claimed, totals.claims) == (Decimal("1300.50"), 2)
    assert (totals.received, totals.receipts) == (Decimal("2000.25"), 1)


def test_a_period_without_compensation_totals_zero() -> None:
    totals = compensation_totals(start=date(2020, 1, 1), end=date(2020, 12, 31))
    assert (totals.claimed, totals.claims, totals.received, totals.receipts) == (
        Decimal("0.00"),
        0,
        Decimal("0.00"),
        0,
    )


def test_the_fund_statement_shows_compensation_claimed_and_received(
    compensation: None, make_persona: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_persona(Role.FUND_OFFICER, None, "fund_officer_j"))
    response = client.get(reverse("fund:statement"), {"start": "2025-07-01", "end": "2026-06-30"})
    assert response.status_code == 200
    totals = response.context["compensation"]
    assert (totals.claimed, totals.received) == (Decimal("1300.50"), Decimal("2000.25"))
    page = response.content.decode()
    assert 'data-testid="compensation"' in page
    assert "1,300.50" in page
    assert "2,000.25" in page


def test_the_fund_statement_export_carries_compensation_claimed_and_received(
    compensation: None, make_persona: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_persona(Role.FUND_OFFICER, None, "fund_officer_j"))
    client.cookies["himaya_language"] = "en"
    response = client.post(
        f"{reverse('fund:statement')}?start=2025-07-01&end=2026-06-30&export=xlsx",
        {"purpose": "reporting", "password": PASSWORD},
    )
    assert response.status_code == 200
    by_label = {row[0]: row for row in sheet_rows(response) if row and row[0]}
    assert by_label["Compensation claimed"][6] == 1300.50
    assert by_label["Compensation claimed"][3] == "Claims: 2"
    assert by_label["Compensation received"][6] == 2000.25
    assert by_label["Compensation received"][3] == "Receipts: 1"
    assert "Court compensation in the period" in by_label
    [event] = exports_written()
    assert (event.object_code, event.purpose) == ("fund-statement", "reporting")
