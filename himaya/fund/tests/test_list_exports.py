"""The fund's lists leave the system through the export door: the budget lines and the
totals with the page's rows and columns, no case, a purpose, the password, one audit row."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import csv_rows as _csv
from himaya.audit.tests.exported import exports_written as _exports
from himaya.audit.tests.exported import sheet_rows as _sheet
from himaya.fund import actions
from himaya.fund.models import Method, PaymentRequest
from himaya.fund.tests.factories import PaymentRequestFactory, make_case, version_of

pytestmark = pytest.mark.django_db

LINES = reverse("fund:lines")
TOTALS = reverse("fund:totals")
LIMITS = reverse("fund:limits")
BALANCES = [
    "Fiscal year",
    "Budget line",
    "Source",
    "Allocated",
    "Committed",
    "Paid",
    "Available",
]


def _post(client: Client, url: str, fmt: str, purpose: str = "reporting") -> Any:
    return client.post(
        f"{url}&export={fmt}" if "?" in url else f"{url}?export={fmt}",
        {
            "purpose": purpose,
            "password": PASSWORD,
        },
    )


@pytest.fixture
def login(login_english: Callable[[User], Client]) -> Callable[[User], Client]:
    """Signed in, reading English (the root conftest's ``login_english``)."""
    return login_english


@pytest.fixture
def paid(personas: dict[str, User], agency_a: Any) -> PaymentRequest:
    """A paid request of a case: the line has movements and a purpose has a total."""
    case = make_case(agency_a, personas["case_worker"])
    payment = PaymentRequestFactory(
        case=case, requested_by=personas["fund_officer"], amount=Decimal("1500.00")
    )
    payment.budget_line.donor = '=HYPERLINK("http://evil.example","x")'
    payment.budget_line.save()
    payment = actions.approve_payment(
        payment=payment, expected_version=version_of(payment), by=personas["fund_approver"]
    )
    return actions.record_payment(
        payment=payment,
        expected_version=version_of(payment),
        by=personas["fund_officer"],
        method=Method.BANK_TRANSFER,
        reference="TRX-1",
    )


@pytest.mark.parametrize("role", ["fund_officer", "fund_approver"])
def test_the_budget_lines_export_the_rows_and_columns_the_page_shows(
    role: str, personas: dict[str, User], paid: PaymentRequest, login: Callable[[User], Client]
) -> None:
    client = login(personas[role])
    page = client.get(LINES)
    shown = [line.code for line, _ in page.context["rows"]]
    assert shown == [paid.budget_line.code]
    assert 'data-testid="export-links"' in page.content.decode()

    workbook = _post(client, LINES, "xlsx")
    assert workbook.status_code == 200
    sheet = _sheet(workbook)
    line = paid.budget_line
    assert sheet[0] == BALANCES
    assert len(sheet) == 2
    year, name, source, allocated, committed, paid_out, available = sheet[1]
    assert (year, source) == (line.fiscal_year.label, "Government allocation")
    assert name.startswith(f"{line.name} · ") and not name.startswith("=")
    assert "evil.example" in name  # the donor, neutralised, not dropped
    assert Decimal(str(allocated)) == Decimal("10000.00")
    assert Decimal(str(paid_out)) == Decimal("1500.00")
    assert Decimal(str(available)) == Decimal("8500.00")
    assert Decimal(str(committed)) == Decimal("0.00")

    table = _csv(_post(client, LINES, "csv"))
    assert table[0] == BALANCES
    assert [row[0] for row in table[1:]] == [line.fiscal_year.label]
    assert paid.case.code not in str(sheet) + str(table)

    events = _exports()
    assert [(e.object_code, e.purpose, e.details["format"], e.details["rows"]) for e in events] == [
        ("fund-budget-lines", "reporting", "xlsx", 1),
        ("fund-budget-lines", "reporting", "csv", 1),
    ]


@pytest.mark.parametrize("role", ["fund_officer", "analyst"])
def test_both_tables_of_the_totals_export_the_cells_the_page_shows_without_any_case(
    role: str, personas: dict[str, User], paid: PaymentRequest, login: Callable[[User], Client]
) -> None:
    client = login(personas[role])
    html = client.get(TOTALS).content.decode()
    assert 'data-testid="export-links"' in html and "export-links-purpose" in html

    lines = _sheet(_post(client, TOTALS, "xlsx"))
    assert lines[0] == BALANCES
    assert [row[:3] for row in lines[1:]] == [
        [paid.budget_line.fiscal_year.label, paid.budget_line.name_en, "Government allocation"]
    ]
    assert Decimal(str(lines[1][5])) == Decimal("1500.00")

    purposes = _sheet(_post(client, f"{TOTALS}?table=purpose", "xlsx"))
    assert purposes[0] == ["Fiscal year", "Purpose", "Paid (EGP)"]
    assert [row[:2] for row in purposes[1:]] == [
        [paid.budget_line.fiscal_year.label, "Medical costs"]
    ]
    assert Decimal(str(purposes[1][2])) == Decimal("1500.00")
    table = _csv(_post(client, f"{TOTALS}?table=purpose", "csv"))
    assert table[0] == ["Fiscal year", "Purpose", "Paid (EGP)"]
    assert [row[:2] for row in table[1:]] == [[paid.budget_line.fiscal_year.label, "Medical costs"]]
    assert Decimal(table[1][2]) == Decimal("1500.00")
    everything = str(lines) + str(purposes) + str(table)
    assert paid.case.code not in everything and paid.code not in everything

    assert [(e.object_code, e.purpose, e.details["format"]) for e in _exports()] == [
        ("fund-totals", "reporting", "xlsx"),
        ("fund-paid-by-purpose", "reporting", "xlsx"),
        ("fund-paid-by-purpose", "reporting", "csv"),
    ]


@pytest.mark.parametrize(
    ("url", "role"),
    [
        (LINES, "analyst"),
        (LINES, "case_worker"),
        (LINES, "outsider"),
        (LIMITS, "analyst"),
        (LIMITS, "partner_staff"),
        (TOTALS, "case_worker"),
        (f"{TOTALS}?table=purpose", "partner_staff"),
        (f"{TOTALS}?table=purpose", "outsider"),
    ],
)
def test_a_role_that_may_not_see_the_list_gets_no_export_and_no_audit_row(
    url: str,
    role: str,
    personas: dict[str, User],
    paid: PaymentRequest,
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    before = AuditEvent.objects.count()
    assert _post(client, url, "xlsx").status_code == 403
    assert _post(client, url, "csv").status_code == 403
    assert _exports() == []
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("url", [LINES, LIMITS, TOTALS, f"{TOTALS}?table=purpose"])
def test_an_export_without_a_purpose_is_refused_and_writes_nothing(
    url: str, personas: dict[str, User], paid: PaymentRequest, login: Callable[[User], Client]
) -> None:
    client = login(personas["fund_officer"])
    before = AuditEvent.objects.count()
    target = f"{url}&export=xlsx" if "?" in url else f"{url}?export=xlsx"
    refused = client.post(target, {"password": PASSWORD})
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")
    assert AuditEvent.objects.count() == before


STATEMENT = reverse("fund:statement")
STATEMENT_HEADERS = [
    "Budget line",
    "Code",
    "Fiscal year",
    "Movement",
    "Payment request",
    "Date",
    "Amount (EGP)",
    "Allocated",
    "Committed",
    "Paid",
    "Available",
]


def test_the_statement_exports_its_lines_and_movements_as_the_page_shows_them(
    personas: dict[str, User], paid: PaymentRequest, login: Callable[[User], Client]
) -> None:
    client = login(personas["fund_officer"])
    page = client.get(STATEMENT)
    assert 'data-testid="export-links"' in page.content.decode()
    (shown,) = page.context["rows"]
    kinds = [entry.get_kind_display() for entry in shown["movements"]]

    sheet = _sheet(_post(client, STATEMENT, "xlsx"))
    assert sheet[0] == STATEMENT_HEADERS
    lines, compensation = sheet[1:-3], sheet[-3:]
    assert [row[3] for row in lines] == ["Opening balance", *kinds, "Closing balance"]
    assert {row[1] for row in lines} == {paid.budget_line.code}
    assert paid.code in [row[4] for row in lines]
    closing = lines[-1]
    assert Decimal(str(closing[6])) == Decimal(str(closing[10])) == Decimal("8500.00")
    assert Decimal(str(closing[9])) == Decimal("1500.00")
    assert paid.case.code not in str(sheet)
    # The court compensation of the period, as the page shows it below the budget lines.
    assert [row[0] for row in compensation] == [
        "Court compensation in the period",
        "Compensation claimed",
        "Compensation received",
    ]
    assert [row[3] for row in compensation] == [None, "Claims: 0", "Receipts: 0"]
    assert [row[6] for row in compensation] == [None, 0, 0]

    table = _csv(_post(client, STATEMENT, "csv"))
    assert [row[3] for row in table] == [row[3] or "" for row in sheet]

    assert [(e.object_code, e.purpose, e.details["rows"]) for e in _exports()] == [
        ("fund-statement", "reporting", len(sheet) - 1),
        ("fund-statement", "reporting", len(sheet) - 1),
    ]


@pytest.mark.parametrize("role", ["analyst", "case_worker", "outsider"])
def test_a_role_that_may_not_see_the_statement_gets_no_export_and_no_audit_row(
    role: str, personas: dict[str, User], paid: PaymentRequest, login: Callable[[User], Client]
) -> None:
    client = login(personas[role])
    before = AuditEvent.objects.count()
    assert _post(client, STATEMENT, "xlsx").status_code == 403
    assert _post(client, STATEMENT, "csv").status_code == 403
    assert AuditEvent.objects.count() == before


def test_a_statement_export_without_a_purpose_is_refused_and_writes_nothing(
    personas: dict[str, User], paid: PaymentRequest, login: Callable[[User], Client]
) -> None:
    client = login(personas["fund_approver"])
    before = AuditEvent.objects.count()
    refused = client.post(f"{STATEMENT}?export=csv", {"password": PASSWORD})
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")
    assert AuditEvent.objects.count() == before


def test_the_limits_in_force_export_as_the_page_shows_them(
    personas: dict[str, User],
    second_approver: User,
    paid: PaymentRequest,
    login: Callable[[User], Client],
) -> None:
    approver = personas["fund_approver"]
    change = actions.propose_limit_change(
        fiscal_year=paid.budget_line.fiscal_year,
        purpose="",
        per_request=Decimal("900.00"),
        per_survivor_year=None,
        by=approver,
        expected_version=0,
    )
    actions.approve_limit_change(
        change=change, by=second_approver, expected_version=version_of(change)
    )
    client = login(personas["fund_officer"])
    shown = list(client.get(LIMITS).context["rows"])
    assert len(shown) == 1

    sheet = _sheet(_post(client, LIMITS, "xlsx"))
    assert sheet[0] == [
        "Fiscal year",
        "Purpose",
        "Per request (EGP)",
        "Per survivor per fiscal year (EGP)",
    ]
    assert sheet[1][:2] == [
        paid.budget_line.fiscal_year.label,
        "Every purpose without its own limit",
    ]
    assert Decimal(str(sheet[1][2])) == Decimal("900.00")
    assert sheet[1][3] is None
    table = _csv(_post(client, LIMITS, "csv"))
    assert [row[:2] for row in table] == [row[:2] for row in sheet]
    assert [(e.object_code, e.details["rows"]) for e in _exports()] == [
        ("fund-limits", len(shown)),
        ("fund-limits", len(shown)),
    ]
