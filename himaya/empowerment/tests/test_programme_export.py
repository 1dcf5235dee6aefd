"""The programme list leaves the system through the export door: the programmes and
columns the page shows, a purpose, the password, one audit row."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import csv_rows as _csv
from himaya.audit.tests.exported import exports_written as _exports
from himaya.audit.tests.exported import sheet_rows as _sheet
from himaya.empowerment.models import Programme
from himaya.empowerment.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

URL = reverse("empowerment:programmes")
HEADERS = ["Programme", "Kind", "Run by", "Managing agency", "Who may join", "Facts verified"]


@pytest.fixture
def login(login_english: Callable[[User], Client]) -> Callable[[User], Client]:
    """Signed in, reading English (the root conftest's ``login_english``)."""
    return login_english


@pytest.fixture
def programmes(db: None) -> list[Programme]:
    return [
        ProgrammeFactory(
            name_en="Mastoura loans", min_age=18, requires_reintegration=True, is_active=False
        ),
        ProgrammeFactory(name_en="Vocational training", managing_agency=None),
    ]


@pytest.mark.parametrize("role", ["empowerment_officer", "case_worker", "supervisor"])
def test_the_programme_list_exports_the_programmes_the_page_shows(
    role: str,
    personas: dict[str, User],
    programmes: list[Programme],
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    page = client.get(URL)
    assert 'data-testid="export-links"' in page.content.decode()
    shown = [p.name_en for p in page.context["programmes"]]
    assert {"Mastoura loans", "Vocational training"} <= set(shown)

    body = {"purpose": "coordination", "password": PASSWORD}
    sheet = _sheet(client.post(f"{URL}?export=xlsx", body))
    assert sheet[0] == HEADERS
    assert [str(row[0]).split(" · ")[0] for row in sheet[1:]] == shown
    first, second = (
        sheet[1 + shown.index(name)] for name in ("Mastoura loans", "Vocational training")
    )
    assert str(first[0]).startswith("Mastoura loans · inactive")
    assert first[4] == "Ages 18 to —; Case in reintegration or follow-up"
    assert first[3] == programmes[0].managing_agency.name_en
    assert second[3] == "—"
    table = _csv(client.post(f"{URL}?export=csv", body))
    assert table[0] == HEADERS
    assert [row[1:] for row in table[1:]] == [
        ["" if cell is None else str(cell) for cell in row[1:]] for row in sheet[1:]
    ]

    assert [(e.object_code, e.purpose, e.details["rows"]) for e in _exports()] == [
        ("empowerment-programmes", "coordination", len(shown)),
        ("empowerment-programmes", "coordination", len(shown)),
    ]


@pytest.mark.parametrize("role", ["analyst", "fund_officer", "partner_staff"])
def test_a_role_that_may_not_see_the_programmes_gets_no_export_and_no_audit_row(
    role: str,
    personas: dict[str, User],
    programmes: list[Programme],
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    before = AuditEvent.objects.count()
    for fmt in ("xlsx", "csv"):
        response = client.post(
            f"{URL}?export={fmt}", {"purpose": "coordination", "password": PASSWORD}
        )
        assert response.status_code == 403
    assert AuditEvent.objects.count() == before


def test_a_programme_export_without_a_purpose_is_refused_and_writes_nothing(
    personas: dict[str, User], programmes: list[Programme], login: Callable[[User], Client]
) -> None:
    client = login(personas["empowerment_officer"])
    before = AuditEvent.objects.count()
    refused = client.post(f"{URL}?export=csv", {"password": PASSWORD})
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")
    assert AuditEvent.objects.count() == before
