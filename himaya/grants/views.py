"""Pages of grants: scoped through selectors, writes through actions."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from himaya.audit.actions import record_event
from himaya.core.locking import ConcurrentEditError
from himaya.grants import actions, selectors
from himaya.grants.exports import statement_xlsx
from himaya.grants.forms import GrantForm, PeriodForm, ReportForm, ReviewForm, VersionForm
from himaya.grants.models import Grant, TrancheStatus


def _may_see(request: HttpRequest) -> None:
    if not selectors.may_see_grants(request.user):
        raise PermissionDenied


def _manager(request: HttpRequest) -> None:
    if not request.user.has_perm("grants.manage_grants"):
        raise PermissionDenied


@login_required
@require_GET
def grant_list(request: HttpRequest) -> HttpResponse:
    _may_see(request)
    grants = list(selectors.grants_visible_to(request.user).order_by("-starts_on", "-id")[:200])
    return render(request, "grants/grant_list.html", {"grants": grants})


@login_required
def grant_create(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = GrantForm(request.POST or None)
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
                by=request.user,
                request=request,
            )
        except actions.GrantError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Grant recorded."))
            return redirect("grants:detail", code=grant.code)
    return render(request, "grants/grant_form.html", {"form": form})


def _detail_context(request: HttpRequest, grant: Grant) -> dict[str, Any]:
    rows = []
    tranches = list(grant.tranches.all())
    for tranche in tranches:
        report = getattr(tranche, "report", None)
        start, end = selectors.period_of(tranche)
        rows.append(
            {
                "tranche": tranche,
                "report": report,
                "start": start,
                "end": end,
                "recorded": selectors.recorded_activity(grant.ngo, start, end)
                if tranche.status == TrancheStatus.RELEASED
                else None,
                "release_form": VersionForm(initial={"version": tranche.version}),
                "review_form": ReviewForm(initial={"version": report.version}) if report else None,
            }
        )
    return {
        "grant": grant,
        "rows": rows,
        "is_manager": request.user.has_perm("grants.manage_grants"),
        "is_ngo": grant.ngo_id in selectors.ngo_ids_for(request.user),
    }


@login_required
@require_GET
def grant_detail(request: HttpRequest, code: str) -> HttpResponse:
    _may_see(request)
    grant = selectors.get_grant_or_404(request.user, code)
    return render(request, "grants/grant_detail.html", _detail_context(request, grant))


@login_required
@require_POST
def tranche_release(request: HttpRequest, code: str, sequence: int) -> HttpResponse:
    _manager(request)
    tranche = selectors.get_tranche_or_404(request.user, code, sequence)
    form = VersionForm(request.POST)
    error = _("The form was incomplete: reload the page.")
    if form.is_valid():
        try:
            actions.release_tranche(
                tranche=tranche,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except (actions.GrantError, ConcurrentEditError) as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Tranche released."))
            return redirect("grants:detail", code=code)
    grant = selectors.get_grant_or_404(request.user, code)
    context = _detail_context(request, grant)
    context["action_error"] = error
    return render(request, "grants/grant_detail.html", context, status=400)


@login_required
def report_submit(request: HttpRequest, code: str, sequence: int) -> HttpResponse:
    _may_see(request)
    tranche = selectors.get_tranche_or_404(request.user, code, sequence)
    if tranche.grant.ngo_id not in selectors.ngo_ids_for(request.user):
        raise PermissionDenied
    report = getattr(tranche, "report", None)
    initial = (
        {
            "version": report.version,
            "narrative": report.narrative,
            "people_served": report.people_served,
            "services_delivered": report.services_delivered,
        }
        if report
        else {}
    )
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.submit_report(
                tranche=tranche,
                narrative=data["narrative"],
                people_served=data["people_served"],
                services_delivered=data["services_delivered"],
                by=request.user,
                expected_version=data.get("version"),
                request=request,
            )
        except (actions.GrantError, ConcurrentEditError) as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Report submitted."))
            return redirect("grants:detail", code=code)
    start, end = selectors.period_of(tranche)
    return render(
        request,
        "grants/report_form.html",
        {
            "form": form,
            "tranche": tranche,
            "grant": tranche.grant,
            "start": start,
            "end": end,
            "recorded": selectors.recorded_activity(tranche.grant.ngo, start, end),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def report_review(request: HttpRequest, code: str) -> HttpResponse:
    _manager(request)
    report = selectors.get_report_or_404(request.user, code)
    form = ReviewForm(request.POST)
    error = _("The form was incomplete: reload the page.")
    if form.is_valid():
        try:
            actions.review_report(
                report=report,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except (actions.GrantError, ConcurrentEditError) as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("grants:detail", code=report.tranche.grant.code)
    grant = selectors.get_grant_or_404(request.user, report.tranche.grant.code)
    context = _detail_context(request, grant)
    context["action_error"] = error
    return render(request, "grants/grant_detail.html", context, status=400)


@login_required
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    _manager(request)
    today = timezone.localdate()
    first = today.year if today.month >= 7 else today.year - 1
    data = (
        request.GET
        if request.GET.get("start")
        else {"start": f"{first}-07-01", "end": f"{first + 1}-06-30"}
    )
    form = PeriodForm(data)
    rows: list[dict[str, Any]] = []
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = selectors.statement(request.user, start=start, end=end)
        if request.GET.get("format") == "xlsx":
            record_event(
                action="grants.statement_exported",
                actor=request.user,
                request=request,
                object_type="grants.statement",
                object_code=f"{start}_{end}",
                details={"grants": len(rows)},
            )
            response = HttpResponse(
                statement_xlsx(rows, start=start, end=end),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="grant-statement-{start}-{end}.xlsx"'
            )
            return response
    return render(request, "grants/statement.html", {"form": form, "rows": rows})
