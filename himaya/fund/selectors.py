"""Scoped reads of the fund. Balances are always summed from the ledger."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from himaya.cases.models import Case
from himaya.cases.selectors import cases_visible_to
from himaya.core.typing import AnyUser
from himaya.fund.models import (
    BudgetLine,
    ChangeStatus,
    EntryKind,
    FiscalYear,
    LedgerEntry,
    LimitChange,
    PaymentLimit,
    PaymentRequest,
    Purpose,
    Status,
    SupportingDocument,
)
from himaya.fund.rules import (
    ATTACH,
    DECIDE,
    MANAGE,
    PAY,
    REVERSE,
    SEE_FUND,
    Balances,
    balances_from_sums,
    money,
    period_problem,
)

CAIRO = ZoneInfo("Africa/Cairo")
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
KINDS = [kind.value for kind in EntryKind]
# Requests whose amount counts against the survivor's yearly limit.
COUNTED = [Status.SECOND_APPROVAL_NEEDED, Status.APPROVED, Status.PAID]


# What a payment request's page and answer show of its relations, read with it.
PAYMENT_RELATED = ("case", "budget_line", "budget_line__fiscal_year", "requested_by", "approved_by")


def payments_visible_to(user: AnyUser) -> QuerySet[PaymentRequest]:
    """Fund officers and approvers work nationally; case workers see their cases' payments."""
    base = PaymentRequest.objects.select_related(*PAYMENT_RELATED)
    if user.has_perm("fund.view_payments"):
        return base
    if user.has_perm("fund.view_case_payments"):
        return base.filter(case__in=cases_visible_to(user))
    return PaymentRequest.objects.none()


def get_payment_or_404(user: AnyUser, code: str) -> PaymentRequest:
    payment = payments_visible_to(user).filter(code=code).first()
    if payment is None:
        raise Http404
    return payment


def payment_as_it_now_is(payment: PaymentRequest) -> PaymentRequest:
    """A request found in scope, read again after a write, with its relations (one query)."""
    return PaymentRequest.objects.select_related(*PAYMENT_RELATED).get(pk=payment.pk)


def get_document_or_404(user: AnyUser, code: str, name: str) -> SupportingDocument:
    """A supporting document of a payment the user may see (documents are read by those who
    see every payment)."""
    payment = get_payment_or_404(user, code)
    if not user.has_perm("fund.view_payments"):
        raise Http404
    document: SupportingDocument | None = payment.documents.filter(stored_name=name).first()
    if document is None:
        raise Http404
    return document


def may(user: AnyUser, capabilities: tuple[str, ...]) -> bool:
    return any(user.has_perm(capability) for capability in capabilities)


@dataclass(frozen=True)
class PaymentChoices:
    """What the user may do now with a payment request (the actions check it again)."""

    decide: bool
    pay: bool
    reverse: bool
    attach: bool
    read_documents: bool


def payment_choices(user: AnyUser, payment: PaymentRequest) -> PaymentChoices:
    return PaymentChoices(
        decide=may(user, DECIDE) and payment.awaits_decision,
        pay=may(user, PAY) and payment.is_payable,
        reverse=may(user, REVERSE) and payment.is_reversible,
        attach=may(user, ATTACH) and payment.accepts_documents,
        read_documents=may(user, SEE_FUND),
    )


def budget_lines_visible_to(user: AnyUser) -> QuerySet[BudgetLine]:
    if not user.has_perm("fund.view_payments"):
        return BudgetLine.objects.none()
    return BudgetLine.objects.select_related("fiscal_year")


def get_budget_line_or_404(user: AnyUser, code: str) -> BudgetLine:
    line = budget_lines_visible_to(user).filter(code=code).first()
    if line is None:
        raise Http404
    return line


def balances_of(line: BudgetLine) -> Balances:
    """The balances of a line, from the sums of its ledger that the line keeps (no query;
    a line read under its lock gives the balances no other write can move meanwhile)."""
    return balances_from_sums(**{kind: getattr(line, f"total_{kind}") for kind in KINDS})


def ledger_balances(entries: QuerySet[LedgerEntry]) -> Balances:
    """The balances of ``entries`` summed in one aggregate (a period of the fund statement,
    or a check of the sums a line keeps)."""
    row = entries.aggregate(
        **{kind: Coalesce(Sum("amount", filter=Q(kind=kind)), ZERO) for kind in KINDS}
    )
    return balances_from_sums(**row)


def limit_for(fiscal_year: FiscalYear, purpose: str) -> PaymentLimit | None:
    limits = {
        limit.purpose: limit for limit in PaymentLimit.objects.filter(fiscal_year=fiscal_year)
    }
    return limits.get(purpose) or limits.get("")


def survivor_year_total(case: Case, fiscal_year: FiscalYear, *, exclude_pk: int | None) -> Decimal:
    """What the case's survivor already has approved or paid in the fiscal year."""
    counted = PaymentRequest.objects.filter(
        case__survivor_id=case.survivor_id,
        budget_line__fiscal_year=fiscal_year,
        status__in=COUNTED,
    )
    if exclude_pk is not None:
        counted = counted.exclude(pk=exclude_pk)
    total = counted.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    return Decimal(total)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CAIRO)


def statement(user: AnyUser, *, start: date, end: date) -> list[dict[str, Any]]:
    """Per budget line: opening balances, the movements of the period, closing balances.

    The period must pass ``rules.period_problem`` (the form and the API check it first)."""
    if period_problem(start, end, today=timezone.localdate()) is not None:
        raise ValueError("statement period out of bounds")
    rows: list[dict[str, Any]] = []
    lines = budget_lines_visible_to(user).order_by("fiscal_year__starts_on", "name_en")
    begin, finish = day_start(start), day_start(date.fromordinal(end.toordinal() + 1))
    for line in lines:
        entries = LedgerEntry.objects.filter(budget_line=line)
        opening = ledger_balances(entries.filter(occurred_at__lt=begin))
        movements = list(
            entries.filter(occurred_at__gte=begin, occurred_at__lt=finish).select_related("request")
        )
        closing = ledger_balances(entries.filter(occurred_at__lt=finish))
        rows.append({"line": line, "opening": opening, "movements": movements, "closing": closing})
    return rows


def totals(user: AnyUser) -> dict[str, Any]:
    """Aggregate figures without any case: per fiscal year and source, and per purpose."""
    if not user.has_perm("fund.view_totals"):
        raise Http404
    lines = BudgetLine.objects.select_related("fiscal_year").order_by(
        "fiscal_year__starts_on", "name_en"
    )
    by_line = [(line, balances_of(line)) for line in lines]
    by_purpose = list(
        PaymentRequest.objects.filter(status=Status.PAID)
        .values("budget_line__fiscal_year__label", "purpose")
        .annotate(total=Sum("amount"))
        .order_by("budget_line__fiscal_year__label", "purpose")
    )
    for row in by_purpose:
        row["purpose_label"] = Purpose(row["purpose"]).label
        row["total"] = money(row["total"])
    return {"by_line": by_line, "by_purpose": by_purpose}


def limits_visible_to(user: AnyUser) -> QuerySet[PaymentLimit]:
    if not user.has_perm("fund.view_payments"):
        return PaymentLimit.objects.none()
    return PaymentLimit.objects.select_related("fiscal_year").order_by(
        "fiscal_year__starts_on", "purpose"
    )


def limit_changes_visible_to(user: AnyUser) -> QuerySet[LimitChange]:
    if not user.has_perm("fund.view_payments"):
        return LimitChange.objects.none()
    return LimitChange.objects.select_related("fiscal_year", "proposed_by", "decided_by")


def pending_limit_changes_visible_to(user: AnyUser) -> QuerySet[LimitChange]:
    return limit_changes_visible_to(user).filter(status=ChangeStatus.PROPOSED)


def get_limit_change_or_404(user: AnyUser, code: str) -> LimitChange:
    change = limit_changes_visible_to(user).filter(code=code).first()
    if change is None:
        raise Http404
    return change


@dataclass(frozen=True)
class LimitChangeChoices:
    """What the user may do now with a proposed limit change (the actions check it again):
    an approver approves another's proposal, and rejects any, withdrawing their own."""

    approve: bool
    reject: bool
    own: bool


def limit_change_choices(user: AnyUser, change: LimitChange) -> LimitChangeChoices:
    pending = change.status == ChangeStatus.PROPOSED
    own = change.proposed_by_id == user.pk
    return LimitChangeChoices(
        approve=may(user, MANAGE) and pending and not own,
        reject=may(user, MANAGE) and pending,
        own=own,
    )


def limit_named_by(user: AnyUser, query: Mapping[str, str]) -> PaymentLimit | None:
    """The limit named by ``fiscal_year`` (its id) and ``purpose`` in a query, if the user
    may see it; ``None`` for anything else."""
    year = query.get("fiscal_year", "")
    if not year.isascii() or not year.isdecimal() or len(year) > 9:
        return None
    return (
        limits_visible_to(user)
        .filter(fiscal_year_id=int(year), purpose=query.get("purpose", ""))
        .first()
    )
