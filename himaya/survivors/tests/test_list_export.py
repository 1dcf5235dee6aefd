"""The survivors list leaves the system through the export door: the page's rows and
columns, no more identity than the page shows, a purpose, the password, one audit row."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import csv_rows as _csv
from himaya.audit.tests.exported import exports_written as _exports
from himaya.audit.tests.exported import sheet_rows as _sheet
from himaya.survivors.tests.conftest import World
from himaya.survivors.tests.factories import SurvivorFactory

pytestmark = pytest.mark.django_db

URL = reverse("survivors:list")
HEADERS = [
    "Code",
    "Sex",
    "Year of birth",
    "Age estimated",
    "Nationality",
    "Governorate of origin",
    "Registered by",
    "Registered on",
]


def _audit_rows() -> int:
    return AuditEvent.objects.count()


@pytest.fixture
def login(login: Callable[[User], Client], settings: object) -> Callable[[User], Client]:
    """Signed in, reading English."""

    def english(user: User) -> Client:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # type: ignore[attr-defined]
        return client

    return english


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.SUPERVISOR])
def test_each_role_that_sees_the_list_exports_the_rows_the_page_shows(
    role: str,
    world: World,
    agency_a: Agency,
    make_persona: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    client = login(make_persona(role, agency_a))
    shown = [row["code"] for row in client.get(URL).context["page"].rows]
    assert set(shown) >= {world.registered_by_a.code, world.case_of_a.code}

    workbook = client.post(f"{URL}?export=xlsx", {"purpose": "reporting", "password": PASSWORD})
    assert workbook.status_code == 200
    rows = _sheet(workbook)
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == shown
    first = next(row for row in rows[1:] if row[0] == world.registered_by_a.code)
    assert first[1:5] == ["Female", 1999, None, "Egypt"]
    assert first[6] == agency_a.name_en

    table = client.post(f"{URL}?export=csv", {"purpose": "statistics"})
    assert table.status_code == 200
    assert table["Content-Type"] == "text/csv; charset=utf-8"
    assert [row[0] for row in _csv(table)[1:]] == shown

    assert [(e.purpose, e.object_code, e.details["format"]) for e in _exports()] == [
        ("reporting", "survivors", "xlsx"),
        ("statistics", "survivors", "csv"),
    ]
    assert _exports()[0].details["rows"] == len(shown)


def test_another_agencys_survivors_never_appear_in_the_export(
    world: World, case_worker: User, login: Callable[[User], Client]
) -> None:
    response = login(case_worker).post(
        f"{URL}?export=csv", {"purpose": "coordination", "password": PASSWORD}
    )
    codes = {row[0] for row in _csv(response)[1:]}
    assert world.registered_by_a.code in codes
    assert world.registered_by_b.code not in codes
    assert world.case_of_b.code not in codes


def test_a_search_exports_its_rows_with_the_masked_first_names_the_page_shows(
    world: World, case_worker: User, login: Callable[[User], Client]
) -> None:
    client = login(case_worker)
    page = client.get(URL, {"q": "فاطمة"}).context["page"]
    assert [(row["code"], row["masked_name"]) for row in page.rows] == [
        (world.registered_by_a.code, "فا•••")
    ]
    searches = AuditEvent.objects.count()

    response = client.post(
        f"{URL}?q=فاطمة&export=xlsx", {"purpose": "coordination", "password": PASSWORD}
    )
    rows = _sheet(response)
    assert rows[0][:2] == ["Code", "First name (masked)"]
    assert rows[1:] == [[world.registered_by_a.code, "فا•••", *rows[1][2:]]]
    assert len(rows[1:]) == 1
    text = str(rows)
    assert "فاطمة" not in text and "Fatma" not in text
    assert world.registered_by_a.phone not in text
    # One audit row, the export's: its filters are named, never their values.
    assert AuditEvent.objects.count() == searches + 1
    [event] = _exports()
    assert event.details["filters"] == ["q"]


def test_a_user_who_may_not_see_names_exports_no_name_column(
    world: World, case_worker: User, login: Callable[[User], Client]
) -> None:
    response = login(case_worker).post(
        f"{URL}?export=csv", {"purpose": "reporting", "password": PASSWORD}
    )
    rows = _csv(response)
    assert rows[0] == HEADERS
    assert "First name (masked)" not in rows[0]


def test_cells_that_a_spreadsheet_would_run_are_exported_as_text(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    agency_a.name_en = '=HYPERLINK("http://evil.example")'
    agency_a.save()
    survivor = SurvivorFactory(
        name_ar="=SUM(1,2)", registered_by_agency=agency_a, registered_by=case_worker
    )
    response = login(case_worker).post(
        f"{URL}?q={survivor.code}&export=xlsx", {"purpose": "reporting", "password": PASSWORD}
    )
    [_header, row] = _sheet(response)
    assert row[0] == survivor.code
    assert row[1] == "'=S•••"
    assert row[7] == '\'=HYPERLINK("http://evil.example")'
    assert row[8] == timezone.localtime(survivor.created_at).date().isoformat()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.SHELTER_STAFF, Role.PARTNER_STAFF])
def test_a_role_that_may_not_see_the_list_may_not_export_it(
    role: str, world: World, make_persona: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_persona(role))
    before = _audit_rows()
    assert client.get(URL, {"export": "csv"}).status_code == 403
    refused = client.post(f"{URL}?export=csv", {"purpose": "reporting", "password": PASSWORD})
    assert refused.status_code == 403
    assert _audit_rows() == before


def test_an_export_without_a_purpose_is_refused_and_writes_nothing(
    world: World, case_worker: User, login: Callable[[User], Client]
) -> None:
    client = login(case_worker)
    before = _audit_rows()
    response = client.post(f"{URL}?export=csv", {"password": PASSWORD})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert list(response.context["form"].errors) == ["purpose"]
    assert _audit_rows() == before


def test_an_export_without_a_recent_password_is_refused_and_writes_nothing(
    world: World, case_worker: User, login: Callable[[User], Client]
) -> None:
    client = login(case_worker)
    before = _audit_rows()
    missing = client.post(f"{URL}?export=xlsx", {"purpose": "reporting"})
    assert _audit_rows() == before
    wrong = client.post(f"{URL}?export=xlsx", {"purpose": "reporting", "password": "not-it"})
    for response in (missing, wrong):
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert response.context["form"].errors == {"password": ["The password is not correct."]}
    # The wrong password counts as a failed sign-in; nothing leaves the system.
    added = AuditEvent.objects.order_by("sequence")[before:]
    assert [event.action for event in added] == ["auth.login_failed"]
    assert _exports() == []


def test_the_list_offers_the_export_links(
    world: World, case_worker: User, login: Callable[[User], Client]
) -> None:
    html = login(case_worker).get(URL, {"q": "فاطمة"}).content.decode()
    assert 'data-testid="export-links"' in html
    assert "export=xlsx" in html and "export=csv" in html
