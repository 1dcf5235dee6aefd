"""Writes of the fund. Every movement of money goes through a function here.

Each function locks the payment request and then its budget line (``select_for_update``;
on SQLite the write transaction is exclusive), re-checks permission, four eyes, state and
balance, writes the ledger, the case timeline and the audit trail.
"""

import hashlib
import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.audit.actions import record_event
from himaya.cases.actions import record_case_event
from himaya.cases.models import Case
from himaya.core.locking import ConcurrentEditError, save_with_version
from himaya.fund.models import (
    TRANSITIONS,
    BudgetLine,
    EntryKind,
    FiscalYear,
    LedgerEntry,
    Method,
    PaymentLimit,
    PaymentRequest,
    Purpose,
    Source,
    Status,
    SupportingDocument,
)
from himaya.fund.rules import (
    MAX_DOCUMENT_BYTES,
    fiscal_year_of,
    money,
    needs_second_approval,
    sniff_document,
)
from himaya.fund.selectors import balances_of, limit_for, survivor_year_total


class FundError(Exception):
    """A fund rule refused the action; ``message`` is shown to the user."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


def _require(user: Any, *capabilities: str) -> None:
    if not any(user.has_perm(capability) for capability in capabilities):
        raise FundError(_("You are not allowed to do this."))


def _move(payment: PaymentRequest, target: str) -> None:
    if target not in TRANSITIONS[payment.status]:
        raise FundError(
            _("A payment request that is %(status)s cannot become %(target)s.")
            % {"status": payment.get_status_display(), "target": Status(target).label}
        )
    payment.status = target


def _lock(payment: PaymentRequest, expected_version: int | None) -> PaymentRequest:
    locked = PaymentRequest.objects.select_for_update().get(pk=payment.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    return locked


def _lock_line(payment: PaymentRequest) -> BudgetLine:
    return BudgetLine.objects.select_for_update().get(pk=payment.budget_line_id)


def _entry(payment: PaymentRequest, kind: str, by: Any, note: str = "") -> LedgerEntry:
    return LedgerEntry.objects.create(
        budget_line_id=payment.budget_line_id,
        request=payment,
        kind=kind,
        amount=payment.amount,
        occurred_at=timezone.now(),
        by=by,
        note=note[:300],
    )


def _save(payment: PaymentRequest, fields: list[str]) -> PaymentRequest:
    save_with_version(payment, expected_version=payment.version, fields=["status", *fields])
    payment.refresh_from_db()
    return payment


@transaction.atomic
def open_fiscal_year(*, day: date) -> FiscalYear:
    starts_on, ends_on, label = fiscal_year_of(day)
    year, _created = FiscalYear.objects.get_or_create(
        label=label, defaults={"starts_on": starts_on, "ends_on": ends_on}
    )
    return year


@transaction.atomic
def open_budget_line(
    *,
    fiscal_year: FiscalYear,
    name_ar: str,
    name_en: str,
    source: str,
    amount: Decimal,
    by: Any,
    donor: str = "",
    request: HttpRequest | None = None,
) -> BudgetLine:
    """A budget line and its allocation, the first line of its ledger."""
    _require(by, "fund.approve_payment")
    amount = money(amount)
    if amount <= 0:
        raise FundError(_("The amount must be greater than zero."))
    if source not in Source.values:
        raise FundError(_("Unknown source of funds."))
    line = BudgetLine.objects.create(
        fiscal_year=fiscal_year,
        name_ar=name_ar,
        name_en=name_en,
        source=source,
        donor=donor,
        amount=amount,
    )
    LedgerEntry.objects.create(
        budget_line=line,
        kind=EntryKind.ALLOCATION,
        amount=amount,
        occurred_at=timezone.now(),
        by=by,
    )
    record_event(
        action="fund.line_opened",
        actor=by,
        obj=line,
        request=request,
        details={"amount": str(amount), "source": source, "fiscal_year": fiscal_year.label},
    )
    return line


@transaction.atomic
def request_payment(
    *,
    case: Case,
    budget_line: BudgetLine,
    purpose: str,
    amount: Decimal,
    justification: str,
    by: Any,
    request: HttpRequest | None = None,
) -> PaymentRequest:
    _require(by, "fund.request_payment")
    amount = money(amount)
    if amount <= 0:
        raise FundError(_("The amount must be greater than zero."))
    if purpose not in Purpose.values:
        raise FundError(_("Unknown purpose."))
    if not justification.strip():
        raise FundError(_("Explain why the payment is needed."))
    if case.phase == "closed":
        raise FundError(_("The case is closed."))
    payment = PaymentRequest.objects.create(
        case=case,
        budget_line=budget_line,
        purpose=purpose,
        amount=amount,
        justification=justification.strip(),
        requested_by=by,
    )
    record_case_event(
        case=case,
        kind="fund.payment_requested",
        by=by,
        object_code=payment.code,
        summary=lambda: (
            str(_("Assistance payment requested: %(amount)s EGP, %(purpose)s"))
            % {"amount": amount, "purpose": payment.get_purpose_display()}
        ),
    )
    record_event(
        action="fund.payment_requested",
        actor=by,
        obj=payment,
        request=request,
        details={
            "case": case.code,
            "line": budget_line.code,
            "amount": str(amount),
            "purpose": purpose,
        },
    )
    return payment


@transaction.atomic
def approve_payment(
    *,
    payment: PaymentRequest,
    by: Any,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> PaymentRequest:
    """First approval commits the amount on the line; beyond a limit a second, different
    approver is needed before the request may be paid."""
    _require(by, "fund.approve_payment")
    payment = _lock(payment, expected_version)
    if payment.requested_by_id == by.pk:
        raise FundError(_("You requested this payment: someone else must approve it."))
    now = timezone.now()
    if payment.status == Status.SECOND_APPROVAL_NEEDED:
        if payment.approved_by_id == by.pk:
            raise FundError(
                _("You gave the first approval: the second must come from someone else.")
            )
        _move(payment, Status.APPROVED)
        payment.second_approved_by = by
        payment.second_approved_at = now
        _save(payment, ["second_approved_by", "second_approved_at"])
        kind, summary = "fund.payment_second_approval", _("Second approval given")
    else:
        line = _lock_line(payment)
        if payment.status != Status.REQUESTED:
            _move(payment, Status.APPROVED)  # raises with the right message
        available = balances_of(line).available
        if payment.amount > available:
            raise FundError(
                _("Not enough money on the budget line: %(available)s EGP available.")
                % {"available": available}
            )
        limit = limit_for(line.fiscal_year, payment.purpose)
        second = limit is not None and needs_second_approval(
            amount=payment.amount,
            per_request=limit.per_request,
            per_survivor_year=limit.per_survivor_year,
            survivor_year_total=survivor_year_total(
                payment.case, line.fiscal_year, exclude_pk=payment.pk
            ),
        )
        _move(payment, Status.SECOND_APPROVAL_NEEDED if second else Status.APPROVED)
        payment.approved_by = by
        payment.approved_at = now
        _entry(payment, EntryKind.COMMITMENT, by)
        _save(payment, ["approved_by", "approved_at"])
        kind = "fund.payment_approved"
        summary = (
            _("Approved; beyond the limits, a second approval is needed")
            if second
            else _("Approved and committed on the budget line")
        )
    record_case_event(
        case=payment.case, kind=kind, by=by, summary=lambda: str(summary), object_code=payment.code
    )
    record_event(
        action=kind,
        actor=by,
        obj=payment,
        request=request,
        details={"amount": str(payment.amount), "status": payment.status},
    )
    return payment


@transaction.atomic
def reject_payment(
    *,
    payment: PaymentRequest,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> PaymentRequest:
    """Refuse a request; a commitment already made by a first approval is released."""
    _require(by, "fund.approve_payment")
    if not reason.strip():
        raise FundError(_("Give the reason for the rejection."))
    payment = _lock(payment, expected_version)
    if payment.requested_by_id == by.pk:
        raise FundError(_("You requested this payment: someone else must decide on it."))
    committed = payment.status == Status.SECOND_APPROVAL_NEEDED
    if committed:
        _lock_line(payment)
    _move(payment, Status.REJECTED)
    payment.rejected_by = by
    payment.rejection_reason = reason.strip()
    if committed:
        _entry(payment, EntryKind.RELEASE, by, note="rejected")
    _save(payment, ["rejected_by", "rejection_reason"])
    record_case_event(
        case=payment.case,
        kind="fund.payment_rejected",
        by=by,
        object_code=payment.code,
        summary=lambda: str(_("Assistance payment rejected")),
    )
    record_event(
        action="fund.payment_rejected",
        actor=by,
        obj=payment,
        request=request,
        details={"amount": str(payment.amount), "released": committed},
    )
    return payment


@transaction.atomic
def record_payment(
    *,
    payment: PaymentRequest,
    by: Any,
    method: str,
    reference: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> PaymentRequest:
    """Record that an approved request was paid. A request is paid once only."""
    _require(by, "fund.request_payment", "fund.approve_payment")
    if method not in Method.values:
        raise FundError(_("Choose how the payment was made."))
    if not reference.strip():
        raise FundError(_("Give the payment reference."))
    payment = _lock(payment, expected_version)
    _lock_line(payment)
    if payment.status == Status.PAID:
        raise FundError(_("This request has already been paid."))
    _move(payment, Status.PAID)
    payment.paid_by = by
    payment.paid_at = timezone.now()
    payment.method = method
    payment.reference = reference.strip()
    _entry(payment, EntryKind.PAYMENT, by, note=payment.reference)
    _save(payment, ["paid_by", "paid_at", "method", "reference"])
    record_case_event(
        case=payment.case,
        kind="fund.payment_paid",
        by=by,
        object_code=payment.code,
        summary=lambda: (
            str(_("Assistance paid: %(amount)s EGP by %(method)s"))
            % {"amount": payment.amount, "method": payment.get_method_display()}
        ),
    )
    record_event(
        action="fund.payment_paid",
        actor=by,
        obj=payment,
        request=request,
        details={"amount": str(payment.amount), "method": method},
    )
    return payment


@transaction.atomic
def reverse_payment(
    *,
    payment: PaymentRequest,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> PaymentRequest:
    """Correct a payment: a reversal line returns the amount to the available balance."""
    _require(by, "fund.approve_payment")
    if not reason.strip():
        raise FundError(_("Give the reason for the reversal."))
    payment = _lock(payment, expected_version)
    _lock_line(payment)
    _move(payment, Status.REVERSED)
    payment.reversed_by = by
    payment.reversed_at = timezone.now()
    payment.reversal_reason = reason.strip()
    _entry(payment, EntryKind.REVERSAL, by, note="reversal")
    _save(payment, ["reversed_by", "reversed_at", "reversal_reason"])
    record_case_event(
        case=payment.case,
        kind="fund.payment_reversed",
        by=by,
        object_code=payment.code,
        summary=lambda: str(_("Assistance payment reversed")),
    )
    record_event(
        action="fund.payment_reversed",
        actor=by,
        obj=payment,
        request=request,
        details={"amount": str(payment.amount)},
    )
    return payment


@transaction.atomic
def attach_document(
    *,
    payment: PaymentRequest,
    upload: UploadedFile,
    by: Any,
    request: HttpRequest | None = None,
) -> SupportingDocument:
    """Store a PDF, PNG or JPEG (5 MB at most) under a random name."""
    _require(by, "fund.request_payment", "fund.approve_payment")
    if payment.status in {Status.REJECTED, Status.REVERSED}:
        raise FundError(_("Documents can no longer be added to this request."))
    size = upload.size or 0
    if size > MAX_DOCUMENT_BYTES:
        raise FundError(_("The file is larger than 5 MB."))
    if size == 0:
        raise FundError(_("The file is empty."))
    upload.seek(0)
    content = upload.read()
    if len(content) > MAX_DOCUMENT_BYTES:
        raise FundError(_("The file is larger than 5 MB."))
    sniffed = sniff_document(content[:16])
    if sniffed is None:
        raise FundError(_("Only PDF, PNG and JPEG files are accepted."))
    content_type, extension = sniffed
    document = SupportingDocument(
        request=payment,
        stored_name=f"{secrets.token_hex(16)}.{extension}",
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
    )
    document.file.save(document.stored_name, ContentFile(content), save=False)
    document.save()
    record_case_event(
        case=payment.case,
        kind="fund.document_attached",
        by=by,
        object_code=payment.code,
        summary=lambda: str(_("Supporting document attached to an assistance payment request")),
    )
    record_event(
        action="fund.document_attached",
        actor=by,
        obj=payment,
        request=request,
        details={"document": document.stored_name, "type": content_type, "size": len(content)},
    )
    return document


@transaction.atomic
def set_payment_limit(
    *,
    fiscal_year: FiscalYear,
    purpose: str,
    per_request: Decimal | None,
    per_survivor_year: Decimal | None,
    by: Any,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> PaymentLimit:
    """Create or change the limit of a purpose (empty: every purpose) for a fiscal year."""
    _require(by, "fund.approve_payment")
    if purpose and purpose not in Purpose.values:
        raise FundError(_("Unknown purpose."))
    for value in (per_request, per_survivor_year):
        if value is not None and value <= 0:
            raise FundError(_("A limit must be greater than zero, or left empty."))
    limit = (
        PaymentLimit.objects.select_for_update()
        .filter(fiscal_year=fiscal_year, purpose=purpose)
        .first()
    )
    if limit is None:
        limit = PaymentLimit.objects.create(
            fiscal_year=fiscal_year,
            purpose=purpose,
            per_request=per_request,
            per_survivor_year=per_survivor_year,
        )
    else:
        limit.per_request = per_request
        limit.per_survivor_year = per_survivor_year
        save_with_version(
            limit,
            expected_version=limit.version if expected_version is None else expected_version,
            fields=["per_request", "per_survivor_year"],
        )
    record_event(
        action="fund.limit_set",
        actor=by,
        object_type="fund.paymentlimit",
        object_code=f"{fiscal_year.label}:{purpose or '*'}",
        request=request,
        details={
            "per_request": str(per_request) if per_request is not None else None,
            "per_survivor_year": (
                str(per_survivor_year) if per_survivor_year is not None else None
            ),
        },
    )
    return limit
