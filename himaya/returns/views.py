"""Pages of the returns app: the case panel, the reflection period, the return plan and its
steps, the follow-ups after return, the work queue section and the list of returns."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.audit.exports import Column, export_list
from himaya.cases.selectors import get_case_or_404
from himaya.core.countries import country_name
from himaya.core.errors import DomainError, Forbidden
from himaya.core.forms import show_refusal
from himaya.returns import actions, rules, selectors
from himaya.returns.forms import (
    CancelForm,
    ChoiceForm,
    DateStepForm,
    DestinationForm,
    ExtendReflectionForm,
    FollowUpForm,
    GrantReflectionForm,
    ReturnPlanForm,
    RiskForm,
)
from himaya.returns.models import ReturnPlan, ReturnStatus

View = Callable[..., HttpResponse]


def works(view: View) -> View:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_capability(request.user, selectors.WORK)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _reflection_context(case: Any) -> dict[str, Any]:
    period = selectors.reflection_of(case)
    today = timezone.localdate()
    return {
        "period": period,
        "reflection_days": selectors.reflection_days(),
        "running": period is not None and period.starts_on <= today <= period.ends_on,
        "ends_soon": period is not None
        and rules.reflection_ends_soon(
            ends_on=period.ends_on, today=today, warning_days=selectors.warning_days()
        ),
    }


@works
def case_panel(request: HttpRequest, code: str) -> HttpResponse:
    case = get_case_or_404(request.user, code)
    return render(
        request,
        "returns/partials/case_panel.html",
        {
            "case": case,
            "plans": list(selectors.plans_of_case(case)),
            "can_work": selectors.may_work(request.user, case),
            **_reflection_context(case),
        },
    )


@works
def grant_reflection(request: HttpRequest, code: str) -> HttpResponse:
    case = get_case_or_404(request.user, code)
    form = GrantReflectionForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.grant_reflection_period(
                    case=case, by=acting_user(request), **form.cleaned_data
                )
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Reflection period granted."))
                return redirect("cases:detail", code=case.code)
    return render(
        request,
        "returns/reflection.html",
        {"case": case, "form": form, "extend": False, **_reflection_context(case)},
        status=status,
    )


@works
def extend_reflection(request: HttpRequest, code: str) -> HttpResponse:
    period = selectors.get_reflection_or_404(request.user, code)
    case = period.case
    form = ExtendReflectionForm(request.POST or None, initial={"version": period.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                actions.extend_reflection_period(
                    period=period,
                    expected_version=data.pop("version"),
                    by=acting_user(request),
                    **data,
                )
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Reflection period extended."))
                return redirect("cases:detail", code=case.code)
    return render(
        request,
        "returns/reflection.html",
        {"case": case, "form": form, "extend": True, **_reflection_context(case)},
        status=status,
    )


@works
def plan_new(request: HttpRequest, code: str) -> HttpResponse:
    case = get_case_or_404(request.user, code)
    form = DestinationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                plan = actions.plan_return(case=case, by=acting_user(request), **form.cleaned_data)
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Return plan opened."))
                return redirect("returns:plan", code=plan.code)
    return render(request, "returns/plan_new.html", {"case": case, "form": form}, status=status)


def _plan_forms(plan: ReturnPlan) -> dict[str, forms.Form]:
    today = timezone.localdate()
    version = {"version": plan.version}
    return {
        "edit_form": ReturnPlanForm(
            initial={
                **version,
                "destination_country": plan.destination_country,
                "destination_governorate": plan.destination_governorate_id,
                "receiving_organisation": plan.receiving_organisation,
                "receiving_country": plan.receiving_country,
                "receiving_contact": plan.receiving_contact,
                "travel_planned_on": plan.travel_planned_on,
                "travel_documents_ready": plan.travel_documents_ready,
                "escorted": plan.escorted,
            }
        ),
        "choice_form": ChoiceForm(initial={**version, "recorded_on": today}),
        "risk_form": RiskForm(initial={"assessed_on": today}),
        "depart_form": DateStepForm(
            initial={**version, "day": today}, label=_("Departed on"), prefix="depart"
        ),
        "arrive_form": DateStepForm(
            initial={**version, "day": today}, label=_("Arrived on"), prefix="arrive"
        ),
        "cancel_form": CancelForm(initial=version),
        "version_form": forms.Form(),
    }


def _plan_page(
    request: HttpRequest, plan: ReturnPlan, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    today = timezone.localdate()
    follow_ups = list(plan.follow_ups.all())
    for item in follow_ups:
        item.overdue = rules.is_overdue(  # type: ignore[attr-defined]
            due_on=item.due_on, done_on=item.done_on, today=today
        )
    assessments = {a.place: a for a in plan.risk_assessments.select_related("assessed_by")}
    context: dict[str, Any] = {
        "case": plan.case,
        "plan": plan,
        "follow_ups": follow_ups,
        "assessments": assessments,
        "can_work": selectors.may_work(request.user, plan.case) and not plan.case.is_closed,
        "can_approve": selectors.may_approve(request.user, plan),
        "follow_up_form": FollowUpForm(initial={"done_on": today}),
        **_reflection_context(plan.case),
        **_plan_forms(plan),
        **bound,
    }
    return render(request, "returns/plan.html", context, status=status)


@works
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_return_plan_or_404(request.user, code)
    return _plan_page(request, plan)


def _step(
    request: HttpRequest,
    plan: ReturnPlan,
    *,
    form: forms.Form,
    name: str,
    run: Callable[[dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    if form.is_valid():
        try:
            run(dict(form.cleaned_data))
        except Forbidden as error:
            raise PermissionDenied(str(error.message)) from error
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, done)
            return redirect("returns:plan", code=plan.code)
    plan.refresh_from_db()
    return _plan_page(request, plan, status=400, **{name: form})


@require_POST
@works
def plan_edit(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_return_plan_or_404(request.user, code)
    by = acting_user(request)

    def run(data: dict[str, Any]) -> None:
        actions.update_return_plan(plan=plan, expected_version=data.pop("version"), by=by, **data)

    return _step(
        request,
        plan,
        form=ReturnPlanForm(request.POST),
        name="edit_form",
        run=run,
        done=_("Return plan saved."),
    )


@require_POST
@works
def plan_choice(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_return_plan_or_404(request.user, code)
    by = acting_user(request)

    def run(data: dict[str, Any]) -> None:
        actions.record_informed_choice(
            plan=plan, expected_version=data.pop("version"), by=by, **data
        )

    return _step(
        request,
        plan,
        form=ChoiceForm(request.POST),
        name="choice_form",
        run=run,
        done=_("Informed choice recorded."),
    )


@require_POST
@works
def plan_risk(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_return_plan_or_404(request.user, code)
    by = acting_user(request)

    def run(data: dict[str, Any]) -> None:
        actions.assess_return_risk(plan=plan, by=by, **data)

    return _step(
        request,
        plan,
        form=RiskForm(request.POST),
        name="risk_form",
        run=run,
        done=_("Risk assessment recorded."),
    )


class _VersionOnly(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


@require_POST
@works
def plan_approve(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_return_plan_or_404(request.user, code)
    by = acting_user(request)

    def run(data: dict[str, Any]) -> None:
        actions.approve_return(plan=plan, expected_version=data["version"], by=by)

    return _step(
        request,
        plan,
        form=_VersionOnly(request.POST),
        name="version_form",
        run=run,
        done=_("Return approved."),
    )


@require_POST
@works
def plan_complete(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_return_plan_or_404(request.user, code)
    by = acting_user(request)

    def run(data: dict[str, Any]) -> None:
        actions.complete_return(plan=plan, expected_version=data["version"], by=by)

    return _step(
        request,
        plan,
        form=_VersionOnly(request.POST),
        name="version_form",
        run=run,
        done=_("Return completed."),
    )


@require_POST
@works
def plan_depart(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_return_plan_or_404(request.user, code)
    by = acting_user(request)

    def run(data: dict[str, Any]) -> None:
        actions.record_departure(
            plan=plan, departed_on=data["day"], expected_version=data["version"], by=by
        )

    return _step(
        request,
        plan,
        form=DateStepForm(request.POST, label=_("Departed on"), prefix="depart"),
        name="depart_form",
        run=run,
        done=_("Departure recorded."),
    )


@require_POST
@works
def plan_arrive(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_return_plan_or_404(request.user, code)
    by = acting_user(request)

    def run(data: dict[str, Any]) -> None:
        actions.record_arrival(
            plan=plan, arrived_on=data["day"], expected_version=data["version"], by=by
        )

    return _step(
        request,
        plan,
        form=DateStepForm(request.POST, label=_("Arrived on"), prefix="arrive"),
        name="arrive_form",
        run=run,
        done=_("Arrival recorded; the follow-ups are planned."),
    )


@require_POST
@works
def plan_cancel(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_return_plan_or_404(request.user, code)
    by = acting_user(request)

    def run(data: dict[str, Any]) -> None:
        actions.cancel_return(
            plan=plan, reason=data["reason"], expected_version=data["version"], by=by
        )

    return _step(
        request,
        plan,
        form=CancelForm(request.POST),
        name="cancel_form",
        run=run,
        done=_("Return cancelled."),
    )


@works
def follow_up(request: HttpRequest, code: str, months: int) -> HttpResponse:
    item = selectors.get_follow_up_or_404(request.user, code, months)
    plan = item.plan
    form = FollowUpForm(
        request.POST or None, initial={"done_on": timezone.localdate(), "version": item.version}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                actions.record_follow_up(
                    follow_up=item,
                    expected_version=data.pop("version"),
                    by=acting_user(request),
                    **data,
                )
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Follow-up recorded."))
                return redirect("returns:plan", code=plan.code)
    return render(
        request,
        "returns/follow_up.html",
        {"case": plan.case, "plan": plan, "item": item, "form": form},
        status=status,
    )


@works
def queue_section(request: HttpRequest) -> HttpResponse:
    """The work queue's section: reflection periods ending soon, follow-ups overdue."""
    today = timezone.localdate()
    return render(
        request,
        "returns/partials/queue_section.html",
        {
            "ending": list(selectors.reflections_ending_soon_for(request.user, today)[:20]),
            "overdue": list(selectors.overdue_follow_ups_for(request.user, today)[:20]),
            "today": today,
        },
    )


@works
def return_list(request: HttpRequest) -> HttpResponse:
    """Returns in progress of the agency's cases, reflection periods ending soon and
    follow-ups overdue."""
    today = timezone.localdate()
    exported = export_list(
        request,
        name="returns-in-progress",
        title=_("Returns in progress"),
        columns=[
            Column(_("Return plan"), lambda p: p.code),
            Column(_("Case"), lambda p: p.case.code),
            Column(
                _("Destination"),
                lambda p: (
                    country_name(p.destination_country)
                    if p.destination_country
                    else (p.destination_governorate.name if p.destination_governorate else "")
                ),
            ),
            Column(pgettext("state of a record", "Status"), lambda p: p.get_status_display()),
            Column(_("Planned travel date"), lambda p: p.travel_planned_on),
        ],
        rows=selectors.plans_in_progress_for(request.user),
    )
    if exported is not None:
        return exported
    return render(
        request,
        "returns/list.html",
        {
            "plans": list(selectors.plans_in_progress_for(request.user)[:200]),
            "ending": list(selectors.reflections_ending_soon_for(request.user, today)[:200]),
            "overdue": list(selectors.overdue_follow_ups_for(request.user, today)[:200]),
            "statuses": ReturnStatus,
        },
    )
