"""Pages of the fund. Thin: scope through selectors, decisions in selectors and rules,
writes through actions; a refused action is shown with ``show_refusal``."""

import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.acting import acting_user
from himaya.accounts.models import User
from himaya.agencies.permissions import require_capability
from himaya.audit.exports import Column, export_list
from himaya.cases.selectors import get_case_or_404
from himaya.core.errors import DomainError
from himaya.core.exports import fiscal_year_period, statement_view
from himaya.core.forms import show_refusal, style
from himaya.core.tabular import Cell
from himaya.fund import actions, selectors
from himaya.fund.filters import PaymentFilter
from himaya.fund.forms import (
    BudgetLineForm,
    DecisionForm,
    DocumentForm,
    LimitForm,
    PayForm,
    PaymentRequestForm,
    PeriodForm,
    RejectForm,
    ReverseForm,
)
from himaya.fund.models import BudgetLine, LimitChange, PaymentRequest
from himaya.fund.rules import ATTACH, DECIDE, MANAGE, PAY, REQUEST, REVERSE, SEE_FUND, SEE_PAYMENTS
from himaya.justice.selectors import CompensationTotals, compensation_totals


def _form_errors(form: forms.BaseForm) -> list[str]:
    """The errors shown above a form: its own and those of its hidden fields (the version)."""
    hidden = [str(error) for field in form.hidden_fields() for error in field.errors]
    return [*map(str, form.non_field_errors()), *hidden]


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def payment_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, *SEE_PAYMENTS)
    found = PaymentFilter(request.GET, queryset=selectors.payments_visible_to(user))
    if found.is_valid():
        exported = export_list(
            request,
            name="payments",
            title=_("Assistance payments"),
            columns=[
                Column(_("Code"), lambda p: p.code),
                Column(_("Case"), lambda p: p.case.code),
                Column(_("Purpose"), lambda p: p.get_purpose_display()),
                Column(_("Amount (EGP)"), lambda p: p.amount),
                Column(_("Budget line"), lambda p: p.budget_line.name),
                Column(pgettext("state of a record", "Status"), lambda p: p.get_status_display()),
                Column(_("Requested on"), lambda p: timezone.localdate(p.created_at)),
            ],
            rows=found.qs.select_related("case", "budget_line").iterator(),
        )
        if exported is not None:
            return exported
    style(found.form)
    status = 200 if found.is_valid() else 400
    page = Paginator(found.qs, 50).get_page(request.GET.get("page"))
    return render(request, "fund/payment_list.html", {"page": page, "filter": found}, status=status)


@login_required
def payment_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, *REQUEST)
    form = PaymentRequestForm(request.POST or None, initial={"case_code": request.GET.get("case")})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            payment = actions.request_payment(
                case=form.cleaned_data["case_code"],
                budget_line=form.cleaned_data["budget_line"],
                purpose=form.cleaned_data["purpose"],
                amount=form.cleaned_data["amount"],
                justification=form.cleaned_data["justification"],
                by=user,
            )
        except DomainError as error:
            show_refusal(error, form=form)
            status = error.status
        else:
            messages.success(request, _("Payment request recorded."))
            return redirect("fund:payment_detail", code=payment.code)
    return render(request, "fund/payment_form.html", {"form": form}, status=status)


def _detail_context(user: User, payment: PaymentRequest) -> dict[str, Any]:
    version = {"version": payment.version}
    return {
        "payment": payment,
        "documents": list(payment.documents.all()),
        "entries": list(payment.entries.all()),
        "may": selectors.payment_choices(user, payment),
        "approve_form": DecisionForm(initial=version),
        "reject_form": RejectForm(initial=version),
        "pay_form": PayForm(initial=version),
        "reverse_form": ReverseForm(initial=version),
        "document_form": DocumentForm(initial=version),
    }


@login_required
@require_GET
def payment_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, *SEE_PAYMENTS)
    payment = selectors.get_payment_or_404(user, code)
    return render(request, "fund/payment_detail.html", _detail_context(user, payment))


def _decide(
    request: HttpRequest,
    code: str,
    form: DecisionForm,
    capabilities: tuple[str, ...],
    run: Callable[[PaymentRequest, User, dict[str, Any]], object],
    done: str,
    form_key: str,
) -> HttpResponse:
    """A decision on a payment request from its page: done, or shown refused on the page
    with the status of the refusal (400 for a form that does not validate)."""
    user = acting_user(request)
    require_capability(user, *capabilities)
    payment = selectors.get_payment_or_404(user, code)
    status = 400
    if form.is_valid():
        try:
            run(payment, user, form.cleaned_data)
        except DomainError as error:
            show_refusal(error, form=form)
            status = error.status
        else:
            messages.success(request, done)
            return redirect("fund:payment_detail", code=payment.code)
    payment.refresh_from_db()
    context = _detail_context(user, payment)
    context[form_key] = form
    context["action_errors"] = _form_errors(form)
    return render(request, "fund/payment_detail.html", context, status=status)


@login_required
@require_POST
def payment_approve(request: HttpRequest, code: str) -> HttpResponse:
    return _decide(
        request,
        code,
        DecisionForm(request.POST),
        DECIDE,
        lambda payment, user, data: actions.approve_payment(
            payment=payment, by=user, expected_version=data["version"]
        ),
        _("Approval recorded."),
        "approve_form",
    )


@login_required
@require_POST
def payment_reject(request: HttpRequest, code: str) -> HttpResponse:
    return _decide(
        request,
        code,
        RejectForm(request.POST),
        DECIDE,
        lambda payment, user, data: actions.reject_payment(
            payment=payment, by=user, reason=data["reason"], expected_version=data["version"]
        ),
        _("Rejection recorded."),
        "reject_form",
    )


@login_required
@require_POST
def payment_pay(request: HttpRequest, code: str) -> HttpResponse:
    return _decide(
        request,
        code,
        PayForm(request.POST),
        PAY,
        lambda payment, user, data: actions.record_payment(
            payment=payment,
            by=user,
            method=data["method"],
            reference=data["reference"],
            expected_version=data["version"],
        ),
        _("Payment recorded."),
        "pay_form",
    )


@login_required
@require_POST
def payment_reverse(request: HttpRequest, code: str) -> HttpResponse:
    return _decide(
        request,
        code,
        ReverseForm(request.POST),
        REVERSE,
        lambda payment, user, data: actions.reverse_payment(
            payment=payment, by=user, reason=data["reason"], expected_version=data["version"]
        ),
        _("Reversal recorded."),
        "reverse_form",
    )


@login_required
@require_POST
def document_upload(request: HttpRequest, code: str) -> HttpResponse:
    return _decide(
        request,
        code,
        DocumentForm(request.POST, request.FILES),
        ATTACH,
        lambda payment, user, data: actions.attach_documents(
            payment=payment, uploads=data["file"], by=user, expected_version=data["version"]
        ),
        _("Documents attached."),
        "document_form",
    )


@login_required
@require_GET
def document_download(request: HttpRequest, code: str, name: str) -> FileResponse:
    user = acting_user(request)
    require_capability(user, *SEE_FUND)
    document = selectors.get_document_or_404(user, code, name)
    return FileResponse(
        io.BytesIO(actions.read_document(document=document, by=user)),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.stored_name,
    )


def _balance_columns(line_name: Callable[[BudgetLine], str]) -> list[Column]:
    """The columns of a table of budget lines and their balances, as the pages show them."""
    return [
        Column(_("Fiscal year"), lambda row: row[0].fiscal_year.label),
        Column(_("Budget line"), lambda row: line_name(row[0])),
        Column(_("Source"), lambda row: row[0].get_source_display()),
        Column(_("Allocated"), lambda row: row[1].allocated),
        Column(_("Committed"), lambda row: row[1].committed),
        Column(_("Paid"), lambda row: row[1].paid),
        Column(_("Available"), lambda row: row[1].available),
    ]


def _name_and_donor(line: BudgetLine) -> str:
    return f"{line.name} · {line.donor}" if line.donor else str(line.name)


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def budget_lines(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, *SEE_FUND)
    lines = selectors.budget_lines_visible_to(user).order_by("fiscal_year__starts_on", "name_en")
    rows = [(line, selectors.balances_of(line)) for line in lines]
    exported = export_list(
        request,
        name="fund-budget-lines",
        title=_("Budget lines"),
        columns=_balance_columns(_name_and_donor),
        rows=rows,
    )
    if exported is not None:
        return exported
    return render(request, "fund/budget_lines.html", {"rows": rows})


def _statement_lines(
    rows: list[dict[str, Any]], compensation: CompensationTotals
) -> Iterator[dict[str, Any]]:
    """The statement's tables as one list of lines: per budget line its opening balance,
    the movements of the period and its closing balance, then the court compensation of
    the period (beside the fund, never paid from it), as the page shows them."""
    for row in rows:
        line = row["line"]
        yield {"line": line, "what": _("Opening balance"), "balances": row["opening"]}
        for entry in row["movements"]:
            yield {"line": line, "what": entry.get_kind_display(), "entry": entry}
        yield {"line": line, "what": _("Closing balance"), "balances": row["closing"]}
    yield {"label": _("Court compensation in the period")}
    yield {
        "label": _("Compensation claimed"),
        "what": _("Claims: %(count)s") % {"count": compensation.claims},
        "amount": compensation.claimed,
    }
    yield {
        "label": _("Compensation received"),
        "what": _("Receipts: %(count)s") % {"count": compensation.receipts},
        "amount": compensation.received,
    }


def _of_line(value: Callable[[BudgetLine], Cell]) -> Callable[[dict[str, Any]], Cell]:
    def cell(item: dict[str, Any]) -> Cell:
        line = item.get("line")
        return value(line) if line is not None else None

    return cell


def _amount(item: dict[str, Any]) -> Decimal | None:
    if (entry := item.get("entry")) is not None:
        return Decimal(entry.amount)
    if (balances := item.get("balances")) is not None:
        return Decimal(balances.available)
    return item.get("amount")


def _balance(field: str) -> Callable[[dict[str, Any]], Decimal | None]:
    def value(item: dict[str, Any]) -> Decimal | None:
        balances = item.get("balances")
        return getattr(balances, field) if balances is not None else None

    return value


def _statement_export(request: HttpRequest, user: User) -> HttpResponse | None:
    """The export door of the statement of the period the page shows (the current fiscal
    year without ``start``); ``None`` for a period the page refuses."""
    if request.GET.get("start"):
        form = PeriodForm(request.GET)
    else:
        start, end = fiscal_year_period(timezone.localdate())
        form = PeriodForm({"start": start, "end": end})
    if not form.is_valid():
        return None
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]

    def entry_of(item: dict[str, Any]) -> Any:
        return item.get("entry")

    return export_list(
        request,
        name="fund-statement",
        title=_("Fund statement"),
        columns=[
            Column(
                _("Budget line"),
                lambda item: str(line.name) if (line := item.get("line")) else str(item["label"]),
            ),
            Column(_("Code"), _of_line(lambda line: line.code)),
            Column(_("Fiscal year"), _of_line(lambda line: line.fiscal_year.label)),
            Column(_("Movement"), lambda item: str(what) if (what := item.get("what")) else None),
            Column(
                _("Payment request"),
                lambda item: e.request.code if (e := entry_of(item)) and e.request else None,
            ),
            Column(
                _("Date"),
                lambda item: timezone.localdate(e.occurred_at) if (e := entry_of(item)) else None,
            ),
            Column(_("Amount (EGP)"), _amount),
            Column(_("Allocated"), _balance("allocated")),
            Column(_("Committed"), _balance("committed")),
            Column(_("Paid"), _balance("paid")),
            Column(_("Available"), _balance("available")),
        ],
        rows=_statement_lines(
            selectors.statement(user, start=start, end=end),
            compensation_totals(start=start, end=end),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def statement(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, *SEE_FUND)
    if request.GET.get("export"):
        exported = _statement_export(request, user)
        if exported is not None:
            return exported
    return statement_view(
        request,
        form_class=PeriodForm,
        template="fund/statement.html",
        rows=lambda start, end: selectors.statement(user, start=start, end=end),
        extra=lambda start, end: {
            "compensation": compensation_totals(start=start, end=end),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def totals(request: HttpRequest) -> HttpResponse:
    """The fund's totals; each of its two tables exports on its own (``table=purpose`` for
    the second), with the same cells as the page and no case."""
    user = acting_user(request)
    require_capability(user, "fund.view_totals")
    figures = selectors.totals(user)
    if request.GET.get("table") == "purpose":
        exported = export_list(
            request,
            name="fund-paid-by-purpose",
            title=_("Paid by purpose"),
            columns=[
                Column(_("Fiscal year"), lambda row: row["budget_line__fiscal_year__label"]),
                Column(_("Purpose"), lambda row: str(row["purpose_label"])),
                Column(_("Paid (EGP)"), lambda row: row["total"]),
            ],
            rows=figures["by_purpose"],
        )
    else:
        exported = export_list(
            request,
            name="fund-totals",
            title=_("Fund totals"),
            columns=_balance_columns(lambda line: str(line.name)),
            rows=figures["by_line"],
        )
    if exported is not None:
        return exported
    return render(request, "fund/totals.html", figures)


@login_required
@require_GET
def case_panel(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, "fund.view_case_payments")
    case = get_case_or_404(user, code)
    payments = list(selectors.payments_visible_to(user).filter(case=case))
    return render(request, "fund/partials/case_panel.html", {"case": case, "payments": payments})


@login_required
def budget_line_create(request: HttpRequest) -> HttpResponse:
    """Open a budget line on one of the fiscal years already open (``open_fiscal_years``
    opens the current and the next one every day; this page writes nothing on a read)."""
    user = acting_user(request)
    require_capability(user, *MANAGE)
    form = BudgetLineForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.open_budget_line(
                fiscal_year=data["fiscal_year"],
                name_ar=data["name_ar"],
                name_en=data["name_en"],
                source=data["source"],
                donor=data["donor"],
                amount=data["amount"],
                by=user,
            )
        except DomainError as error:
            show_refusal(error, form=form)
            status = error.status
        else:
            messages.success(request, _("Budget line opened and its allocation recorded."))
            return redirect("fund:lines")
    return render(request, "fund/budget_line_form.html", {"form": form}, status=status)


def _limits_page(
    request: HttpRequest,
    user: User,
    *,
    form: LimitForm,
    status: int = 200,
    decision: tuple[str, DecisionForm] | None = None,
) -> HttpResponse:
    """The limits, the changes waiting with what the user may do with each, and the form to
    propose a limit. ``decision`` is a refused decision's form, keyed ``approve_<code>`` or
    ``reject_<code>``."""
    forms_by_key = dict([decision]) if decision else {}

    def decision_forms(change: LimitChange) -> tuple[DecisionForm, DecisionForm]:
        version = {"version": change.version}
        return (
            forms_by_key.get(f"approve_{change.code}") or DecisionForm(initial=version),
            forms_by_key.get(f"reject_{change.code}") or RejectForm(initial=version),
        )

    context = {
        "form": form,
        "rows": list(selectors.limits_visible_to(user)),
        "changes": [
            (change, selectors.limit_change_choices(user, change), *decision_forms(change))
            for change in selectors.pending_limit_changes_visible_to(user)
        ],
        "may_propose": selectors.may(user, MANAGE),
        "form_errors": _form_errors(form),
        "decision_errors": _form_errors(decision[1]) if decision else [],
    }
    return render(request, "fund/limits.html", context, status=status)


@login_required
def limits(request: HttpRequest) -> HttpResponse:
    """The limits in force and the changes waiting for a second approver. A change is only
    proposed here; it applies when another fund approver approves it. The form starts from
    the limit named in the address (``?fiscal_year=<id>&purpose=<purpose>``), with its
    version, or from no limit (version 0)."""
    user = acting_user(request)
    require_capability(user, *SEE_FUND)
    exported = export_list(
        request,
        name="fund-limits",
        title=_("Payment limits"),
        columns=[
            Column(_("Fiscal year"), lambda limit: limit.fiscal_year.label),
            Column(
                _("Purpose"),
                lambda limit: (
                    limit.get_purpose_display()
                    if limit.purpose
                    else _("Every purpose without its own limit")
                ),
            ),
            Column(_("Per request (EGP)"), lambda limit: limit.per_request),
            Column(_("Per survivor per fiscal year (EGP)"), lambda limit: limit.per_survivor_year),
        ],
        rows=selectors.limits_visible_to(user).iterator(),
    )
    if exported is not None:
        return exported
    if request.method != "POST":
        limit = selectors.limit_named_by(user, request.GET)
        initial: dict[str, Any] = {"version": 0}
        if limit is not None:
            initial = {
                "version": limit.version,
                "fiscal_year": limit.fiscal_year_id,
                "purpose": limit.purpose,
                "per_request": limit.per_request,
                "per_survivor_year": limit.per_survivor_year,
            }
        return _limits_page(request, user, form=LimitForm(initial=initial))
    require_capability(user, *MANAGE)
    form = LimitForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.propose_limit_change(
                fiscal_year=data["fiscal_year"],
                purpose=data["purpose"] or "",
                per_request=data["per_request"],
                per_survivor_year=data["per_survivor_year"],
                by=user,
                expected_version=data["version"],
            )
        except DomainError as error:
            show_refusal(error, form=form)
            status = error.status
        else:
            messages.success(
                request, _("Limit change proposed: it applies once another approver approves it.")
            )
            return redirect("fund:limits")
    return _limits_page(request, user, form=form, status=status)


def _decide_limit(
    request: HttpRequest,
    code: str,
    form: DecisionForm,
    run: Callable[[LimitChange, User, dict[str, Any]], object],
    done: str,
    key: str,
) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, *MANAGE)
    change = selectors.get_limit_change_or_404(user, code)
    status = 400
    if form.is_valid():
        try:
            run(change, user, form.cleaned_data)
        except DomainError as error:
            show_refusal(error, form=form)
            status = error.status
        else:
            messages.success(request, done)
            return redirect("fund:limits")
    return _limits_page(
        request,
        user,
        form=LimitForm(initial={"version": 0}),
        status=status,
        decision=(f"{key}_{change.code}", form),
    )


@login_required
@require_POST
def limit_change_approve(request: HttpRequest, code: str) -> HttpResponse:
    return _decide_limit(
        request,
        code,
        DecisionForm(request.POST),
        lambda change, user, data: actions.approve_limit_change(
            change=change, by=user, expected_version=data["version"]
        ),
        _("Limit change approved: it applies to requests made from now on."),
        "approve",
    )


@login_required
@require_POST
def limit_change_reject(request: HttpRequest, code: str) -> HttpResponse:
    return _decide_limit(
        request,
        code,
        RejectForm(request.POST),
        lambda change, user, data: actions.reject_limit_change(
            change=change, by=user, reason=data["reason"], expected_version=data["version"]
        ),
        _("Limit change rejected: the limit stays as it was."),
        "reject",
    )
