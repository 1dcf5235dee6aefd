"""Counts beyond any real report, implausible dates and over-long text are refused with a
message, through the pages and the API alike, and change nothing."""

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.core.bounds import MAX_COUNT, MAX_INTEGER, latest_plan_date
from himaya.grants import actions
from himaya.grants.models import Grant, GrantReport, Tranche, TrancheStatus
from himaya.grants.tests.factories import make_grant

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
LATEST = latest_plan_date(TODAY).isoformat()
LONG = "ن" * 5001


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def grant(ngo_a: Agency, grants_officer: User) -> Grant:
    """A grant of NGO A whose first tranche is released, with no report yet."""
    grant = make_grant(ngo_a)
    actions.release_tranche(
        tranche=grant.tranches.get(sequence=1), by=grants_officer, expected_version=1
    )
    return grant


def _client(login: Callable[[User], Client], user: User) -> Client:
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def snapshot() -> dict[str, Any]:
    return {
        "grants": sorted(Grant.objects.values_list("pk", "version")),
        "tranches": sorted(Tranche.objects.values_list("pk", "status", "version")),
        "reports": sorted(
            GrantReport.objects.values_list(
                "pk", "status", "people_served", "narrative", "review_note", "version"
            )
        ),
        "audit": AuditEvent.objects.count(),
    }


def _message(response: Any) -> str:
    body = response.json()
    if "detail" in body:
        return str(body["detail"])
    ((_field, messages),) = body.items()
    return str(messages[0])


def _report(**changes: Any) -> dict[str, Any]:
    """A first report (version 0: there was none) as the API and the page take it."""
    return {
        "narrative": "جلسات دعم نفسي",
        "people_served": 12,
        "services_delivered": 30,
        "version": 0,
        **changes,
    }


def _submitted(**changes: Any) -> dict[str, Any]:
    """The same report as ``actions.submit_report`` takes it."""
    values = _report(**changes)
    version = values.pop("version")
    return {**values, "expected_version": version}


COUNT_TOO_LARGE = f"Ensure this value is less than or equal to {MAX_COUNT}."

REPORT_REFUSALS: list[tuple[dict[str, Any], str]] = [
    (_report(people_served=2**63 + 1), COUNT_TOO_LARGE),
    (_report(people_served=2**31), COUNT_TOO_LARGE),
    (_report(services_delivered=MAX_COUNT + 1), COUNT_TOO_LARGE),
    (_report(people_served=-1), "Ensure this value is greater than or equal to 0."),
    (_report(narrative=LONG), "Ensure this field has no more than 5000 characters."),
    (
        _report(version=MAX_INTEGER + 1),
        f"Ensure this value is less than or equal to {MAX_INTEGER}.",
    ),
]


@pytest.mark.parametrize(("payload", "message"), REPORT_REFUSALS)
def test_the_report_api_refuses_counts_and_text_out_of_bounds_and_changes_nothing(
    grant: Grant,
    ngo_staff: User,
    login: Callable[[User], Client],
    payload: dict[str, Any],
    message: str,
) -> None:
    client = _client(login, ngo_staff)
    before = snapshot()
    response = client.post(
        reverse("grants:api_report", args=[grant.code, 1]), payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert _message(response) == message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_report(people_served=str(2**63 + 1)), COUNT_TOO_LARGE),
        (_report(services_delivered=str(MAX_COUNT + 1)), COUNT_TOO_LARGE),
        (_report(narrative=LONG), "Ensure this value has at most 5000 characters (it has 5001)."),
    ],
)
def test_the_report_page_refuses_counts_and_text_out_of_bounds_and_changes_nothing(
    grant: Grant,
    ngo_staff: User,
    login: Callable[[User], Client],
    data: dict[str, Any],
    message: str,
) -> None:
    client = _client(login, ngo_staff)
    before = snapshot()
    response = client.post(reverse("grants:report", args=[grant.code, 1]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_report_with_as_many_people_as_allowed_is_accepted(
    grant: Grant, ngo_staff: User, login: Callable[[User], Client]
) -> None:
    response = _client(login, ngo_staff).post(
        reverse("grants:api_report", args=[grant.code, 1]),
        _report(people_served=MAX_COUNT, services_delivered=MAX_COUNT),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert GrantReport.objects.get().people_served == MAX_COUNT


def test_the_review_api_refuses_an_over_long_note_and_changes_nothing(
    grant: Grant, ngo_staff: User, grants_officer: User, login: Callable[[User], Client]
) -> None:
    report = actions.submit_report(
        tranche=grant.tranches.get(sequence=1), by=ngo_staff, **_submitted()
    )
    client = _client(login, grants_officer)
    before = snapshot()
    response = client.post(
        reverse("grants:api_review", args=[report.code]),
        {"approve": False, "note": LONG},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert _message(response) == "Ensure this field has no more than 5000 characters."
    assert snapshot() == before


def _grant_form(**changes: str) -> dict[str, Any]:
    return {
        "title": "منحة التأهيل",
        "amount": "90000",
        "starts_on": "2025-07-01",
        "ends_on": "2026-06-30",
        "phases": ["rehabilitation"],
        "services": "تدريب مهني",
        "tranches": "2025-07-01 45000\n2026-01-01 45000",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"starts_on": "0001-01-01", "tranches": "0001-01-01 45000\n2026-01-01 45000"},
            f"The start date must lie between 2000-01-01 and {LATEST}.",
        ),
        (
            {"ends_on": "9999-12-31", "tranches": "2025-07-01 45000\n9999-12-31 45000"},
            f"The end date must lie between 2000-01-01 and {LATEST}.",
        ),
    ],
)
def test_the_grant_page_refuses_implausible_dates_and_creates_nothing(
    grants_officer: User,
    ngo_a: Agency,
    login: Callable[[User], Client],
    changes: dict[str, str],
    message: str,
) -> None:
    client = _client(login, grants_officer)
    before = snapshot()
    response = client.post(reverse("grants:create"), {"ngo": ngo_a.pk, **_grant_form(**changes)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_the_statement_page_refuses_a_period_from_year_1_to_9999_without_a_crash(
    grants_officer: User, ngo_a: Agency, login: Callable[[User], Client]
) -> None:
    make_grant(ngo_a)
    response = _client(login, grants_officer).get(
        reverse("grants:statement"), {"start": "0001-01-01", "end": "9999-12-31"}
    )
    assert response.status_code == 400
    assert (
        f"The start of the period must lie between 2000-01-01 and {LATEST}."
        in response.content.decode()
    )
    assert response.context["rows"] == []


def test_the_actions_refuse_counts_dates_and_text_out_of_bounds(
    grant: Grant, ngo_a: Agency, ngo_staff: User, grants_officer: User
) -> None:
    tranche = grant.tranches.get(sequence=1)
    refusals: list[Callable[[], Any]] = [
        lambda: actions.submit_report(
            tranche=tranche, by=ngo_staff, **_submitted(people_served=MAX_COUNT + 1)
        ),
        lambda: actions.submit_report(
            tranche=tranche, by=ngo_staff, **_submitted(services_delivered=2**63)
        ),
        lambda: actions.submit_report(tranche=tranche, by=ngo_staff, **_submitted(narrative=LONG)),
        lambda: actions.create_grant(
            ngo=ngo_a,
            title="منحة",
            amount=Decimal(100),
            starts_on=datetime.date(2025, 7, 1),
            ends_on=datetime.date(9999, 12, 31),
            phases=["protection"],
            services="دعم",
            tranches=[(datetime.date(2025, 7, 1), Decimal(100))],
            by=grants_officer,
        ),
        lambda: actions.create_grant(
            ngo=ngo_a,
            title="م" * 201,
            amount=Decimal(100),
            starts_on=datetime.date(2025, 7, 1),
            ends_on=datetime.date(2026, 6, 30),
            phases=["protection"],
            services=LONG,
            tranches=[(datetime.date(2025, 7, 1), Decimal(100))],
            by=grants_officer,
        ),
    ]
    for refuse in refusals:
        before = snapshot()
        with pytest.raises(actions.GrantError):
            refuse()
        assert snapshot() == before
    assert tranche.status == TrancheStatus.RELEASED


def test_the_database_refuses_report_counts_beyond_the_bound(grant: Grant, ngo_staff: User) -> None:
    report = actions.submit_report(
        tranche=grant.tranches.get(sequence=1), by=ngo_staff, **_submitted()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantReport.objects.filter(pk=report.pk).update(people_served=MAX_COUNT + 1)
    report.refresh_from_db()
    assert report.people_served == 12
