"""Implausible input is refused with a message, the same through the page and the API,
and changes nothing; the administration site never shows a justification."""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from himaya.audit.models import AuditEvent
from himaya.core.bounds import MAX_TEXT_LENGTH
from himaya.fund.models import (
    BudgetLine,
    LedgerEntry,
    LimitChange,
    PaymentLimit,
    PaymentRequest,
    Status,
)
from himaya.fund.rules import MAX_REQUEST_AMOUNT
from himaya.fund.tests.factories import (
    BudgetLineFactory,
    FiscalYearFactory,
    PaymentRequestFactory,
    make_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(time_machine: Any) -> None:
    """The fiscal year 2025/26 is the current one, 2026/27 the next, 2024/25 past."""
    time_machine.move_to("2026-03-15 10:00:00+02:00", tick=False)


@pytest.fixture(autouse=True)
def english(client: Any) -> None:
    client.cookies["himaya_language"] = "en"


MEGABYTE = "ش" * (1024 * 1024)
TOO_LONG = "ش" * (MAX_TEXT_LENGTH + 1)


def snapshot() -> dict[str, Any]:
    """Everything a refused fund request must leave as it was."""
    return {
        "requests": list(
            PaymentRequest.objects.order_by("id").values_list("code", "status", "version")
        ),
        "ledger": LedgerEntry.objects.count(),
        "lines": BudgetLine.objects.count(),
        "limits": list(PaymentLimit.objects.values_list("per_request", "version")),
        "changes": list(LimitChange.objects.values_list("status", "version")),
        "events": AuditEvent.objects.exclude(action__startswith="auth.").count(),
    }


@pytest.fixture
def world(officer, approver) -> dict[str, Any]:
    line = BudgetLineFactory()
    case = make_case()
    payment = PaymentRequestFactory(requested_by=officer, budget_line=line, case=case)
    paid = PaymentRequestFactory(requested_by=officer, budget_line=line, status=Status.PAID)
    past = FiscalYearFactory(label="2024/25", starts_on="2024-07-01", ends_on="2025-06-30")
    return {"line": line, "case": case, "payment": payment, "paid": paid, "past": past}


def request_body(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "case": world["case"].code,
        "budget_line": world["line"].code,
        "purpose": "medical",
        "amount": "1500.00",
        "justification": "أدوية مزمنة",
        **changes,
    }


# (who, url name, needs the payment code, body builder, a word of the expected message)
API_CASES = [
    (
        "officer",
        "fund:api_request",
        None,
        lambda w: request_body(w, amount="999999999999.99"),
        "1,000,000.00",
    ),
    (
        "officer",
        "fund:api_request",
        None,
        lambda w: request_body(w, amount="1000000000000"),
        "12 digits",
    ),
    (
        "officer",
        "fund:api_request",
        None,
        lambda w: request_body(w, amount="-5"),
        "greater than zero",
    ),
    (
        "officer",
        "fund:api_request",
        None,
        lambda w: request_body(w, amount="0"),
        "greater than zero",
    ),
    ("officer", "fund:api_request", None, lambda w: request_body(w, amount="NaN"), ""),
    ("officer", "fund:api_request", None, lambda w: request_body(w, amount="1.005"), "2"),
    (
        "officer",
        "fund:api_request",
        None,
        lambda w: request_body(w, justification=MEGABYTE),
        "",
    ),
    (
        "officer",
        "fund:api_request",
        None,
        lambda w: request_body(w, justification=TOO_LONG),
        "5000",
    ),
    ("officer", "fund:api_request", None, lambda w: request_body(w, justification="   "), ""),
    ("officer", "fund:api_request", None, lambda w: request_body(w, purpose="bribe"), ""),
    ("approver", "fund:api_reject", "payment", lambda w: {"reason": MEGABYTE}, ""),
    ("approver", "fund:api_reject", "payment", lambda w: {"reason": TOO_LONG}, "5000"),
    ("approver", "fund:api_reverse", "paid", lambda w: {"reason": TOO_LONG}, "5000"),
    ("approver", "fund:api_approve", "payment", lambda w: {"version": 10**30}, ""),
    ("approver", "fund:api_approve", "payment", lambda w: {"version": -1}, ""),
    (
        "officer",
        "fund:api_pay",
        "payment",
        lambda w: {"method": "cash", "reference": "R" * 101},
        "100",
    ),
    (
        "approver",
        "fund:api_lines",
        None,
        lambda w: {
            "fiscal_year": "2024/25",
            "name_ar": "بند",
            "name_en": "Line",
            "source_of_funds": "government",
            "amount": "100",
        },
        "current or the next",
    ),
    (
        "approver",
        "fund:api_lines",
        None,
        lambda w: {
            "fiscal_year": "2025/26",
            "name_ar": "بند",
            "name_en": "Line",
            "source_of_funds": "government",
            "amount": "999999999999.99",
        },
        "1,000,000,000.00",
    ),
    (
        "approver",
        "fund:api_lines",
        None,
        lambda w: {
            "fiscal_year": "2025/26",
            "name_ar": "بند",
            "name_en": "L" * 201,
            "source_of_funds": "government",
            "amount": "100",
        },
        "200",
    ),
    (
        "approver",
        "fund:api_limit_propose",
        None,
        lambda w: {
            "fiscal_year": "2025/26",
            "purpose": "",
            "per_request": "999999999999.99",
            "per_survivor_year": None,
        },
        "100,000,000.00",
    ),
    (
        "approver",
        "fund:api_limit_propose",
        None,
        lambda w: {
            "fiscal_year": "2025/26",
            "purpose": "",
            "per_request": "-1",
            "per_survivor_year": None,
        },
        "greater than zero",
    ),
    (
        "approver",
        "fund:api_limit_propose",
        None,
        lambda w: {
            "fiscal_year": "9999/00",
            "purpose": "",
            "per_request": "10",
            "per_survivor_year": None,
        },
        "fiscal year",
    ),
]


@pytest.mark.parametrize(
    ("who", "name", "arg", "body", "says"),
    API_CASES,
    ids=[f"{case[1]}-{i}" for i, case in enumerate(API_CASES)],
)
def test_the_fund_api_refuses_implausible_input_and_changes_nothing(
    client, login, officer, approver, world, who, name, arg, body, says
) -> None:
    login({"officer": officer, "approver": approver}[who])
    before = snapshot()
    args = [world[arg].code] if arg else []
    response = client.post(reverse(name, args=args), body(world), content_type="application/json")
    assert response.status_code == 400
    assert says in response.content.decode()
    assert snapshot() == before


STATEMENT_CASES = [
    ({"start": "0001-01-01", "end": "9999-12-31"}, "2000-01-01"),
    ({"start": "1999-12-31", "end": "2026-01-01"}, "2000-01-01"),
    ({"start": "2026-01-01", "end": "2040-01-01"}, "2000-01-01"),
    ({"start": "2000-01-01", "end": "2026-01-01"}, "1830"),
    ({"start": "2026-06-30", "end": "2025-07-01"}, "end comes before"),
    ({"start": "2026-02-30", "end": "2026-03-01"}, ""),
    ({"start": "yesterday", "end": "2026-03-01"}, ""),
    ({"end": "2026-03-01"}, "both the start and the end"),
]


@pytest.mark.parametrize(("query", "says"), STATEMENT_CASES)
def test_an_implausible_statement_period_is_a_400_on_the_page_and_the_api(
    client, login, officer, world, query, says
) -> None:
    login(officer)
    before = snapshot()
    api = client.get(reverse("fund:api_statement"), query)
    assert api.status_code == 400
    assert says in api.content.decode()
    if "start" not in query:  # the page shows the current fiscal year without a start
        return
    for extra in ({}, {"format": "xlsx"}, {"export": "xlsx"}):
        page = client.get(reverse("fund:statement"), {**query, **extra})
        assert page.status_code == 400
        assert page["Content-Type"].startswith("text/html")
        assert says in page.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("query", [{"start": "2025-07-01", "end": "2026-06-30"}, {}])
def test_a_plausible_statement_through_the_api(client, login, officer, world, query) -> None:
    login(officer)
    response = client.get(reverse("fund:api_statement"), query)
    assert response.status_code == 200
    row = next(r for r in response.json() if r["code"] == world["line"].code)
    assert (row["opening"]["allocated"], row["closing"]["allocated"]) == ("0.00", "10000.00")
    assert [m["kind"] for m in row["movements"]] == ["allocation"]


def test_the_request_page_refuses_what_the_api_refuses(client, login, officer, world) -> None:
    login(officer)
    before = snapshot()
    for amount, justification, says in [
        ("999999999999.99", "أدوية", "1,000,000.00"),
        (str(MAX_REQUEST_AMOUNT + 1), "أدوية", "1,000,000.00"),
        ("100", "ب" * (MAX_TEXT_LENGTH + 1), "5000"),
    ]:
        response = client.post(
            reverse("fund:request"),
            {
                "case_code": world["case"].code,
                "budget_line": world["line"].pk,
                "purpose": "medical",
                "amount": amount,
                "justification": justification,
            },
        )
        assert response.status_code == 200  # the form is shown again with its errors
        assert says in response.content.decode()
    assert snapshot() == before


def test_the_budget_line_page_refuses_a_past_fiscal_year(client, login, approver, world) -> None:
    login(approver)
    before = snapshot()
    response = client.post(
        reverse("fund:line_create"),
        {
            "fiscal_year": world["past"].pk,
            "name_ar": "بند قديم",
            "name_en": "Old line",
            "source": "government",
            "amount": "1000.00",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["fiscal_year"]
    assert snapshot() == before


def test_the_action_refuses_a_budget_line_on_a_past_fiscal_year(approver, world) -> None:
    from himaya.fund import actions

    before = snapshot()
    with pytest.raises(actions.FundError, match="current or the next"):
        actions.open_budget_line(
            fiscal_year=world["past"],
            name_ar="بند",
            name_en="Line",
            source="government",
            amount=Decimal("10"),
            by=approver,
        )
    assert snapshot() == before


def test_the_api_opens_a_budget_line_on_the_next_fiscal_year(client, login, approver) -> None:
    call_command("open_fiscal_years", stdout=io.StringIO())
    login(approver)
    response = client.post(
        reverse("fund:api_lines"),
        {
            "fiscal_year": "2026/27",
            "name_ar": "بند العام القادم",
            "name_en": "Next year",
            "source_of_funds": "donor",
            "amount": "5000.00",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (response.json()["fiscal_year"], response.json()["available"]) == ("2026/27", "5000.00")
    assert BudgetLine.objects.get().fiscal_year.label == "2026/27"


def test_the_limits_page_refuses_an_implausible_limit(client, login, approver, world) -> None:
    login(approver)
    before = snapshot()
    response = client.post(
        reverse("fund:limits"),
        {"fiscal_year": world["line"].fiscal_year.pk, "per_request": "999999999999.99"},
    )
    assert response.status_code == 400
    assert "100,000,000.00" in response.content.decode()
    assert snapshot() == before


def test_a_huge_version_on_a_page_is_refused_not_a_crash(client, login, approver, world) -> None:
    login(approver)
    before = snapshot()
    response = client.post(
        reverse("fund:approve", args=[world["payment"].code]), {"version": 10**30}
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_the_admin_never_shows_a_justification(
    client, login, officer_approver, officer, world
) -> None:
    secret = "تفاصيل حساسة عن وضع الناجية"
    payment = PaymentRequestFactory(requested_by=officer, justification=secret)
    login(officer_approver)
    changelist = reverse("himaya_admin:fund_paymentrequest_changelist")
    listing = client.get(changelist)
    change = client.get(reverse("himaya_admin:fund_paymentrequest_change", args=[payment.pk]))
    search = client.get(changelist, {"q": secret})
    assert (listing.status_code, change.status_code, search.status_code) == (200, 200, 200)
    for response in (listing, change):
        html = response.content.decode()
        assert secret not in html
        assert "justification" not in html.lower()
    assert payment.code in change.content.decode()
    assert search.context["cl"].result_count == 0
    assert client.get(changelist, {"q": payment.code}).context["cl"].result_count == 1
