"""Writes of the fund. Every movement of money goes through a function here.

Each function locks the payment request and then its budget line (``select_for_update``;
on SQLite the write transaction is exclusive), re-checks permission, four eyes, state and
balance, writes the ledger, the case timeline and the audit trail.
"""

import hashlib
import secrets
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

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
from himaya.fund.documents import seal
from himaya.fund.models import (
    TRANSITIONS,
    BudgetLine,
    ChangeStatus,
    EntryKind,
    FiscalYear,
    LedgerEntry,
    LimitChange,
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
    MAX_LINE_AMOUNT,
    Message,
    amount_problem,
    document_count_problem,
    fiscal_year_of,
    limit_problem,
    line_year_problem,
    money,
    needs_second_approval,
    payment_request_problems,
    recognise_document,
    text_problem,
)
from himaya.fund.selectors import balances_of, limit_for, survivor_year_total

T = TypeVar("T")
NAME_LENGTH = 200  # names of budget lines and donors, as stored
REFERENCE_LENGTH = 100  # payment references, as stored


class FundError(Exception):
    """A fund rule refused the action; ``message`` is shown to the user."""

    def __init__(self, message: str | Promise, *, code: str = "refused") -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


def _refuse_if(problem: Message | None) -> None:
    if problem is not None:
        raise FundError(problem)


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
    """A budget line and its allocation, the first line of its ledger, on the current or
    the next fiscal year only."""
    _require(by, "fund.approve_payment")
    _refuse_if(line_year_problem(fiscal_year.starts_on, today=timezone.localdate()))
    _refuse_if(amount_problem(amount, maximum=MAX_LINE_AMOUNT))
    amount = money(amount)
    if source not in Source.values:
        raise FundError(_("Unknown source of funds."))
    if not name_ar.strip() or not name_en.strip():
        raise FundError(_("Name the budget line in Arabic and in English."))
    if max(len(name_ar), len(name_en), len(donor)) > NAME_LENGTH:
        raise FundError(
            _("A name may not be longer than %(limit)s characters.") % {"limit": NAME_LENGTH}
        )
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
    """A request for a case. It keeps the limits that hold now, and so the number of
    approvals it needs: a later change of the limits never applies to it."""
    _require(by, "fund.request_payment")
    problems = payment_request_problems(amount=amount, justification=justification)
    if problems:
        raise FundError(next(iter(problems.values())))
    amount = money(amount)
    if purpose not in Purpose.values:
        raise FundError(_("Unknown purpose."))
    if case.phase == "closed":
        raise FundError(_("The case is closed."))
    limit = limit_for(budget_line.fiscal_year, purpose)
    per_request = limit.per_request if limit is not None else None
    per_survivor_year = limit.per_survivor_year if limit is not None else None
    second = needs_second_approval(
        amount=amount,
        per_request=per_request,
        per_survivor_year=per_survivor_year,
        survivor_year_total=survivor_year_total(case, budget_line.fiscal_year, exclude_pk=None),
    )
    payment = PaymentRequest.objects.create(
        case=case,
        budget_line=budget_line,
        purpose=purpose,
        amount=amount,
        justification=justification.strip(),
        requested_by=by,
        approvals_required=2 if second else 1,
        limit_per_request=per_request,
        limit_per_survivor_year=per_survivor_year,
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
            "approvals_required": payment.approvals_required,
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
        # The limits the request was made under, never the ones in force today; the
        # survivor's yearly total is counted now, so it includes approvals since.
        second = payment.approvals_required > 1 or needs_second_approval(
            amount=payment.amount,
            per_request=payment.limit_per_request,
            per_survivor_year=payment.limit_per_survivor_year,
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
    _refuse_if(text_problem(reason, required=_("Give the reason for the rejection.")))
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
    if len(reference.strip()) > REFERENCE_LENGTH:
        raise FundError(
            _("The payment reference may not be longer than %(limit)s characters.")
            % {"limit": REFERENCE_LENGTH}
        )
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
    _refuse_if(text_problem(reason, required=_("Give the reason for the reversal.")))
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


def _read_upload(upload: UploadedFile) -> tuple[bytes, str, str]:
    """The content of an upload with its content type and extension, or a refusal."""
    size = upload.size or 0
    if size > MAX_DOCUMENT_BYTES:
        raise FundError(_("The file is larger than 5 MB."))
    if size == 0:
        raise FundError(_("The file is empty."))
    upload.seek(0)
    content = upload.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise FundError(_("The file is larger than 5 MB."))
    if not content:
        raise FundError(_("The file is empty."))
    recognised = recognise_document(content)
    if recognised is None:
        raise FundError(
            _("Only PDF, PNG and JPEG files are accepted, and the file must be complete.")
        )
    return content, *recognised


@transaction.atomic
def attach_documents(
    *,
    payment: PaymentRequest,
    uploads: Sequence[UploadedFile],
    by: Any,
    request: HttpRequest | None = None,
) -> list[SupportingDocument]:
    """Store PDF, PNG or JPEG files (5 MB each at most, a few at a time, a bounded number
    per request), encrypted, under random names. Every file is checked before any is
    stored: one bad file refuses them all."""
    _require(by, "fund.request_payment", "fund.approve_payment")
    payment = PaymentRequest.objects.select_for_update().get(pk=payment.pk)
    if payment.status in {Status.REJECTED, Status.REVERSED}:
        raise FundError(_("Documents can no longer be added to this request."))
    _refuse_if(document_count_problem(adding=len(uploads), already=payment.documents.count()))
    checked = [_read_upload(upload) for upload in uploads]
    documents: list[SupportingDocument] = []
    try:
        for content, content_type, extension in checked:
            document = SupportingDocument(
                request=payment,
                stored_name=f"{secrets.token_hex(16)}.{extension}",
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_by=by,
            )
            document.file.save(document.stored_name, ContentFile(seal(content)), save=False)
            documents.append(document)
            document.save()
        record_case_event(
            case=payment.case,
            kind="fund.document_attached",
            by=by,
            object_code=payment.code,
            summary=lambda: str(_("Supporting document attached to an assistance payment request")),
        )
        for document in documents:
            record_event(
                action="fund.document_attached",
                actor=by,
                obj=payment,
                request=request,
                details={
                    "document": document.stored_name,
                    "type": document.content_type,
                    "size": document.size,
                },
            )
    except BaseException:
        for document in documents:  # the transaction rolls back: leave no file behind
            document.file.delete(save=False)
        raise
    return documents


def attach_document(
    *,
    payment: PaymentRequest,
    upload: UploadedFile,
    by: Any,
    request: HttpRequest | None = None,
) -> SupportingDocument:
    """Store one document (see ``attach_documents``)."""
    return attach_documents(payment=payment, uploads=[upload], by=by, request=request)[0]


def _limit_code(fiscal_year: FiscalYear, purpose: str) -> str:
    return f"{fiscal_year.label}:{purpose or '*'}"


def _amount(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


@transaction.atomic
def propose_limit_change(
    *,
    fiscal_year: FiscalYear,
    purpose: str,
    per_request: Decimal | None,
    per_survivor_year: Decimal | None,
    by: Any,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> LimitChange:
    """Propose to create or change the limit of a purpose (empty: every purpose) for a
    fiscal year. Nothing changes until another fund approver approves the proposal.

    ``expected_version`` is the version of the limit the proposer saw (none if there was
    no limit): a proposal made against a limit changed since is refused."""
    _require(by, "fund.approve_payment")
    if purpose and purpose not in Purpose.values:
        raise FundError(_("Unknown purpose."))
    for value in (per_request, per_survivor_year):
        _refuse_if(limit_problem(value))
    limit = (
        PaymentLimit.objects.select_for_update()
        .filter(fiscal_year=fiscal_year, purpose=purpose)
        .first()
    )
    if limit is not None and expected_version is not None and limit.version != expected_version:
        raise ConcurrentEditError(limit)
    if limit is not None and (limit.per_request, limit.per_survivor_year) == (
        per_request,
        per_survivor_year,
    ):
        raise FundError(_("The limit already has these values."))
    if limit is None and per_request is None and per_survivor_year is None:
        raise FundError(_("Give at least one limit."))
    if LimitChange.objects.filter(
        fiscal_year=fiscal_year, purpose=purpose, status=ChangeStatus.PROPOSED
    ).exists():
        raise FundError(
            _("A change of this limit is already waiting for approval: decide on it first.")
        )
    change = LimitChange.objects.create(
        fiscal_year=fiscal_year,
        purpose=purpose,
        per_request=per_request,
        per_survivor_year=per_survivor_year,
        base_version=limit.version if limit is not None else None,
        proposed_by=by,
    )
    record_event(
        action="fund.limit_change_proposed",
        actor=by,
        obj=change,
        request=request,
        details={
            "limit": _limit_code(fiscal_year, purpose),
            "per_request": _amount(per_request),
            "per_survivor_year": _amount(per_survivor_year),
            "before": (
                {
                    "per_request": _amount(limit.per_request),
                    "per_survivor_year": _amount(limit.per_survivor_year),
                }
                if limit is not None
                else None
            ),
        },
    )
    return change


def _audited_refusal(
    run: Callable[[], T], *, action: str, change: LimitChange, by: Any, request: HttpRequest | None
) -> T:
    """Run a privileged decision in its own transaction; if it is refused, nothing of it is
    kept, but the refused attempt is written to the audit trail."""
    try:
        with transaction.atomic():
            return run()
    except (FundError, ConcurrentEditError) as error:
        record_event(
            action=action,
            actor=by,
            obj=change,
            request=request,
            details={"reason": getattr(error, "code", "stale_version")},
        )
        raise


def approve_limit_change(
    *,
    change: LimitChange,
    by: Any,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> PaymentLimit:
    """Apply a proposed limit change: a fund approver who did not propose it. Requests
    already made keep the limits they were made under. A refusal is audited."""
    return _audited_refusal(
        lambda: _approve_limit_change(
            change=change, by=by, expected_version=expected_version, request=request
        ),
        action="fund.limit_change_approval_refused",
        change=change,
        by=by,
        request=request,
    )


def _approve_limit_change(
    *, change: LimitChange, by: Any, expected_version: int | None, request: HttpRequest | None
) -> PaymentLimit:
    if not by.has_perm("fund.approve_payment"):
        raise FundError(_("You are not allowed to do this."), code="not_allowed")
    change = LimitChange.objects.select_for_update().get(pk=change.pk)
    if expected_version is not None and change.version != expected_version:
        raise ConcurrentEditError(change)
    if change.status != ChangeStatus.PROPOSED:
        raise FundError(_("This limit change has already been decided."), code="decided")
    if change.proposed_by_id == by.pk:
        raise FundError(
            _("You proposed this limit change: another fund approver must approve it."),
            code="own_proposal",
        )
    limit = (
        PaymentLimit.objects.select_for_update()
        .filter(fiscal_year=change.fiscal_year, purpose=change.purpose)
        .first()
    )
    if (limit.version if limit is not None else None) != change.base_version:
        raise FundError(
            _("The limit was changed after this proposal was made: reject it and propose again."),
            code="limit_changed",
        )
    before = (limit.per_request, limit.per_survivor_year) if limit is not None else (None, None)
    if limit is None:
        limit = PaymentLimit.objects.create(
            fiscal_year=change.fiscal_year,
            purpose=change.purpose,
            per_request=change.per_request,
            per_survivor_year=change.per_survivor_year,
        )
    else:
        limit.per_request = change.per_request
        limit.per_survivor_year = change.per_survivor_year
        save_with_version(
            limit, expected_version=limit.version, fields=["per_request", "per_survivor_year"]
        )
    change.status = ChangeStatus.APPROVED
    change.decided_by = by
    change.decided_at = timezone.now()
    save_with_version(
        change, expected_version=change.version, fields=["status", "decided_by", "decided_at"]
    )
    record_event(
        action="fund.limit_set",
        actor=by,
        object_type="fund.paymentlimit",
        object_code=_limit_code(change.fiscal_year, change.purpose),
        request=request,
        details={
            "change": change.code,
            "per_request": _amount(change.per_request),
            "per_survivor_year": _amount(change.per_survivor_year),
            "before": {"per_request": _amount(before[0]), "per_survivor_year": _amount(before[1])},
        },
    )
    record_event(action="fund.limit_change_approved", actor=by, obj=change, request=request)
    return limit


@transaction.atomic
def reject_limit_change(
    *,
    change: LimitChange,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> LimitChange:
    """Set a proposed limit change aside; the proposer may withdraw their own this way.
    The limit stays as it is."""
    _require(by, "fund.approve_payment")
    _refuse_if(text_problem(reason, required=_("Give the reason for the rejection.")))
    change = LimitChange.objects.select_for_update().get(pk=change.pk)
    if expected_version is not None and change.version != expected_version:
        raise ConcurrentEditError(change)
    if change.status != ChangeStatus.PROPOSED:
        raise FundError(_("This limit change has already been decided."))
    change.status = ChangeStatus.REJECTED
    change.decided_by = by
    change.decided_at = timezone.now()
    change.rejection_reason = reason.strip()
    save_with_version(
        change,
        expected_version=change.version,
        fields=["status", "decided_by", "decided_at", "rejection_reason"],
    )
    record_event(
        action="fund.limit_change_rejected",
        actor=by,
        obj=change,
        request=request,
        details={"withdrawn": change.proposed_by_id == by.pk},
    )
    return change
