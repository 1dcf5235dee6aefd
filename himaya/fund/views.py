"""Pages of the fund. Thin: scope through selectors, decisions in selectors and rules,
writes through actions; a refused action is shown with ``show_refusal``."""

import io
from collections.abc import Callable
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
from himaya.core.exports import statement_view
from himaya.core.forms import show_refusal, style
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
from himaya.fund.models import LimitChange, PaymentRequest
from himaya.fund.rules import ATTACH, DECIDE, MANAGE, PAY, REQUEST, REVERSE, SEE_FUND, SEE_PAYMENTS
from himaya.justice.selectors import compensation_totals


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


@login_required
@require_GET
def budget_lines(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, *SEE_FUND)
    lines = selectors.budget_lines_visible_to(user).order_by("fiscal_year__starts_on", "name_en")
    rows = [(line, selectors.balances_of(line)) for line in lines]
    return render(request, "fund/budget_lines.html", {"rows": rows})


@login_required
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, *SEE_FUND)
    return statement_view(
        request,
        form_class=PeriodForm,
        template="fund/statement.html",
        rows=lambda start, end: selectors.statement(user, start=start, end=end),
        export=lambda start, end: actions.export_statement(by=user, start=start, end=end),
        filename="fund-statement",
        extra=lambda start, end: {
            "compensation": compensation_totals(start=start, end=end),
        },
    )


@login_required
@require_GET
def totals(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, "fund.view_totals")
    return render(request, "fund/totals.html", selectors.totals(user))


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
