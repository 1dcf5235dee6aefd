"""Pages and API of the fund: the access matrix, four eyes everywhere, uploads, exports."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from himaya.accounts.tests.factories import PASSWORD
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import exports_written, sheet_rows
from himaya.core.exports import XLSX
from himaya.core.locking import ConcurrentEditError
from himaya.fund import actions
from himaya.fund.models import LedgerEntry, Method, PaymentRequest, Status, SupportingDocument
from himaya.fund.tests import samples
from himaya.fund.tests.factories import (
    BudgetLineFactory,
    PaymentRequestFactory,
    make_case,
    version_of,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "case_worker",
    "supervisor",
    "shelter_staff",
    "fund_officer",
    "fund_approver",
    "empowerment_officer",
    "grants_officer",
    "partner_staff",
    "operator",
    "analyst",
    "auditor",
    "administrator",
    "outsider",
]
FUND = {"fund_officer", "fund_approver"}
CASE = {"case_worker", "supervisor"}


@pytest.fixture
def payment(personas, agency_a) -> PaymentRequest:
    case = make_case(agency_a, personas["case_worker"])
    return PaymentRequestFactory(case=case, requested_by=personas["fund_officer"])


def expected(allowed: set[str], role: str, *, outsider: int = 403, ok: int = 200) -> int:
    if role == "outsider" and outsider != 403:
        return outsider
    return ok if role in allowed else 403


# (url name, needs the payment code / case code, method, allowed roles, outsider, ok status)
ENDPOINTS = [
    ("fund:payments", None, "get", FUND | CASE | {"outsider"}, 200, 200),
    ("fund:request", None, "get", {"fund_officer"}, 403, 200),
    ("fund:payment_detail", "payment", "get", FUND | CASE, 404, 200),
    ("fund:lines", None, "get", FUND, 403, 200),
    ("fund:line_create", None, "get", {"fund_approver"}, 403, 200),
    ("fund:line_create", None, "post", {"fund_approver"}, 403, 200),
    ("fund:limits", None, "get", FUND, 403, 200),
    ("fund:limits", None, "post", {"fund_approver"}, 403, 400),
    ("fund:statement", None, "get", FUND, 403, 200),
    ("fund:totals", None, "get", FUND | {"analyst"}, 403, 200),
    ("fund:case_panel", "case", "get", CASE, 404, 200),
    ("fund:approve", "payment", "post", {"fund_approver"}, 403, 409),
    ("fund:reject", "payment", "post", {"fund_approver"}, 403, 400),
    ("fund:pay", "payment", "post", FUND, 403, 400),
    ("fund:reverse", "payment", "post", {"fund_approver"}, 403, 400),
    ("fund:upload", "payment", "post", FUND, 403, 400),
    ("fund:api_payments", None, "get", FUND | CASE | {"outsider"}, 200, 200),
    ("fund:api_payment", "payment", "get", FUND | CASE, 404, 200),
    ("fund:api_request", None, "post", {"fund_officer"}, 403, 400),
    ("fund:api_approve", "payment", "post", {"fund_approver"}, 403, 409),
    ("fund:api_reject", "payment", "post", {"fund_approver"}, 403, 400),
    ("fund:api_pay", "payment", "post", FUND, 403, 400),
    ("fund:api_reverse", "payment", "post", {"fund_approver"}, 403, 400),
    ("fund:api_lines", None, "get", FUND, 403, 200),
    ("fund:api_lines", None, "post", {"fund_approver"}, 403, 400),
    ("fund:api_totals", None, "get", FUND | {"analyst"}, 403, 200),
    ("fund:api_statement", None, "get", FUND, 403, 200),
    ("fund:api_upload", "payment", "post", FUND, 403, 400),
    ("fund:limit_change_approve", "change", "post", {"fund_approver"}, 403, 409),
    ("fund:limit_change_reject", "change", "post", {"fund_approver"}, 403, 400),
    ("fund:api_limits", None, "get", FUND, 403, 200),
    ("fund:api_limit_propose", None, "post", {"fund_approver"}, 403, 400),
    ("fund:api_limit_approve", "change", "post", {"fund_approver"}, 403, 409),
    ("fund:api_limit_reject", "change", "post", {"fund_approver"}, 403, 400),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "arg", "method", "allowed", "outsider", "ok"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_access_matrix(
    client, login, personas, payment, role, name, arg, method, allowed, outsider, ok
) -> None:
    from himaya.fund.models import LimitChange

    change = actions.propose_limit_change(
        fiscal_year=payment.budget_line.fiscal_year,
        purpose="",
        per_request=Decimal("100.00"),
        per_survivor_year=None,
        by=personas["fund_approver"],
        expected_version=0,
    )
    login(personas[role])
    args = {
        "payment": [payment.code],
        "case": [payment.case.code],
        "change": [change.code],
        None: [],
    }[arg]
    url = reverse(name, args=args)
    response = getattr(client, method)(url)
    # A post without a body is refused: without a version (409), or for its missing fields
    # (400); a denied or refused request changes nothing.
    assert response.status_code == expected(allowed, role, outsider=outsider, ok=ok)
    payment.refresh_from_db()
    assert (payment.status, payment.version) == (Status.REQUESTED, 1)
    assert not LedgerEntry.objects.filter(request=payment).exists()
    change.refresh_from_db()
    assert (change.status, change.version, LimitChange.objects.count()) == ("proposed", 1, 1)


def test_case_workers_see_only_the_payments_of_their_cases(client, login, personas, payment):
    PaymentRequestFactory(requested_by=personas["fund_officer"])  # a case of another agency
    login(personas["case_worker"])
    data = client.get(reverse("fund:api_payments")).json()
    assert [row["code"] for row in data["results"]] == [payment.code]
    login(personas["outsider"])
    assert client.get(reverse("fund:api_payments")).json()["results"] == []


def test_the_totals_page_shows_no_case_code(client, login, personas, payment) -> None:
    actions.approve_payment(
        payment=payment, expected_version=version_of(payment), by=personas["fund_approver"]
    )
    login(personas["analyst"])
    html = client.get(reverse("fund:totals")).content.decode()
    assert payment.budget_line.name_ar in html
    assert payment.case.code not in html and payment.code not in html
    assert "CS-" not in html and "PR-" not in html


@pytest.fixture
def own_request(officer_approver) -> PaymentRequest:
    return PaymentRequestFactory(requested_by=officer_approver)


def assert_unchanged(payment: PaymentRequest) -> None:
    payment.refresh_from_db()
    assert (payment.status, payment.version, payment.approved_by) == (Status.REQUESTED, 1, None)
    assert not LedgerEntry.objects.filter(request=payment).exists()


def test_four_eyes_on_the_page(client, login, officer_approver, own_request) -> None:
    login(officer_approver)
    client.cookies["himaya_language"] = "en"
    response = client.post(reverse("fund:approve", args=[own_request.code]), {"version": 1})
    assert response.status_code == 403
    assert response.context["action_errors"] == [
        "You requested this payment: someone else must approve it."
    ]
    assert_unchanged(own_request)


def test_four_eyes_in_the_api(client, login, officer_approver, own_request) -> None:
    login(officer_approver)
    client.cookies["himaya_language"] = "en"
    response = client.post(
        reverse("fund:api_approve", args=[own_request.code]),
        {"version": 1},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "You requested this payment: someone else must approve it."
    assert_unchanged(own_request)


def test_four_eyes_in_the_admin(client, login, officer_approver, own_request) -> None:
    login(officer_approver)
    url = reverse("himaya_admin:fund_paymentrequest_changelist")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"action": "approve_selected", "_selected_action": [own_request.pk]}
    )
    assert response.status_code == 302
    assert_unchanged(own_request)


def test_the_admin_approve_action_approves_for_another_approver(
    client, login, officer, make_persona
) -> None:
    from himaya.agencies.models import Membership, Role

    admin_approver = make_persona(Role.FUND_APPROVER, None, "admin_approver")
    Membership.objects.create(
        user=admin_approver,
        agency=admin_approver.memberships.get().agency,
        role=Role.ADMINISTRATOR,
    )
    payment = PaymentRequestFactory(requested_by=officer)
    login(admin_approver)
    client.post(
        reverse("himaya_admin:fund_paymentrequest_changelist"),
        {"action": "approve_selected", "_selected_action": [payment.pk]},
    )
    payment.refresh_from_db()
    assert payment.status == Status.APPROVED


def test_the_admin_refuses_deletion(client, login, officer_approver, own_request) -> None:
    login(officer_approver)
    response = client.post(
        reverse("himaya_admin:fund_paymentrequest_delete", args=[own_request.pk]),
        {"post": "yes"},
    )
    assert response.status_code == 403
    assert PaymentRequest.objects.filter(pk=own_request.pk).exists()


def test_requesting_through_the_page_keeps_what_was_typed_on_error(client, login, officer):
    line = BudgetLineFactory()
    login(officer)
    response = client.post(
        reverse("fund:request"),
        {
            "case_code": "CS-NOPE",
            "budget_line": line.pk,
            "purpose": "medical",
            "amount": "250.00",
            "justification": "أدوية",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "CS-NOPE" in html and "أدوية" in html
    assert PaymentRequest.objects.count() == 0


def test_the_whole_path_through_the_pages(client, login, officer, approver) -> None:
    line = BudgetLineFactory()
    case = make_case()
    login(officer)
    response = client.post(
        reverse("fund:request"),
        {
            "case_code": case.code.lower(),
            "budget_line": line.pk,
            "purpose": "legal",
            "amount": "800",
            "justification": "أتعاب محامٍ",
        },
    )
    payment = PaymentRequest.objects.get()
    assert response.status_code == 302
    login(approver)
    assert (
        client.post(reverse("fund:approve", args=[payment.code]), {"version": 1}).status_code == 302
    )
    login(officer)
    client.post(
        reverse("fund:pay", args=[payment.code]),
        {"version": 2, "method": Method.MOBILE_WALLET, "reference": "W-77"},
    )
    payment.refresh_from_db()
    assert (payment.status, payment.reference) == (Status.PAID, "W-77")


def test_an_upload_of_the_wrong_type_through_the_page_changes_nothing(
    client, login, officer, media_root
) -> None:
    payment = PaymentRequestFactory(requested_by=officer)
    login(officer)
    client.cookies["himaya_language"] = "en"
    response = client.post(
        reverse("fund:upload", args=[payment.code]),
        {
            "version": version_of(payment),
            "file": SimpleUploadedFile(
                "invoice.pdf", b"GIF89a fake", content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 400
    assert response.context["document_form"].errors == {
        "file": ["Only PDF, PNG and JPEG files are accepted, and the file must be complete."]
    }
    assert SupportingDocument.objects.count() == 0
    assert not (media_root / "fund").exists()


def test_a_png_upload_through_the_page_is_stored(client, login, officer, media_root) -> None:
    payment = PaymentRequestFactory(requested_by=officer)
    login(officer)
    png = samples.png()
    response = client.post(
        reverse("fund:upload", args=[payment.code]),
        {"version": version_of(payment), "file": SimpleUploadedFile("a.png", png)},
    )
    assert response.status_code == 302
    document = SupportingDocument.objects.get()
    assert document.content_type == "image/png"
    download = client.get(reverse("fund:document", args=[payment.code, document.stored_name]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png


@pytest.mark.parametrize("count", [1, 6])
def test_the_payment_list_takes_a_fixed_number_of_queries(
    client, login, officer, django_assert_num_queries, count
) -> None:
    PaymentRequestFactory.create_batch(count, requested_by=officer)
    login(officer)
    with django_assert_num_queries(9):
        response = client.get(reverse("fund:payments"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 6])
def test_the_payment_api_list_takes_a_fixed_number_of_queries(
    client, login, officer, django_assert_num_queries, count
) -> None:
    PaymentRequestFactory.create_batch(count, requested_by=officer)
    login(officer)
    with django_assert_num_queries(9):
        response = client.get(reverse("fund:api_payments"))
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 4])
def test_the_budget_lines_take_a_fixed_number_of_queries(
    client, login, officer, django_assert_num_queries, count
) -> None:
    BudgetLineFactory.create_batch(count)
    login(officer)
    with django_assert_num_queries(8):
        assert client.get(reverse("fund:lines")).status_code == 200
    with django_assert_num_queries(5):
        assert len(client.get(reverse("fund:api_lines")).json()) == count


@time_machine.travel("2026-03-15 10:00:00+02:00", tick=False)
def test_the_statement_leaves_through_the_export_door_as_a_valid_xlsx_with_the_right_totals(
    client, login, officer, approver
) -> None:
    line = BudgetLineFactory(amount=Decimal("50000.00"))
    paid = PaymentRequestFactory(requested_by=officer, budget_line=line, amount=Decimal("1234.56"))
    committed = PaymentRequestFactory(
        requested_by=officer, budget_line=line, amount=Decimal("700.00")
    )
    actions.approve_payment(payment=paid, expected_version=version_of(paid), by=approver)
    actions.record_payment(
        payment=paid,
        expected_version=version_of(paid),
        by=officer,
        method=Method.CHEQUE,
        reference="CH-1",
    )
    actions.approve_payment(payment=committed, expected_version=version_of(committed), by=approver)
    login(officer)
    response = client.post(
        f"{reverse('fund:statement')}?start=2025-07-01&end=2026-06-30&export=xlsx",
        {"purpose": "reporting", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.active.sheet_view.rightToLeft is True
    rows = sheet_rows(response)
    assert rows[0][0] == "بند الموازنة"
    closing = next(row for row in rows if row[3] == "الرصيد الختامي")
    assert closing[7:11] == [50000.0, 700.0, 1234.56, 50000.0 - 700.0 - 1234.56]
    movements = [row[6] for row in rows[1:] if row[1] == line.code and row[7] is None]
    assert movements == [50000.0, 1234.56, 1234.56, 700.0]
    [event] = exports_written()
    assert (event.object_code, event.purpose, event.actor_id) == (
        "fund-statement",
        "reporting",
        officer.pk,
    )
    assert not AuditEvent.objects.filter(action="fund.statement_exported").exists()


def test_the_statement_headers_follow_the_language_of_the_user(client, login, officer) -> None:
    BudgetLineFactory()
    login(officer)
    client.cookies["himaya_language"] = "en"
    response = client.post(
        f"{reverse('fund:statement')}?start=2025-07-01&end=2026-06-30&export=xlsx",
        {"purpose": "reporting", "password": PASSWORD},
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.sheet_view.rightToLeft is not True
    assert sheet_rows(response)[0][0] == "Budget line"


def test_a_statement_asked_for_with_format_xlsx_is_the_page_and_writes_no_audit_row(
    client, login, officer
) -> None:
    line = BudgetLineFactory()
    login(officer)
    before = AuditEvent.objects.count()
    response = client.get(
        reverse("fund:statement"), {"start": "2025-07-01", "end": "2026-06-30", "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    assert [row["line"] for row in response.context["rows"]] == [line]
    assert 'data-testid="export-links"' in response.content.decode()
    assert AuditEvent.objects.count() == before


@time_machine.travel("2026-03-15 10:00:00+02:00", tick=False)
def test_an_approver_opens_a_budget_line_with_its_allocation(client, login, approver) -> None:
    from himaya.fund.models import BudgetLine
    from himaya.fund.selectors import balances_of
    from himaya.fund.tests.factories import FiscalYearFactory

    year = FiscalYearFactory()
    login(approver)
    response = client.post(
        reverse("fund:line_create"),
        {
            "fiscal_year": year.pk,
            "name_ar": "بند الطوارئ",
            "name_en": "Emergencies",
            "source": "donor",
            "donor": "جهة مانحة",
            "amount": "120000.00",
        },
    )
    assert response.status_code == 302
    line = BudgetLine.objects.get()
    assert balances_of(line).available == Decimal("120000.00")
    assert list(line.entries.values_list("kind", "amount")) == [
        ("allocation", Decimal("120000.00"))
    ]


def test_a_limit_approved_on_the_page_sends_later_larger_requests_to_a_second_approver(
    client, login, officer, approver, second_approver, make_persona
) -> None:
    from himaya.agencies.models import Role
    from himaya.fund.models import LimitChange

    line = BudgetLineFactory()
    login(approver)
    response = client.post(
        reverse("fund:limits"),
        {
            "fiscal_year": line.fiscal_year.pk,
            "purpose": "medical",
            "per_request": "2000.00",
            "per_survivor_year": "",
            "version": 0,
        },
    )
    assert response.status_code == 302
    change = LimitChange.objects.get()
    login(second_approver)
    response = client.post(
        reverse("fund:limit_change_approve", args=[change.code]), {"version": change.version}
    )
    assert response.status_code == 302
    payment = PaymentRequestFactory(
        requested_by=officer, budget_line=line, amount=Decimal("2500.00")
    )
    assert (payment.approvals_required, payment.limit_per_request) == (2, Decimal("2000.00"))
    client.post(reverse("fund:approve", args=[payment.code]), {"version": 1})
    payment.refresh_from_db()
    assert payment.status == Status.SECOND_APPROVAL_NEEDED
    third = make_persona(Role.FUND_APPROVER, None, "fund_approver_3")
    login(third)
    client.post(reverse("fund:approve", args=[payment.code]), {"version": payment.version})
    payment.refresh_from_db()
    assert (payment.status, payment.second_approved_by) == (Status.APPROVED, third)


def test_a_stale_approval_on_the_page_is_refused_shown_and_changes_nothing(
    client, login, officer, approver
) -> None:
    payment = PaymentRequestFactory(requested_by=officer)
    login(approver)
    response = client.post(reverse("fund:approve", args=[payment.code]), {"version": 5})
    assert response.status_code == 409
    assert response.context["action_errors"] == [str(ConcurrentEditError.message)]
    assert "عدّل شخص آخر هذا السجل" in response.content.decode()
    payment.refresh_from_db()
    assert (payment.status, payment.version) == (Status.REQUESTED, 1)
    assert not LedgerEntry.objects.filter(request=payment).exists()


@time_machine.travel("2027-03-10 09:00:00+02:00", tick=False)
def test_the_budget_line_form_writes_nothing_and_offers_the_years_opened_by_the_command(
    client, login, approver
) -> None:
    from himaya.fund.models import FiscalYear

    login(approver)
    before = list(FiscalYear.objects.values_list("label", flat=True))
    response = client.get(reverse("fund:line_create"))
    assert response.status_code == 200
    assert list(FiscalYear.objects.values_list("label", flat=True)) == before
    out = io.StringIO()
    call_command("open_fiscal_years", stdout=out)
    assert out.getvalue() == "open: 2026/27, 2027/28\n"
    assert set(FiscalYear.objects.values_list("label", flat=True)) >= {"2026/27", "2027/28"}
    offered = client.get(reverse("fund:line_create"))
    years = offered.context["form"].fields["fiscal_year"].queryset
    assert list(years.values_list("label", "starts_on", "ends_on")) == [
        ("2026/27", date(2026, 7, 1), date(2027, 6, 30)),
        ("2027/28", date(2027, 7, 1), date(2028, 6, 30)),
    ]
