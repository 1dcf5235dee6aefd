"""The approvals and the transfers leave the system through the export door, each table
on its own: cases by code only as on the page, a purpose, the password, one audit row."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Agency
from himaya.audit.tests.exported import csv_rows, exports_written, sheet_rows
from himaya.cases.models import CarePlanStatus
from himaya.cases.tests.factories import (
    CarePlanFactory,
    CaseFactory,
    ClosureRequestFactory,
    ProposedTransferFactory,
)

pytestmark = pytest.mark.django_db

APPROVALS = reverse("cases:approvals")
TRANSFERS = reverse("cases:transfers")


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
