from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from himaya.audit.models import AuditEvent
from himaya.fund import actions
from himaya.fund.documents import unseal
from himaya.fund.models import (
    DeletionRefused,
    EntryKind,
    LedgerEntry,
    Method,
    PaymentRequest,
    Purpose,
    Status,
    SupportingDocument,
)
from himaya.fund.tests import samples
from himaya.fund.tests.factories import (
    BudgetLineFactory,
    PaymentLimitFactory,
    PaymentRequestFactory,
    balances_now,
    make_case,
    version_of,
)
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

PDF = samples.pdf()


def approved_and_paid(payment: PaymentRequest, approver, officer) -> PaymentRequest:
    actions.approve_payment(payment=payment, expected_version=version_of(payment), by=approver)
    return actions.record_payment(
        payment=payment,
        expected_version=version_of(payment),
        by=officer,
        method=Method.BANK_TRANSFER,
        reference="TRX-1",
    )


def test_requesting_a_payment_writes_the_case_timeline_and_the_audit_trail(officer) -> None:
    line = BudgetLineFactory()
    case = make_case()
    payment = actions.request_payment(
        case=case,
        budget_line=line,
        purpose=Purpose.MEDICAL,
        amount=Decimal("1200.5"),
        justification="فحوصات طبية",
        by=officer,
    )
    assert payment.amount == Decimal("1200.50")
    assert payment.status == Status.REQUESTED
    assert CaseEvent.objects.filter(case=case, kind="fund.payment_requested").count() == 1
    assert (
        AuditEvent.objects.filter(action="fund.payment_requested", object_code=payment.code).count()
        == 1
    )
    assert balances_now(line).available == Decimal("10000.00")


def test_approval_commits_and_payment_pays_the_amount_on_the_line(officer, approver) -> None:
    payment = PaymentRequestFactory(requested_by=officer, amount=Decimal("1500.00"))
    line = payment.budget_line
    actions.approve_payment(payment=payment, expected_version=version_of(payment), by=approver)
    b = balances_now(line)
    assert (b.committed, b.paid, b.available) == (Decimal("1500.00"), 0, Decimal("8500.00"))
    approved_and_paid_payment = actions.record_payment(
        payment=payment,
        expected_version=version_of(payment),
        by=officer,
        method=Method.CASH,
        reference="R-9",
    )
    assert approved_and_paid_payment.status == Status.PAID
    b = balances_now(line)
    assert (b.allocated, b.committed, b.paid, b.available) == (
        Decimal("10000.00"),
        Decimal("0.00"),
        Decimal("1500.00"),
        Decimal("8500.00"),
    )
    kinds = list(
        CaseEvent.objects.filter(case=payment.case).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["fund.payment_approved", "fund.payment_paid"]


def test_the_requester_cannot_approve_their_own_request(officer_approver) -> None:
    payment = PaymentRequestFactory(requested_by=officer_approver)
    with pytest.raises(actions.FundForbidden):
        actions.approve_payment(
            payment=payment, expected_version=version_of(payment), by=officer_approver
        )
    payment.refresh_from_db()
    assert (payment.status, payment.version, payment.approved_by) == (Status.REQUESTED, 1, None)
    assert not LedgerEntry.objects.filter(request=payment).exists()


def test_the_database_refuses_an_approver_who_is_the_requester(officer) -> None:
    payment = PaymentRequestFactory(requested_by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRequest.objects.filter(pk=payment.pk).update(approved_by=officer)


def test_a_request_beyond_the_line_balance_is_refused_and_changes_nothing(
    officer, approver
) -> None:
    payment = PaymentRequestFactory(requested_by=officer, amount=Decimal("10000.01"))
    with pytest.raises(actions.FundConflict):
        actions.approve_payment(payment=payment, expected_version=version_of(payment), by=approver)
    payment.refresh_from_db()
    assert payment.status == Status.REQUESTED
    assert balances_now(payment.budget_line).available == Decimal("10000.00")


def test_a_request_is_never_paid_twice(officer, approver) -> None:
    payment = PaymentRequestFactory(requested_by=officer)
    approved_and_paid(payment, approver, officer)
    with pytest.raises(actions.FundConflict):
        actions.record_payment(
            payment=payment,
            expected_version=version_of(payment),
            by=officer,
            method=Method.CASH,
            reference="x",
        )
    assert LedgerEntry.objects.filter(request=payment, kind=EntryKind.PAYMENT).count() == 1


def test_a_reversal_restores_the_balance_with_a_new_ledger_line(officer, approver) -> None:
    payment = PaymentRequestFactory(requested_by=officer, amount=Decimal("2500.00"))
    approved_and_paid(payment, approver, officer)
    assert balances_now(payment.budget_line).available == Decimal("7500.00")
    actions.reverse_payment(
        payment=payment,
        expected_version=version_of(payment),
        by=approver,
        reason="تحويل إلى حساب خاطئ",
    )
    b = balances_now(payment.budget_line)
    assert (b.paid, b.committed, b.available) == (0, 0, Decimal("10000.00"))
    assert list(LedgerEntry.objects.filter(request=payment).values_list("kind", flat=True)) == [
        "commitment",
        "payment",
        "reversal",
    ]
    payment.refresh_from_db()
    assert payment.status == Status.REVERSED


def test_a_paid_movement_is_never_edited_and_nothing_is_ever_deleted(officer, approver) -> None:
    payment = PaymentRequestFactory(requested_by=officer)
    approved_and_paid(payment, approver, officer)
    entry = LedgerEntry.objects.get(request=payment, kind=EntryKind.PAYMENT)
    entry.amount = Decimal("1.00")
    with pytest.raises(DeletionRefused):
        entry.save()
    with pytest.raises(DeletionRefused):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(DeletionRefused):
        entry.delete()
    with pytest.raises(DeletionRefused):
        LedgerEntry.objects.all().delete()
    with pytest.raises(DeletionRefused):
        payment.delete()
    with pytest.raises(DeletionRefused):
        PaymentRequest.objects.all().delete()
    with pytest.raises(DeletionRefused):
        payment.budget_line.delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("1500.00")
    assert PaymentRequest.objects.count() == 1


def test_a_request_beyond_the_limits_needs_a_second_different_approver(
    officer, approver, second_approver
) -> None:
    line = BudgetLineFactory()
    PaymentLimitFactory(fiscal_year=line.fiscal_year, purpose=Purpose.EMERGENCY_CASH)
    payment = PaymentRequestFactory(
        requested_by=officer,
        budget_line=line,
        purpose=Purpose.EMERGENCY_CASH,
        amount=Decimal("3500.00"),
    )
    actions.approve_payment(payment=payment, expected_version=version_of(payment), by=approver)
    payment.refresh_from_db()
    assert payment.status == Status.SECOND_APPROVAL_NEEDED
    with pytest.raises(actions.FundConflict):
        actions.record_payment(
            payment=payment,
            expected_version=version_of(payment),
            by=officer,
            method=Method.CASH,
            reference="x",
        )
    with pytest.raises(actions.FundForbidden):
        actions.approve_payment(payment=payment, expected_version=version_of(payment), by=approver)
    payment.refresh_from_db()
    assert payment.status == Status.SECOND_APPROVAL_NEEDED
    actions.approve_payment(
        payment=payment, expected_version=version_of(payment), by=second_approver
    )
    payment.refresh_from_db()
    assert (payment.status, payment.second_approved_by) == (Status.APPROVED, second_approver)


def test_the_survivor_yearly_limit_counts_earlier_approved_requests(officer, approver) -> None:
    line = BudgetLineFactory()
    PaymentLimitFactory(
        fiscal_year=line.fiscal_year,
        purpose="",
        per_request=None,
        per_survivor_year=Decimal("4000.00"),
    )
    case = make_case()
    first = PaymentRequestFactory(
        requested_by=officer, budget_line=line, case=case, amount=Decimal("3000.00")
    )
    second = PaymentRequestFactory(
        requested_by=officer, budget_line=line, case=case, amount=Decimal("1000.01")
    )
    assert (
        actions.approve_payment(
            payment=first, expected_version=version_of(first), by=approver
        ).status
        == Status.APPROVED
    )
    assert (
        actions.approve_payment(
            payment=second, expected_version=version_of(second), by=approver
        ).status
        == Status.SECOND_APPROVAL_NEEDED
    )


def test_rejecting_after_a_first_approval_releases_the_commitment(
    officer, approver, second_approver
) -> None:
    line = BudgetLineFactory()
    PaymentLimitFactory(fiscal_year=line.fiscal_year, purpose=Purpose.MEDICAL)
    payment = PaymentRequestFactory(
        requested_by=officer, budget_line=line, amount=Decimal("4000.00")
    )
    actions.approve_payment(payment=payment, expected_version=version_of(payment), by=approver)
    assert balances_now(line).available == Decimal("6000.00")
    actions.reject_payment(
        payment=payment, expected_version=version_of(payment), by=second_approver, reason="غير مبرر"
    )
    assert balances_now(line).available == Decimal("10000.00")
    assert list(LedgerEntry.objects.filter(request=payment).values_list("kind", flat=True)) == [
        "commitment",
        "release",
    ]


def test_a_stale_version_is_refused(officer, approver) -> None:
    from himaya.core.locking import ConcurrentEditError

    payment = PaymentRequestFactory(requested_by=officer)
    with pytest.raises(ConcurrentEditError):
        actions.approve_payment(payment=payment, by=approver, expected_version=7)
    payment.refresh_from_db()
    assert payment.status == Status.REQUESTED


def test_a_pdf_document_is_stored_under_a_random_name(officer, media_root) -> None:
    payment = PaymentRequestFactory(requested_by=officer)
    document = actions.attach_documents(
        payment=payment,
        uploads=[SimpleUploadedFile("تقرير طبي.pdf", PDF)],
        by=officer,
        expected_version=1,
    )[0]
    assert document.content_type == "application/pdf"
    assert document.stored_name.endswith(".pdf") and len(document.stored_name) == 36
    stored = (media_root / "fund" / "documents" / document.stored_name).read_bytes()
    assert not stored.startswith(b"%PDF") and PDF not in stored
    assert unseal(stored) == PDF


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00 not a document", b"%PDF-" + b"0" * (5 * 1024 * 1024)],
    ids=["wrong type", "over 5 MB"],
)
def test_a_wrong_type_or_size_is_refused_and_changes_nothing(
    officer, media_root, content: bytes
) -> None:
    payment = PaymentRequestFactory(requested_by=officer)
    with pytest.raises(actions.FundError):
        actions.attach_documents(
            payment=payment,
            uploads=[SimpleUploadedFile("x.pdf", content)],
            by=officer,
            expected_version=1,
        )[0]
    assert SupportingDocument.objects.count() == 0
    assert not (media_root / "fund").exists()
