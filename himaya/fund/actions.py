"""Writes of the fund. Every movement of money goes through a function here.

Each function locks the payment request and then its budget line (``FOR NO KEY UPDATE``,
which leaves new requests on the line free to commit; on SQLite the write transaction is
exclusive), re-checks permission, four eyes, state,
balance and the version the user read, writes the ledger, the case timeline and the audit
trail. Money never moves on a version the user did not read: a stale version, and a
missing one, are refused as conflicts.
"""

import hashlib
import secrets
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.audit.actions import record_event, record_reading
from himaya.cases.models import Case
from himaya.core.errors import Conflict, DomainError, Forbidden, Invalid, Message
from himaya.core.locking import ConcurrentEditError, save_with_version
from himaya.core.models import VersionedModel
from himaya.fund import documents as stored_documents
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
    ATTACH,
    DECIDE,
    MANAGE,
    MAX_DOCUMENT_BYTES,
    MAX_LINE_AMOUNT,
    PAY,
    REQUEST,
    REVERSE,
    SEE_FUND,
    amount_problem,
    document_count_problem,
    fiscal_year_of,
    limit_problem,
    line_year_problem,
    money,
    needs_second_approval,
    open_fiscal_year_starts,
    payment_request_problems,
    recognise_document,
    text_problem,
)
from himaya.fund.selectors import (
    balances_of,
    limit_for,
    may,
    survivor_year_total,
)
from himaya.timeline.actions import record_case_event

T = TypeVar("T")
NAME_LENGTH = 200  # names of budget lines and donors, as stored
REFERENCE_LENGTH = 100  # payment references, as stored


class _Coded(DomainError):
    """A refusal with a short ``code`` naming the rule, for the audit trail."""

    default_code = "refused"

    def __init__(
        self, message: Message, *, field: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.code = code or self.default_code


class FundError(_Coded, Invalid):
    """The input breaks a fund rule (400)."""


class FundForbidden(_Coded, Forbidden):
    """The user may not do this: a capability, or four eyes (403)."""

    default_code = "not_allowed"


class FundConflict(_Coded, Conflict):
    """The state of the record, or of its budget line, no longer allows it (409)."""

    default_code = "state"


def _refuse_if(problem: Message | None, *, field: str | None = None) -> None:
    if problem is not None:
        raise FundError(problem, field=field)


def _require(user: User, capabilities: tuple[str, ...]) -> None:
    if not may(user, capabilities):
        raise FundForbidden(_("You are not allowed to do this."))


def _check_version(record: VersionedModel | None, expected_version: int | None) -> None:
    """The user acts on the version they read (0 for a record that does not exist yet): a
    missing or a stale version is refused."""
    if expected_version is None:
        raise FundConflict(
            _("The version of the record you read is missing: reload it and try again."),
            field="version",
            code="missing_version",
        )
    if (record.version if record is not None else 0) != expected_version:
        raise ConcurrentEditError(record)


def _move(payment: PaymentRequest, target: str) -> None:
    if target not in TRANSITIONS[payment.status]:
        raise FundConflict(
            _("A payment request that is %(status)s cannot become %(target)s.")
            % {"status": payment.get_status_display(), "target": Status(target).label}
        )
    payment.status = target


def _lock(payment: PaymentRequest, expected_version: int | None) -> PaymentRequest:
    locked: PaymentRequest = PaymentRequest.objects.select_for_update(no_key=True).get(
        pk=payment.pk
    )
    _check_version(locked, expected_version)
    return locked


def _lock_line(payment: PaymentRequest) -> BudgetLine:
    line: BudgetLine = BudgetLine.objects.select_for_update(no_key=True).get(
        pk=payment.budget_line_id
    )
    return line


def add_to_line_totals(*, line_id: int, kind: str, amount: Decimal) -> None:
    """Add a movement just written to the ledger to its line's kept sums, in the same
    transaction (the line is locked by the caller, or by this update until the commit)."""
    field = f"total_{kind}"
    BudgetLine.objects.filter(pk=line_id).update(**{field: F(field) + amount})


def recount_line_totals(line_ids: Sequence[int] | None = None) -> int:
    """Set the kept sums of the lines (all, or those named) from their ledger, in one
    statement: after rows were loaded in bulk without the actions. Returns the lines set."""
    lines = (
        BudgetLine.objects.all() if line_ids is None else BudgetLine.objects.filter(pk__in=line_ids)
    )
    sums = {
        f"total_{kind}": Coalesce(
            Subquery(
                LedgerEntry.objects.filter(budget_line=OuterRef("pk"), kind=kind)
                .order_by()
                .values("budget_line")
                .annotate(total=Sum("amount"))
                .values("total")
            ),
            Value(Decimal("0.00")),
            output_field=DecimalField(max_digits=18, decimal_places=2),
        )
        for kind in EntryKind.values
    }
    return lines.update(**sums)


def _entry(payment: PaymentRequest, kind: str, by: User, note: str = "") -> LedgerEntry:
    entry = LedgerEntry.objects.create(
        budget_line_id=payment.budget_line_id,
        request=payment,
        kind=kind,
        amount=payment.amount,
        occurred_at=timezone.now(),
        by=by,
        note=note[:300],
    )
    add_to_line_totals(line_id=payment.budget_line_id, kind=kind, amount=payment.amount)
    return entry


def _save(payment: PaymentRequest, fields: list[str]) -> PaymentRequest:
    save_with_version(payment, expected_version=payment.version, fields=["status", *fields])
    payment.refresh_from_db()
    return payment


@transaction.atomic
def open_fiscal_years(
    *, today: date, model: type[FiscalYear] = FiscalYear
) -> tuple[FiscalYear, FiscalYear]:
    """The current and the next fiscal year, opened if they are not yet: the years a
    budget line may be opened on. Run by ``manage.py open_fiscal_years`` every day (and by
    a data migration, which passes its historical ``model``); never by a page."""
    opened = []
    for day in open_fiscal_year_starts(today):
        starts_on, ends_on, label = fiscal_year_of(day)
        year, _created = model._default_manager.get_or_create(
            label=label, defaults={"starts_on": starts_on, "ends_on": ends_on}
        )
        opened.append(year)
    return opened[0], opened[1]


@transaction.atomic
def open_budget_line(
    *,
    fiscal_year: FiscalYear,
    name_ar: str,
    name_en: str,
    source: str,
    amount: Decimal,
    by: User,
    donor: str = "",
) -> BudgetLine:
    """A budget line and its allocation, the first line of its ledger, on the current or
    the next fiscal year only."""
    _require(by, MANAGE)
    _refuse_if(
        line_year_problem(fiscal_year.starts_on, today=timezone.localdate()), field="fiscal_year"
    )
    _refuse_if(amount_problem(amount, maximum=MAX_LINE_AMOUNT), field="amount")
    amount = money(amount)
    if source not in Source.values:
        raise FundError(_("Unknown source of funds."), field="source")
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
        total_allocation=amount,
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
    by: User,
) -> PaymentRequest:
    """A request for a case. It keeps the limits that hold now, and so the number of
    approvals it needs: a later change of the limits never applies to it."""
    _require(by, REQUEST)
    problems = payment_request_problems(amount=amount, justification=justification)
    for field, problem in problems.items():
        raise FundError(problem, field=field)
    amount = money(amount)
    if purpose not in Purpose.values:
        raise FundError(_("Unknown purpose."), field="purpose")
    if case.is_closed:
        raise FundConflict(_("The case is closed."))
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
    _notify_approvers(payment, key=f"{payment.code}:first", exclude=[by.pk])
    # The audit row last: appending it holds the audit chain's head until the commit.
    record_event(
        action="fund.payment_requested",
        actor=by,
        obj=payment,
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
    *, payment: PaymentRequest, by: User, expected_version: int | None
) -> PaymentRequest:
    """First approval commits the amount on the line; beyond a limit a second, different
    approver is needed before the request may be paid."""
    _require(by, DECIDE)
    payment = _lock(payment, expected_version)
    if payment.requested_by_id == by.pk:
        raise FundForbidden(
            _("You requested this payment: someone else must approve it."), code="own_request"
        )
    now = timezone.now()
    if payment.status == Status.SECOND_APPROVAL_NEEDED:
        if payment.approved_by_id == by.pk:
            raise FundForbidden(
                _("You gave the first approval: the second must come from someone else."),
                code="own_approval",
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
            raise FundConflict(
                _("Not enough money on the budget line: %(available)s EGP available.")
                % {"available": available},
                code="no_money",
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
    if payment.status == Status.SECOND_APPROVAL_NEEDED:
        _notify_approvers(
            payment, key=f"{payment.code}:second", exclude=[payment.requested_by_id, by.pk]
        )
    record_event(
        action=kind,
        actor=by,
        obj=payment,
        details={"amount": str(payment.amount), "status": payment.status},
    )
    return payment


@transaction.atomic
def reject_payment(
    *, payment: PaymentRequest, by: User, reason: str, expected_version: int | None
) -> PaymentRequest:
    """Refuse a request; a commitment already made by a first approval is released."""
    _require(by, DECIDE)
    _refuse_if(
        text_problem(reason, required=_("Give the reason for the rejection.")), field="reason"
    )
    payment = _lock(payment, expected_version)
    if payment.requested_by_id == by.pk:
        raise FundForbidden(
            _("You requested this payment: someone else must decide on it."), code="own_request"
        )
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
        details={"amount": str(payment.amount), "released": committed},
    )
    return payment


@transaction.atomic
def record_payment(
    *,
    payment: PaymentRequest,
    by: User,
    method: str,
    reference: str,
    expected_version: int | None,
) -> PaymentRequest:
    """Record that an approved request was paid. A request is paid once only."""
    _require(by, PAY)
    if method not in Method.values:
        raise FundError(_("Choose how the payment was made."), field="method")
    if not reference.strip():
        raise FundError(_("Give the payment reference."), field="reference")
    if len(reference.strip()) > REFERENCE_LENGTH:
        raise FundError(
            _("The payment reference may not be longer than %(limit)s characters.")
            % {"limit": REFERENCE_LENGTH},
            field="reference",
        )
    payment = _lock(payment, expected_version)
    _lock_line(payment)
    if payment.status == Status.PAID:
        raise FundConflict(_("This request has already been paid."))
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
        details={"amount": str(payment.amount), "method": method},
    )
    return payment


@transaction.atomic
def reverse_payment(
    *, payment: PaymentRequest, by: User, reason: str, expected_version: int | None
) -> PaymentRequest:
    """Correct a payment: a reversal line returns the amount to the available balance."""
    _require(by, REVERSE)
    _refuse_if(
        text_problem(reason, required=_("Give the reason for the reversal.")), field="reason"
    )
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
        details={"amount": str(payment.amount)},
    )
    return payment


def _read_upload(upload: UploadedFile) -> tuple[bytes, str, str]:
    """The content of an upload with its content type and extension, or a refusal."""
    size = upload.size or 0
    if size > MAX_DOCUMENT_BYTES:
        raise FundError(_("The file is larger than 5 MB."), field="file")
    if size == 0:
        raise FundError(_("The file is empty."), field="file")
    upload.seek(0)
    content = upload.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise FundError(_("The file is larger than 5 MB."), field="file")
    if not content:
        raise FundError(_("The file is empty."), field="file")
    recognised = recognise_document(content)
    if recognised is None:
        raise FundError(
            _("Only PDF, PNG and JPEG files are accepted, and the file must be complete."),
            field="file",
        )
    return content, *recognised


@transaction.atomic
def attach_documents(
    *,
    payment: PaymentRequest,
    uploads: Sequence[UploadedFile],
    by: User,
    expected_version: int | None,
) -> list[SupportingDocument]:
    """Store PDF, PNG or JPEG files (5 MB each at most, a few at a time, a bounded number
    per request), encrypted, under random names. Every file is checked before any is
    stored: one bad file refuses them all. The request moves to a new version, so that a
    decision taken on what was read before the documents came is refused as stale."""
    _require(by, ATTACH)
    payment = _lock(payment, expected_version)
    if not payment.accepts_documents:
        raise FundConflict(_("Documents can no longer be added to this request."))
    _refuse_if(
        document_count_problem(adding=len(uploads), already=payment.documents.count()),
        field="file",
    )
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
            document.file.save(
                document.stored_name, ContentFile(stored_documents.seal(content)), save=False
            )
            documents.append(document)
            document.save()
        save_with_version(payment, expected_version=payment.version, fields=[])
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


def read_document(*, document: SupportingDocument, by: User) -> bytes:
    """The decrypted content of a supporting document; the reading is audited."""
    _require(by, SEE_FUND)
    content = stored_documents.read(document)
    record_reading(
        action="fund.document_read",
        actor=by,
        obj=document.request,
        details={"document": document.stored_name},
    )
    return content


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
    by: User,
    expected_version: int | None,
) -> LimitChange:
    """Propose to create or change the limit of a purpose (empty: every purpose) for a
    fiscal year. Nothing changes until another fund approver approves the proposal.

    ``expected_version`` is the version of the limit the proposer saw, 0 when there was no
    limit: a proposal made against a limit changed (or created) since is refused."""
    _require(by, MANAGE)
    if purpose and purpose not in Purpose.values:
        raise FundError(_("Unknown purpose."), field="purpose")
    for name, value in (("per_request", per_request), ("per_survivor_year", per_survivor_year)):
        _refuse_if(limit_problem(value), field=name)
    limit = (
        PaymentLimit.objects.select_for_update(no_key=True)
        .filter(fiscal_year=fiscal_year, purpose=purpose)
        .first()
    )
    _check_version(limit, expected_version)
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
        raise FundConflict(
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


def _audited_refusal(run: Callable[[], T], *, action: str, change: LimitChange, by: User) -> T:
    """Run a privileged decision in its own transaction; if it is refused, nothing of it is
    kept, but the refused attempt is written to the audit trail."""
    try:
        with transaction.atomic():
            return run()
    except DomainError as error:
        reason = (
            "stale_version"
            if isinstance(error, ConcurrentEditError)
            else getattr(error, "code", "refused")
        )
        record_event(action=action, actor=by, obj=change, details={"reason": reason})
        raise


def approve_limit_change(
    *, change: LimitChange, by: User, expected_version: int | None
) -> PaymentLimit:
    """Apply a proposed limit change: a fund approver who did not propose it. Requests
    already made keep the limits they were made under. A refusal is audited."""
    return _audited_refusal(
        lambda: _approve_limit_change(change=change, by=by, expected_version=expected_version),
        action="fund.limit_change_approval_refused",
        change=change,
        by=by,
    )


def _approve_limit_change(
    *, change: LimitChange, by: User, expected_version: int | None
) -> PaymentLimit:
    _require(by, MANAGE)
    change = LimitChange.objects.select_for_update(no_key=True).get(pk=change.pk)
    _check_version(change, expected_version)
    if change.status != ChangeStatus.PROPOSED:
        raise FundConflict(_("This limit change has already been decided."), code="decided")
    if change.proposed_by_id == by.pk:
        raise FundForbidden(
            _("You proposed this limit change: another fund approver must approve it."),
            code="own_proposal",
        )
    limit = (
        PaymentLimit.objects.select_for_update(no_key=True)
        .filter(fiscal_year=change.fiscal_year, purpose=change.purpose)
        .first()
    )
    if (limit.version if limit is not None else None) != change.base_version:
        raise FundConflict(
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
        details={
            "change": change.code,
            "per_request": _amount(change.per_request),
            "per_survivor_year": _amount(change.per_survivor_year),
            "before": {"per_request": _amount(before[0]), "per_survivor_year": _amount(before[1])},
        },
    )
    record_event(action="fund.limit_change_approved", actor=by, obj=change)
    return limit


@transaction.atomic
def reject_limit_change(
    *, change: LimitChange, by: User, reason: str, expected_version: int | None
) -> LimitChange:
    """Set a proposed limit change aside; the proposer may withdraw their own this way.
    The limit stays as it is."""
    _require(by, MANAGE)
    _refuse_if(
        text_problem(reason, required=_("Give the reason for the rejection.")), field="reason"
    )
    change = LimitChange.objects.select_for_update(no_key=True).get(pk=change.pk)
    _check_version(change, expected_version)
    if change.status != ChangeStatus.PROPOSED:
        raise FundConflict(_("This limit change has already been decided."), code="decided")
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
        details={"withdrawn": change.proposed_by_id == by.pk},
    )
    return change


def _notify_approvers(payment: PaymentRequest, *, key: str, exclude: list[int]) -> int:
    """Tell the fund approvers of the requester's agencies that an approval waits; never
    the requester nor the first approver (four eyes). Codes and amounts only."""
    from django.urls import reverse

    from himaya.agencies.models import Role
    from himaya.agencies.selectors import agency_ids_for
    from himaya.notifications.actions import notify
    from himaya.notifications.selectors import members_of

    return notify(
        event="fund.approval_waiting",
        recipients=members_of(
            agency_ids_for(payment.requested_by, Role.FUND_OFFICER),
            [Role.FUND_APPROVER],
            exclude=exclude,
        ),
        key=key,
        link=reverse("fund:payment_detail", args=[payment.code]),
        params={"payment_code": payment.code, "amount": str(payment.amount)},
    )
