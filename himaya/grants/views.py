"""Pages of grants: scoped through selectors, decisions in selectors, writes through
actions; a refused action is shown with ``show_refusal``."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.acting import acting_user
from himaya.accounts.models import User
from himaya.audit.exports import Column, export_list
from himaya.core.errors import DomainError
from himaya.core.exports import fiscal_year_period, statement_view
from himaya.core.forms import show_refusal
from himaya.grants import actions, selectors
from himaya.grants.forms import DecisionForm, GrantForm, PeriodForm, ReportForm, ReviewForm
from himaya.grants.models import Grant


def _viewer(request: HttpRequest) -> User:
    user = acting_user(request)
    if not selectors.may_see_grants(user):
        raise PermissionDenied
    return user


def _manager(request: HttpRequest) -> User:
    user = acting_user(request)
    if not selectors.may_manage(user):
        raise PermissionDenied
    return user


def _form_errors(form: forms.BaseForm) -> list[str]:
    """The errors shown above a form: its own and those of its hidden fields (the version)."""
    hidden = [str(error) for field in form.hidden_fields() for error in field.errors]
    return [*map(str, form.non_field_errors()), *hidden]


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def grant_list(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    exported = export_list(
        request,
        name="grants",
        title=_("Grants to NGOs"),
        columns=[
            Column(_("Code"), lambda g: g.code),
            Column(_("NGO"), lambda g: g.ngo.name),
            Column(_("Title"), lambda g: g.title),
            Column(_("Amount (EGP)"), lambda g: g.amount),
            Column(_("Starts on"), lambda g: g.starts_on),
            Column(_("Ends on"), lambda g: g.ends_on),
            Column(
                _("Tranches released"),
                lambda g: sum(1 for t in g.tranches.all() if t.status == "released"),
            ),
        ],
        rows=selectors.grants_visible_to(user)
        .select_related("ngo")
        .prefetch_related("tranches")
        .order_by("-starts_on", "-id"),
    )
    if exported is not None:
        return exported
    grants = list(selectors.grants_visible_to(user).order_by("-starts_on", "-id")[:200])
    return render(request, "grants/grant_list.html", {"grants": grants})


@login_required
def grant_create(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    form = GrantForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = actions.create_grant(
                ngo=data["ngo"],
                title=data["title"],
                amount=data["amount"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                phases=data["phases"],
                services=data["services"],
                tranches=data["tranches"],
                service_types=list(data["service_types"]),
                by=user,
            )
        except DomainError as error:
            show_refusal(error, form=form)
            status = error.status
        else:
            messages.success(request, _("Grant recorded."))
            return redirect("grants:detail", code=grant.code)
    return render(request, "grants/grant_form.html", {"form": form}, status=status)


def _detail_context(user: User, grant: Grant) -> dict[str, Any]:
    choices = selectors.tranche_choices(user, grant)
    rows = []
    for tranche in grant.tranches.all():
        report = getattr(tranche, "report", None)
        start, end = selectors.period_of(tranche)
        rows.append(
            {
                "tranche": tranche,
                "report": report,
                "start": start,
                "end": end,
                "may": choices[tranche.sequence],
                "recorded": selectors.recorded_activity(grant.ngo, start, end)
                if tranche.is_released
                else None,
                "release_form": DecisionForm(initial={"version": tranche.version}),
                "review_form": ReviewForm(initial={"version": report.version}) if report else None,
            }
        )
    return {"grant": grant, "rows": rows}


@login_required
@require_GET
def grant_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _viewer(request)
    grant = selectors.get_grant_or_404(user, code)
    return render(request, "grants/grant_detail.html", _detail_context(user, grant))


def _refused_on_detail(user: User, code: str, form: DecisionForm) -> dict[str, Any]:
    """The grant's page with the errors of a refused release or review above it."""
    context = _detail_context(user, selectors.get_grant_or_404(user, code))
    context["action_errors"] = [str(error) for errors in form.errors.values() for error in errors]
    return context


@login_required
@require_POST
def tranche_release(request: HttpRequest, code: str, sequence: int) -> HttpResponse:
    user = _manager(request)
    tranche = selectors.get_tranche_or_404(user, code, sequence)
    form = DecisionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            actions.release_tranche(
                tranche=tranche, by=user, expected_version=form.cleaned_data["version"]
            )
        except DomainError as error:
            show_refusal(error, form=form)
            status = error.status
        else:
            messages.success(request, _("Tranche released."))
            return redirect("grants:detail", code=code)
    context = _refused_on_detail(user, code, form)
    return render(request, "grants/grant_detail.html", context, status=status)


@login_required
def report_submit(request: HttpRequest, code: str, sequence: int) -> HttpResponse:
    user = _viewer(request)
    tranche = selectors.get_tranche_or_404(user, code, sequence)
    if not selectors.may_report_on(user, tranche.grant):
        raise PermissionDenied
    report = getattr(tranche, "report", None)
    initial: dict[str, Any] = (
        {
            "version": report.version,
            "narrative": report.narrative,
            "people_served": report.people_served,
            "services_delivered": report.services_delivered,
        }
        if report
        else {"version": 0}
    )
    form = ReportForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.submit_report(
                    tranche=tranche,
                    narrative=data["narrative"],
                    people_served=data["people_served"],
                    services_delivered=data["services_delivered"],
                    by=user,
                    expected_version=data["version"],
                )
            except DomainError as error:
                show_refusal(error, form=form)
                status = error.status
            else:
                messages.success(request, _("Report submitted."))
                return redirect("grants:detail", code=code)
    start, end = selectors.period_of(tranche)
    return render(
        request,
        "grants/report_form.html",
        {
            "form": form,
            "form_errors": _form_errors(form),
            "tranche": tranche,
            "grant": tranche.grant,
            "start": start,
            "end": end,
            "recorded": selectors.recorded_activity(tranche.grant.ngo, start, end),
        },
        status=status,
    )


@login_required
@require_POST
def report_review(request: HttpRequest, code: str) -> HttpResponse:
    user = _manager(request)
    report = selectors.get_report_or_404(user, code)
    form = ReviewForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            actions.review_report(
                report=report,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                by=user,
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            show_refusal(error, form=form)
            status = error.status
        else:
            messages.success(request, _("Review recorded."))
            return redirect("grants:detail", code=report.tranche.grant.code)
    context = _refused_on_detail(user, report.tranche.grant.code, form)
    return render(request, "grants/grant_detail.html", context, status=status)


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
    return export_list(
        request,
        name="grant-statement",
        title=_("Grant statement"),
        columns=[
            Column(_("Grant"), lambda row: row["grant"].code),
            Column(_("NGO"), lambda row: str(row["grant"].ngo.name)),
            Column(_("Amount (EGP)"), lambda row: row["grant"].amount),
            Column(_("Due (EGP)"), lambda row: row["due_total"]),
            Column(_("Released in the period (EGP)"), lambda row: row["released_total"]),
            Column(_("Released to date (EGP)"), lambda row: row["released_to_date"]),
            Column(
                _("Reports in the period"),
                lambda row: " ".join(
                    f"{report.code} ({report.get_status_display()})" for report in row["reports"]
                ),
            ),
        ],
        rows=selectors.statement(user, start=start, end=end),
    )


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def statement(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    if request.GET.get("export"):
        exported = _statement_export(request, user)
        if exported is not None:
            return exported
    return statement_view(
        request,
        form_class=PeriodForm,
        template="grants/statement.html",
        rows=lambda start, end: selectors.statement(user, start=start, end=end),
    )
