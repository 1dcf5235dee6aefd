"""The approvals, the transfers and the worklist leave the system through the export door,
each table on its own: cases and survivors by code only, a purpose, the password, one audit
row. The worklist's file holds all its pages, never a survivor's name."""

import datetime
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Agency, Role
from himaya.audit import exports
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import csv_rows, exports_written, sheet_rows
from himaya.cases import rules, selectors
from himaya.cases.models import CarePlanStatus, Case, DeadlineKind
from himaya.cases.tests.factories import (
    CarePlanFactory,
    CaseFactory,
    ClosureRequestFactory,
    ProposedTransferFactory,
)
from himaya.cases.tests.test_worklist import on_worklist

pytestmark = pytest.mark.django_db

APPROVALS = reverse("cases:approvals")
TRANSFERS = reverse("cases:transfers")
QUEUE = reverse("cases:queue")


def _post(client: Client, url: str, fmt: str, table: str = "") -> Any:
    query = f"?table={table}&export={fmt}" if table else f"?export={fmt}"
    return client.post(url + query, {"purpose": "reporting", "password": PASSWORD})


def test_each_table_of_the_approvals_exports_what_the_page_shows(
    supervisor: User,
    case_worker: User,
    outsider: User,
    agency_a: Agency,
    agency_b: Agency,
    login_english: Callable[[User], Client],
) -> None:
    case_worker.first_name, case_worker.last_name = "منى", "عبد الله"
    case_worker.save()
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    plan = CarePlanFactory(
        case=case,
        status=CarePlanStatus.SUBMITTED,
        submitted_at=datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC),
    )
    closure = ClosureRequestFactory(case=case)
    elsewhere = CaseFactory(lead_agency=agency_b, case_worker=outsider)
    CarePlanFactory(case=elsewhere, status=CarePlanStatus.SUBMITTED)
    ClosureRequestFactory(case=elsewhere)
    client = login_english(supervisor)
    html = client.get(APPROVALS).content.decode()
    assert 'data-testid="export-links"' in html and 'data-testid="export-links-closures"' in html

    plans = sheet_rows(_post(client, APPROVALS, "xlsx"))
    assert plans == [
        ["Care plan", "Case", "Author", "Submitted at"],
        [
            plan.code,
            case.code,
            "منى عبد الله",
            "2026-11-02 11:30",  # Cairo's time
        ],
    ]
    closures = csv_rows(_post(client, APPROVALS, "csv", table="closures"))
    assert closures == [
        ["Request", "Case", "Reason", "Requested by"],
        [
            closure.code,
            case.code,
            "Reintegrated",
            "منى عبد الله",
        ],
    ]
    assert case.survivor.code not in str(plans) + str(closures)
    assert [
        (e.object_code, e.purpose, e.details["format"], e.details["rows"])
        for e in exports_written()
    ] == [
        ("cases-pending-care-plans", "reporting", "xlsx", 1),
        ("cases-pending-closures", "reporting", "csv", 1),
    ]


def test_each_table_of_the_transfers_exports_what_the_page_shows(
    supervisor: User,
    case_worker: User,
    outsider: User,
    agency_a: Agency,
    agency_b: Agency,
    login_english: Callable[[User], Client],
) -> None:
    sent = ProposedTransferFactory(
        case=CaseFactory(lead_agency=agency_a, case_worker=case_worker),
        to_agency=agency_b,
        proposed_by=supervisor,
    )
    incoming = ProposedTransferFactory(
        case=CaseFactory(lead_agency=agency_b, case_worker=outsider),
        to_agency=agency_a,
        proposed_by=outsider,
    )
    client = login_english(supervisor)
    html = client.get(TRANSFERS).content.decode()
    assert 'data-testid="export-links"' in html and 'data-testid="export-links-incoming"' in html

    waiting = csv_rows(_post(client, TRANSFERS, "csv", table="incoming"))
    assert waiting == [
        ["Transfer", "Case", "From", "Proposed on"],
        [incoming.code, incoming.case.code, "Agency B", "2026-11-02"],
    ]
    handed = csv_rows(_post(client, TRANSFERS, "csv"))
    assert handed == [
        ["Case", "Proposed on", "To", "Status", "Answered on"],
        [sent.case.code, "2026-11-02", "Agency B", "Proposed", ""],
    ]
    assert [(e.object_code, e.details["rows"]) for e in exports_written()] == [
        ("cases-transfers-incoming", 1),
        ("cases-transfers-sent", 1),
    ]


def test_a_case_worker_who_answers_no_transfer_cannot_export_the_incoming_ones(
    case_worker: User,
    outsider: User,
    agency_a: Agency,
    agency_b: Agency,
    login_english: Callable[[User], Client],
) -> None:
    incoming = ProposedTransferFactory(
        case=CaseFactory(lead_agency=agency_b, case_worker=outsider),
        to_agency=agency_a,
        proposed_by=outsider,
    )
    client = login_english(case_worker)
    assert 'data-testid="export-links-incoming"' not in client.get(TRANSFERS).content.decode()
    # The address asks for the incoming table: the worker gets the table they see.
    rows = csv_rows(_post(client, TRANSFERS, "csv", table="incoming"))
    assert rows == [["Case", "Proposed on", "To", "Status", "Answered on"]]
    assert incoming.code not in str(rows) and incoming.case.code not in str(rows)
    assert [(e.object_code, e.details["rows"]) for e in exports_written()] == [
        ("cases-transfers-sent", 0)
    ]


@pytest.mark.parametrize("url", [APPROVALS, f"{APPROVALS}?table=closures"])
def test_a_case_worker_may_not_export_the_approvals(
    url: str, case_worker: User, agency_a: Agency, login_english: Callable[[User], Client]
) -> None:
    CarePlanFactory(
        case=CaseFactory(lead_agency=agency_a, case_worker=case_worker),
        status=CarePlanStatus.SUBMITTED,
    )
    client = login_english(case_worker)
    target = url + ("&" if "?" in url else "?") + "export=csv"
    response = client.post(target, {"purpose": "reporting", "password": PASSWORD})
    assert response.status_code == 403
    assert exports_written() == []


# --- the worklist -------------------------------------------------------------------------

TODAY = datetime.date(2026, 6, 15)
WORKLIST_HEADERS = [
    "Case",
    "Survivor",
    "Phase",
    "Risk",
    "Next action",
    "Due",
    "Overdue",
    "Child",
    "Foreign national",
]


@pytest.fixture
def on_the_day() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _export_worklist(client: Client, fmt: str, query: str) -> Any:
    return client.post(
        f"{QUEUE}?{query}&export={fmt}", {"purpose": "reporting", "password": PASSWORD}
    )


def _plain(case: Case, due: str, section: str = "Other open cases") -> list[str]:
    """The row of a case of the worker's worklist with nothing to note."""
    return [
        section,
        case.code,
        case.survivor.code,
        "Identification",
        "Not assessed",
        "Risk review",
        due,
        "No",
        "No",
        "No",
    ]


@pytest.mark.usefixtures("on_the_day")
def test_the_worklist_exports_all_its_pages_in_the_pages_order_by_codes_and_never_names(
    case_worker: User, agency_a: Agency, login_english: Callable[[User], Client]
) -> None:
    overdue = on_worklist(
        agency_a,
        case_worker,
        due=datetime.date(2026, 6, 10),
        level="critical",
        action=DeadlineKind.REFERRAL_ANSWER,
        name_ar="سلمى أحمد علي",
        name_latin="Salma Ahmed",
        birth_year=None,
        nationality="SY",
    )
    high = on_worklist(
        agency_a, case_worker, due=datetime.date(2026, 7, 1), level="high", name_latin="Nour Ali"
    )
    new = on_worklist(
        agency_a,
        case_worker,
        due=datetime.date(2026, 7, 2),
        new_until=datetime.date(2026, 6, 18),
        action=DeadlineKind.CARE_PLAN,
    )
    rest = [
        on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 16) + datetime.timedelta(n))
        for n in range(27)
    ]
    client = login_english(case_worker)
    page = client.get(f"{QUEUE}?scope=mine&sort=urgency").content.decode()
    assert page.count('data-testid="worklist-row"') == 25
    assert rest[-1].code not in page  # beyond the first page
    assert 'href="?scope=mine&amp;sort=urgency&amp;export=xlsx"' in page
    assert 'href="?scope=mine&amp;sort=urgency&amp;export=csv"' in page
    listed = AuditEvent.objects.filter(action="survivor.identity_listed").count()
    assert listed == 1  # the page showed first names

    expected = [
        ["Section", *WORKLIST_HEADERS],
        [
            "Overdue",
            overdue.code,
            overdue.survivor.code,
            "Identification",
            "Critical",
            "Chase the referral answer",
            "2026-06-10",
            "Yes",
            "Yes",
            "Yes",
        ],
        [
            "High and critical risk",
            high.code,
            high.survivor.code,
            "Identification",
            "High",
            "Risk review",
            "2026-07-01",
            "No",
            "No",
            "No",
        ],
        [
            "New this week: assigned or identified",
            new.code,
            new.survivor.code,
            "Identification",
            "Not assessed",
            "Care plan",
            "2026-07-02",
            "No",
            "No",
            "No",
        ],
        *(
            _plain(case, (datetime.date(2026, 6, 16) + datetime.timedelta(n)).isoformat())
            for n, case in enumerate(rest)
        ),
    ]
    table = csv_rows(_export_worklist(client, "csv", "scope=mine&sort=urgency"))
    assert table == expected
    # From the address of a later page (the "next 25" link without htmx): the whole list,
    # and the page's place is not counted among the filters.
    sheet = sheet_rows(_export_worklist(client, "xlsx", "scope=mine&sort=urgency&after=x"))
    assert sheet == expected

    written = str(table) + str(sheet)
    for case in [overdue, high, new, *rest]:
        for name in (case.survivor.name_ar, case.survivor.name_latin):
            assert name not in written and rules.first_name(name) not in written
    assert "سلمى" not in written and "Salma" not in written
    # The file shows no first name: the export writes its own audit row, not the page's.
    assert AuditEvent.objects.filter(action="survivor.identity_listed").count() == listed
    assert [
        (e.object_code, e.purpose, e.details["format"], e.details["rows"], e.details["filters"])
        for e in exports_written()
    ] == [
        ("cases-worklist", "reporting", "csv", 30, ["scope", "sort"]),
        ("cases-worklist", "reporting", "xlsx", 30, ["scope", "sort"]),
    ]


@pytest.mark.usefixtures("on_the_day")
def test_a_supervisor_exports_the_agency_worklist_or_their_own_and_never_another_agencys(
    case_worker: User,
    supervisor: User,
    outsider: User,
    agency_a: Agency,
    agency_b: Agency,
    login_english: Callable[[User], Client],
) -> None:
    worker_case = on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 20))
    own = on_worklist(agency_a, supervisor, due=datetime.date(2026, 6, 10), level="low")
    elsewhere = on_worklist(agency_b, outsider, due=datetime.date(2026, 6, 1))
    own_row = [
        own.code,
        own.survivor.code,
        "Identification",
        "Low",
        "Risk review",
        "2026-06-10",
        "Yes",
        "No",
        "No",
    ]
    client = login_english(supervisor)
    assert csv_rows(_export_worklist(client, "csv", "scope=agency&sort=due")) == [
        WORKLIST_HEADERS,
        own_row,
        _plain(worker_case, "2026-06-20")[1:],
    ]
    assert csv_rows(_export_worklist(client, "csv", "scope=mine&sort=urgency")) == [
        ["Section", *WORKLIST_HEADERS],
        ["Overdue", *own_row],
    ]
    # The agency's worklist is the supervisor's default, as on the page.
    assert csv_rows(_export_worklist(client, "csv", "sort=risk")) == [
        WORKLIST_HEADERS,
        own_row,
        _plain(worker_case, "2026-06-20")[1:],
    ]
    worker = csv_rows(_export_worklist(login_english(case_worker), "csv", "scope=agency"))
    assert worker == [["Section", *WORKLIST_HEADERS], _plain(worker_case, "2026-06-20")]
    theirs = csv_rows(_export_worklist(login_english(outsider), "csv", "scope=agency"))
    assert [row[1] for row in theirs[1:]] == [elsewhere.code]
    assert [(e.object_code, e.details["rows"]) for e in exports_written()] == [
        ("cases-worklist", 2),
        ("cases-worklist", 1),
        ("cases-worklist", 2),
        ("cases-worklist", 1),
        ("cases-worklist", 1),
    ]


@pytest.mark.parametrize(
    "role", [r.value for r in Role if r not in (Role.CASE_WORKER, Role.SUPERVISOR)]
)
def test_a_role_without_cases_may_not_export_the_worklist_and_nothing_is_written(
    role: str,
    personas: dict[str, User],
    agency_a: Agency,
    login_english: Callable[[User], Client],
) -> None:
    on_worklist(agency_a, personas[Role.CASE_WORKER], due=datetime.date(2026, 6, 20))
    client = login_english(personas[role])
    before = AuditEvent.objects.count()
    assert client.get(f"{QUEUE}?export=csv").status_code == 403
    assert _export_worklist(client, "xlsx", "scope=agency").status_code == 403
    assert AuditEvent.objects.count() == before


def test_a_post_to_the_worklist_without_an_export_is_refused_and_writes_nothing(
    case_worker: User, agency_a: Agency, login_english: Callable[[User], Client]
) -> None:
    on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 20))
    client = login_english(case_worker)
    before = AuditEvent.objects.count()
    response = client.post(QUEUE, {"purpose": "reporting", "password": PASSWORD})
    assert response.status_code == 405
    assert AuditEvent.objects.count() == before


@pytest.mark.usefixtures("on_the_day")
def test_a_worklist_longer_than_the_export_limit_is_refused_and_writes_nothing(
    case_worker: User,
    agency_a: Agency,
    login_english: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(3):
        on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 20 + n))
    monkeypatch.setattr(exports, "MAX_EXPORT_ROWS", 2)
    response = _export_worklist(login_english(case_worker), "csv", "scope=mine")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert exports_written() == []


def test_the_whole_worklist_is_read_section_by_section_as_it_is_read(
    case_worker: User, agency_a: Agency
) -> None:
    first = [
        on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 1 + n)) for n in range(3)
    ]
    later = on_worklist(agency_a, case_worker, due=datetime.date(2026, 7, 1), level="high")
    rows = selectors.worklist_rows(case_worker, scope="mine", sort="urgency", today=TODAY)
    with CaptureQueriesContext(connection) as started:
        assert [row.case.code for row in islice(rows, 2)] == [c.code for c in first[:2]]
    with CaptureQueriesContext(connection) as finished:
        assert [row.case.code for row in rows] == [first[2].code, later.code]
    # The overdue section was read first; the three others only once it was done.
    assert len([q for q in started.captured_queries if '"cases_case"' in q["sql"]]) == 1
    assert len([q for q in finished.captured_queries if '"cases_case"' in q["sql"]]) == 3


@pytest.mark.parametrize("name", ["cases:list", "cases:approvals", "cases:transfers"])
def test_a_post_to_a_case_list_without_an_export_is_refused_and_writes_nothing(
    supervisor: User, login_english: Callable[[User], Client], name: str
) -> None:
    client = login_english(supervisor)
    url = reverse(name)
    assert client.get(url).status_code == 200
    before = AuditEvent.objects.count()
    response = client.post(url, {"purpose": "reporting", "password": PASSWORD})
    assert response.status_code == 405
    assert AuditEvent.objects.count() == before
