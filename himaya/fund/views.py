"""Pages of the fund. Thin: scope through selectors, writes through actions."""

import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from himaya.agencies.permissions import require_capability
from himaya.audit.actions import record_event
from himaya.cases.selectors import get_case_or_404
from himaya.core.locking import ConcurrentEditError
from himaya.fund import actions, documents, selectors
from himaya.fund.exports import statement_xlsx
from himaya.fund.forms import (
    BudgetLineForm,
    DocumentForm,
    LimitDecisionForm,
    LimitForm,
    LimitRejectForm,
    PayForm,
    PaymentRequestForm,
    PeriodForm,
    RejectForm,
    ReverseForm,
    VersionForm,
)
from himaya.fund.models import PaymentRequest, Status
from himaya.fund.rules import open_fiscal_year_starts


def _can_see_payments(request: HttpRequest) -> None:
    require_capability(request.user, "fund.view_payments", "fund.view_case_payments")


@login_required
@require_GET
def payment_list(request: HttpRequest) -> HttpResponse:
    _can_see_payments(request)
    payments = selectors.payments_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        payments = payments.filter(status=status)
    page = Paginator(payments, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "fund/payment_list.html",
        {"page": page, "statuses": Status.choices, "status": status},
    )


@login_required
def payment_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "fund.request_payment")
    form = PaymentRequestForm(request.POST or None, initial={"case_code": request.GET.get("case")})
    if request.method == "POST" and form.is_valid():
        try:
            payment = actions.request_payment(
                case=form.cleaned_data["case_code"],
                budget_line=form.cleaned_data["budget_line"],
                purpose=form.cleaned_data["purpose"],
                amount=form.cleaned_data["amount"],
                justification=form.cleaned_data["justification"],
                by=request.user,
                request=request,
            )
        except actions.FundError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Payment request recorded."))
            return redirect("fund:payment_detail", code=payment.code)
    return render(request, "fund/payment_form.html", {"form": form})


def _detail_context(request: HttpRequest, payment: PaymentRequest) -> dict[str, Any]:
    user = request.user
    version = {"version": payment.version}
    return {
        "payment": payment,
        "documents": list(payment.documents.all()),
        "entries": list(payment.entries.all()),
        "can_decide": user.has_perm("fund.approve_payment")
        and payment.status in {Status.REQUESTED, Status.SECOND_APPROVAL_NEEDED},
        "can_pay": (user.has_perm("fund.request_payment") or user.has_perm("fund.approve_payment"))
        and payment.status == Status.APPROVED,
        "can_reverse": user.has_perm("fund.approve_payment") and payment.status == Status.PAID,
        "can_attach": (
            user.has_perm("fund.request_payment") or user.has_perm("fund.approve_payment")
        )
        and payment.status not in {Status.REJECTED, Status.REVERSED},
        "approve_form": VersionForm(initial=version),
        "reject_form": RejectForm(initial=version),
        "pay_form": PayForm(initial=version),
        "reverse_form": ReverseForm(initial=version),
        "document_form": DocumentForm(),
    }


@login_required
@require_GET
def payment_detail(request: HttpRequest, code: str) -> HttpResponse:
    _can_see_payments(request)
    payment = selectors.get_payment_or_404(request.user, code)
    return render(request, "fund/payment_detail.html", _detail_context(request, payment))


def _decide(
    request: HttpRequest,
    code: str,
    form_class: type[VersionForm],
    capabilities: tuple[str, ...],
    run: Callable[[PaymentRequest, dict[str, Any]], PaymentRequest],
    done: str,
    form_key: str,
) -> HttpResponse:
    require_capability(request.user, *capabilities)
    payment = selectors.get_payment_or_404(request.user, code)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(payment, form.cleaned_data)
        except (actions.FundError, ConcurrentEditError) as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, done)
            return redirect("fund:payment_detail", code=payment.code)
    payment.refresh_from_db()
    context = _detail_context(request, payment)
    context[form_key] = form
    context["action_errors"] = form.non_field_errors()
    return render(request, "fund/payment_detail.html", context, status=400)


@login_required
@require_POST
def payment_approve(request: HttpRequest, code: str) -> HttpResponse:
    return _decide(
        request,
        code,
        VersionForm,
        ("fund.approve_payment",),
        lambda p, data: actions.approve_payment(
            payment=p, by=request.user, expected_version=data["version"], request=request
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
        RejectForm,
        ("fund.approve_payment",),
        lambda p, data: actions.reject_payment(
            payment=p,
            by=request.user,
            reason=data["reason"],
            expected_version=data["version"],
            request=request,
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
        PayForm,
        ("fund.request_payment", "fund.approve_payment"),
        lambda p, data: actions.record_payment(
            payment=p,
            by=request.user,
            method=data["method"],
            reference=data["reference"],
            expected_version=data["version"],
            request=request,
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
        ReverseForm,
        ("fund.approve_payment",),
        lambda p, data: actions.reverse_payment(
            payment=p,
            by=request.user,
            reason=data["reason"],
            expected_version=data["version"],
            request=request,
        ),
        _("Reversal recorded."),
        "reverse_form",
    )


@login_required
@require_POST
def document_upload(request: HttpRequest, code: str) -> HttpResponse:
    require_capability(request.user, "fund.request_payment", "fund.approve_payment")
    payment = selectors.get_payment_or_404(request.user, code)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.attach_documents(
                payment=payment,
                uploads=form.cleaned_data["file"],
                by=request.user,
                request=request,
            )
        except actions.FundError as error:
            form.add_error("file", str(error.message))
        else:
            messages.success(request, _("Documents attached."))
            return redirect("fund:payment_detail", code=payment.code)
    context = _detail_context(request, payment)
    context["document_form"] = form
    return render(request, "fund/payment_detail.html", context, status=400)


@login_required
@require_GET
def document_download(request: HttpRequest, code: str, name: str) -> FileResponse:
    require_capability(request.user, "fund.view_payments")
    payment = selectors.get_payment_or_404(request.user, code)
    document = payment.documents.filter(stored_name=name).first()
    if document is None:
        raise Http404
    record_event(
        action="fund.document_read",
        actor=request.user,
        obj=payment,
        request=request,
        details={"document": document.stored_name},
    )
    return FileResponse(
        io.BytesIO(documents.read(document)),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.stored_name,
    )


@login_required
@require_GET
def budget_lines(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "fund.view_payments")
    lines = selectors.budget_lines_visible_to(request.user).order_by(
        "fiscal_year__starts_on", "name_en"
    )
    rows = [(line, selectors.balances_of(line)) for line in lines]
    return render(request, "fund/budget_lines.html", {"rows": rows})


@login_required
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "fund.view_payments")
    form = PeriodForm.for_today(request.GET, timezone.localdate())
    rows: list[dict[str, Any]] = []
    status = 200 if form.is_valid() else 400
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = selectors.statement(request.user, start=start, end=end)
        if request.GET.get("format") == "xlsx":
            record_event(
                action="fund.statement_exported",
                actor=request.user,
                request=request,
                object_type="fund.statement",
                object_code=f"{start}_{end}",
                details={"lines": len(rows)},
            )
            response = HttpResponse(
                statement_xlsx(rows, start=start, end=end),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="fund-statement-{start}-{end}.xlsx"'
            )
            return response
    return render(request, "fund/statement.html", {"form": form, "rows": rows}, status=status)


@login_required
@require_GET
def totals(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "fund.view_totals")
    return render(request, "fund/totals.html", selectors.totals(request.user))


@login_required
@require_GET
def case_panel(request: HttpRequest, code: str) -> HttpResponse:
    require_capability(request.user, "fund.view_case_payments")
    case = get_case_or_404(request.user, code)
    payments = list(selectors.payments_visible_to(request.user).filter(case=case))
    return render(request, "fund/partials/case_panel.html", {"case": case, "payments": payments})


@login_required
def budget_line_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "fund.approve_payment")
    for day in open_fiscal_year_starts(timezone.localdate()):
        actions.open_fiscal_year(day=day)  # the current and the next fiscal year exist
    form = BudgetLineForm(request.POST or None)
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
                by=request.user,
                request=request,
            )
        except actions.FundError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Budget line opened and its allocation recorded."))
            return redirect("fund:lines")
    return render(request, "fund/budget_line_form.html", {"form": form})


def _limits_page(
    request: HttpRequest,
    *,
    form: LimitForm | None = None,
    status: int = 200,
    decisions: dict[str, VersionForm] | None = None,
    decision_errors: Any = (),
) -> HttpResponse:
    decisions = decisions or {}
    changes = list(selectors.pending_limit_changes_visible_to(request.user))
    context = {
        "form": form or LimitForm(),
        "rows": list(selectors.limits_visible_to(request.user)),
        "changes": [
            (
                change,
                decisions.get(f"approve_{change.code}")
                or LimitDecisionForm(initial={"version": change.version}),
                decisions.get(f"reject_{change.code}")
                or LimitRejectForm(initial={"version": change.version}),
            )
            for change in changes
        ],
        "decision_errors": decision_errors,
    }
    return render(request, "fund/limits.html", context, status=status)


@login_required
def limits(request: HttpRequest) -> HttpResponse:
    """The limits in force and the changes waiting for a second approver. A change is only
    proposed here; it applies when another fund approver approves it."""
    require_capability(request.user, "fund.view_payments")
    if request.method != "POST":
        return _limits_page(request)
    require_capability(request.user, "fund.approve_payment")
    form = LimitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.propose_limit_change(
                fiscal_year=data["fiscal_year"],
                purpose=data["purpose"] or "",
                per_request=data["per_request"],
                per_survivor_year=data["per_survivor_year"],
                by=request.user,
                expected_version=data["version"],
                request=request,
            )
        except (actions.FundError, ConcurrentEditError) as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request, _("Limit change proposed: it applies once another approver approves it.")
            )
            return redirect("fund:limits")
    return _limits_page(request, form=form, status=400)


def _decide_limit(
    request: HttpRequest,
    code: str,
    form_class: type[VersionForm],
    run: Callable[[Any, dict[str, Any]], Any],
    done: str,
    key: str,
) -> HttpResponse:
    require_capability(request.user, "fund.approve_payment")
    change = selectors.get_limit_change_or_404(request.user, code)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(change, form.cleaned_data)
        except (actions.FundError, ConcurrentEditError) as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, done)
            return redirect("fund:limits")
    return _limits_page(
        request,
        status=400,
        decisions={f"{key}_{change.code}": form},
        decision_errors=form.non_field_errors(),
    )


@login_required
@require_POST
def limit_change_approve(request: HttpRequest, code: str) -> HttpResponse:
    return _decide_limit(
        request,
        code,
        LimitDecisionForm,
        lambda change, data: actions.approve_limit_change(
            change=change, by=request.user, expected_version=data["version"], request=request
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
        LimitRejectForm,
        lambda change, data: actions.reject_limit_change(
            change=change,
            by=request.user,
            reason=data["reason"],
            expected_version=data["version"],
            request=request,
        ),
        _("Limit change rejected: the limit stays as it was."),
        "reject",
    )
