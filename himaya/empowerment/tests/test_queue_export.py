"""The officer's work queue leaves the system through the export door, each table on its
own: the referrals awaiting a decision and the overdue follow-up visits, all their rows
(the page shows the first 200 and says so), the columns the page shows, one audit row."""

from collections.abc import Callable, Iterator
from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Agency, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import csv_rows as _csv
from himaya.audit.tests.exported import exports_written as _exports
from himaya.audit.tests.exported import sheet_rows as _sheet
from himaya.cases.models import Case
from himaya.empowerment.models import EnrolmentStatus, Programme
from himaya.empowerment.tests.factories import (
    CaseFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("empowerment:queue")
PENDING = ["Enrolment", "Programme", "Referred on"]
OVERDUE = ["Project", "Programme", "Visit", "Due on", "Governorate"]
MORE = "Showing the first 200 of these; export the list to see them all."


@pytest.fixture
def on_the_day() -> Iterator[None]:
    with time_machine.travel("2026-05-15 10:00+02:00", tick=False):
        yield


@pytest.fixture
def login(login_english: Callable[[User], Client]) -> Callable[[User], Client]:
    """Signed in, reading English (the root conftest's ``login_english``)."""
    return login_english


def _export(client: Client, fmt: str, table: str = "") -> object:
    query = f"?table={table}&export={fmt}" if table else f"?export={fmt}"
    return client.post(URL + query, {"purpose": "coordination", "password": PASSWORD})


@pytest.fixture
def programme(officer_agency: Agency) -> Programme:
    return ProgrammeFactory(managing_agency=officer_agency, name_en="Mastoura", name_ar="مستورة")


@pytest.fixture
def case(agency_a: Agency, case_worker: User) -> Case:
    return CaseFactory(lead_agency=agency_a, case_worker=case_worker)


@pytest.mark.usefixtures("on_the_day")
def test_each_table_of_the_work_queue_exports_the_rows_and_columns_the_page_shows(
    officer: User, programme: Programme, case: Case, login: Callable[[User], Client]
) -> None:
    later = EnrolmentFactory(programme=programme, case=case, referred_on=date(2026, 1, 12))
    first = EnrolmentFactory(
        programme=ProgrammeFactory(managing_agency=programme.managing_agency, name_en="Loans"),
        case=case,
        referred_on=date(2026, 1, 10),
    )
    EnrolmentFactory(programme=programme, status=EnrolmentStatus.ENROLLED)
    project = ProjectFactory(enrolment__programme=programme, started_on=date(2026, 3, 1))
    # Another agency's programme: neither its referral nor its visits are the officer's.
    elsewhere = ProgrammeFactory(name_en="Elsewhere")
    foreign = EnrolmentFactory(programme=elsewhere)
    foreign_project = ProjectFactory(enrolment__programme=elsewhere)
    client = login(officer)
    page = client.get(URL).content.decode()
    assert 'data-testid="export-links-pending"' in page
    assert 'data-testid="export-links-overdue"' in page
    assert MORE not in page

    referrals = [
        PENDING,
        [first.code, "Loans", "2026-01-10"],
        [later.code, "Mastoura", "2026-01-12"],
    ]
    assert _csv(_export(client, "csv", "pending")) == referrals
    assert _sheet(_export(client, "xlsx")) == referrals
    assert _csv(_export(client, "csv", "overdue")) == [
        OVERDUE,
        [project.code, "Mastoura", "1", "2026-04-01", "Cairo"],
        [project.code, "Mastoura", "2", "2026-05-01", "Cairo"],
    ]
    visits = _sheet(_export(client, "xlsx", "overdue"))
    assert visits == [
        OVERDUE,
        [project.code, "Mastoura", 1, "2026-04-01", "Cairo"],
        [project.code, "Mastoura", 2, "2026-05-01", "Cairo"],
    ]
    written = str(visits) + str(referrals)
    for code in (foreign.code, foreign_project.code, case.code, case.survivor.code):
        assert code not in written
    assert [
        (e.object_code, e.purpose, e.details["format"], e.details["rows"], e.details["filters"])
        for e in _exports()
    ] == [
        ("empowerment-pending-referrals", "coordination", "csv", 2, ["table"]),
        ("empowerment-pending-referrals", "coordination", "xlsx", 2, []),
        ("empowerment-overdue-visits", "coordination", "csv", 2, ["table"]),
        ("empowerment-overdue-visits", "coordination", "xlsx", 2, ["table"]),
    ]


def test_the_page_shows_200_rows_of_a_longer_table_says_so_and_the_export_holds_them_all(
    officer: User, officer_agency: Agency, case: Case, login: Callable[[User], Client]
) -> None:
    programmes = [ProgrammeFactory(managing_agency=officer_agency) for _ in range(218)]
    referred = [EnrolmentFactory(programme=p, case=case) for p in programmes[:201]]
    # Twelve visits a project, all overdue two and a half years on: 17 projects, 204 visits.
    projects = [
        ProjectFactory(enrolment__programme=p, enrolment__case=case, started_on=date(2026, 1, 1))
        for p in programmes[201:]
    ]
    with time_machine.travel("2028-06-01 10:00+02:00", tick=False):
        client = login(officer)
        response = client.get(URL)
        page = response.content.decode()
        assert len(response.context["pending"]) == 200
        assert len(response.context["overdue"]) == 200
        assert 'data-testid="more-pending"' in page and 'data-testid="more-overdue"' in page
        assert page.count(MORE) == 2
        referrals = _csv(_export(client, "csv", "pending"))
        visits = _csv(_export(client, "csv", "overdue"))
    assert [row[0] for row in referrals[1:]] == [e.code for e in referred]
    assert len(visits) == 1 + 204
    assert {row[0] for row in visits[1:]} == {p.code for p in projects}
    assert [(e.object_code, e.details["rows"]) for e in _exports()] == [
        ("empowerment-pending-referrals", 201),
        ("empowerment-overdue-visits", 204),
    ]


@pytest.mark.usefixtures("on_the_day")
def test_an_officer_of_another_agency_exports_none_of_these_rows(
    make_persona: Callable[..., User],
    programme: Programme,
    case: Case,
    login: Callable[[User], Client],
) -> None:
    EnrolmentFactory(programme=programme, case=case)
    ProjectFactory(enrolment__programme=programme, started_on=date(2026, 3, 1))
    other = make_persona(Role.EMPOWERMENT_OFFICER, AgencyFactory(), "other_officer")
    client = login(other)
    assert _csv(_export(client, "csv")) == [PENDING]
    assert _csv(_export(client, "csv", "overdue")) == [OVERDUE]
    assert [(e.object_code, e.details["rows"]) for e in _exports()] == [
        ("empowerment-pending-referrals", 0),
        ("empowerment-overdue-visits", 0),
    ]


@pytest.mark.parametrize("table", ["", "overdue"])
@pytest.mark.parametrize("role", [r.value for r in Role if r != Role.EMPOWERMENT_OFFICER])
def test_a_role_that_may_not_see_the_work_queue_gets_no_export_and_no_audit_row(
    role: str,
    table: str,
    personas: dict[str, User],
    world: object,
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    before = AuditEvent.objects.count()
    query = f"table={table}&" if table else ""
    assert client.get(f"{URL}?{query}export=csv").status_code == 403
    assert _export(client, "xlsx", table).status_code == 403
    assert AuditEvent.objects.count() == before


def test_a_post_to_the_work_queue_without_an_export_is_refused_and_writes_nothing(
    officer: User, programme: Programme, case: Case, login: Callable[[User], Client]
) -> None:
    EnrolmentFactory(programme=programme, case=case)
    client = login(officer)
    before = AuditEvent.objects.count()
    response = client.post(URL, {"purpose": "coordination", "password": PASSWORD})
    assert response.status_code == 405
    assert AuditEvent.objects.count() == before


def test_a_post_to_the_enrolment_list_without_an_export_is_refused_and_writes_nothing(
    officer: User, programme: Programme, case: Case, login: Callable[[User], Client]
) -> None:
    EnrolmentFactory(programme=programme, case=case)
    client = login(officer)
    url = reverse("empowerment:enrolments")
    assert client.get(url).status_code == 200
    before = AuditEvent.objects.count()
    response = client.post(url, {"purpose": "coordination", "password": PASSWORD})
    assert response.status_code == 405
    assert AuditEvent.objects.count() == before
