"""Pages of the services app: catalogue, case panel, planning, delivery and feedback."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.audit.exports import Column, export_list
from himaya.cases.selectors import get_case_or_404, goals_for_case
from himaya.core.errors import DomainError
from himaya.core.forms import show_refusal
from himaya.core.languages import language_name
from himaya.core.locking import ConcurrentEditError
from himaya.services import actions, rules, selectors
from himaya.services.forms import DeliveryForm, FeedbackForm, PlanServiceForm
from himaya.services.models import DeliveryStatus, ServiceDelivery

View = Callable[..., HttpResponse]
CENT = Decimal("0.01")


def interpretation_text(delivery: ServiceDelivery) -> str:
    """The interpretation of a delivery in words: "not needed", or the language and who
    interpreted."""
    if not delivery.interpreter_needed:
        return _("No interpreter needed")
    parts = [language_name(delivery.interpreter_language)]
    if delivery.interpreter_provided_by:
        parts.append(str(delivery.get_interpreter_provided_by_display()))
    if delivery.interpreter_sex:
        parts.append(str(delivery.get_interpreter_sex_display()))
    return " · ".join(parts)


def works(view: View) -> View:
    return login_required(permission_required("cases.work_cases", raise_exception=True)(view))


def delivers(view: View) -> View:
    """Case workers of the lead agency or staff of the provider agency."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_capability(request.user, "cases.work_cases", "services.deliver")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _status_text(delivery: ServiceDelivery) -> str:
    """The status cell of a delivery as the page shows it: with the day it was delivered."""
    status = str(delivery.get_status_display())
    if delivery.delivered_on:
        return f"{status} · {delivery.delivered_on.isoformat()}"
    return status


@login_required
@permission_required("services.deliver", raise_exception=True)
@require_http_methods(["GET", "POST"])  # POST: the export door
def provided(request: HttpRequest) -> HttpResponse:
    """The services the user's agencies are asked to provide; each of the two tables exports
    on its own (``table=done`` for the second), cases by code only as on the page."""
    deliveries = selectors.deliveries_provided_by(request.user)
    planned = deliveries.filter(status=DeliveryStatus.PLANNED).order_by("planned_on", "id")
    done = deliveries.exclude(status=DeliveryStatus.PLANNED).order_by("-planned_on", "-id")[:25]
    common = [
        Column(_("Planned for"), lambda d: d.planned_on),
        Column(_("Case"), lambda d: d.case.code),
        Column(_("Service"), lambda d: str(d.service_type.name)),
    ]
    if request.GET.get("table") == "done":
        exported = export_list(
            request,
            name="services-provided-done",
            title=_("Recently delivered or cancelled"),
            columns=[*common, Column(pgettext("state of a record", "Status"), _status_text)],
            rows=done,
        )
    else:
        exported = export_list(
            request,
            name="services-provided-planned",
            title=_("Services to provide"),
            columns=[*common, Column(_("Provider"), lambda d: str(d.provider.name))],
            rows=planned.iterator(),
        )
    if exported is not None:
        return exported
    return render(request, "services/provided.html", {"planned": list(planned), "done": list(done)})


@login_required
@permission_required("core.use_himaya", raise_exception=True)
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "services/catalogue.html", {"types": list(selectors.service_types())})


@login_required
@permission_required("services.view_feedback_report", raise_exception=True)
@require_http_methods(["GET", "POST"])  # POST: the export door
def feedback_report(request: HttpRequest) -> HttpResponse:
    """Ratings per service and provider; the export holds the groups the page shows, small
    groups withheld the same way."""
    rows = selectors.feedback_summary(request.user)
    english = (get_language() or "ar").startswith("en")
    exported = export_list(
        request,
        name="services-feedback",
        title=_("Service feedback"),
        columns=[
            Column(_("Service"), lambda r: r["service_type_en" if english else "service_type_ar"]),
            Column(_("Provider"), lambda r: r["provider_en" if english else "provider_ar"]),
            Column(_("Ratings"), lambda r: r["count"]),
            Column(_("Average (1–5)"), lambda r: Decimal(str(r["average"])).quantize(CENT)),
        ],
        rows=rows,
    )
    if exported is not None:
        return exported
    return render(
        request,
        "services/feedback_report.html",
        {"rows": rows, "minimum": rules.MIN_GROUP_SIZE},
    )


@works
def case_panel(request: HttpRequest, code: str) -> HttpResponse:
    case = get_case_or_404(request.user, code)
    return render(
        request,
        "services/partials/case_panel.html",
        {
            "case": case,
            "deliveries": list(selectors.deliveries_of_case(case)),
            "can_work": selectors.may_plan_services(request.user, case),
        },
    )


@works
def plan(request: HttpRequest, code: str) -> HttpResponse:
    case = get_case_or_404(request.user, code)
    goals = goals_for_case(case)
    if request.method == "POST":
        form = PlanServiceForm(request.POST, goals=goals)
        if form.is_valid():
            try:
                actions.plan_service(case=case, by=acting_user(request), **form.cleaned_data)
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Service planned."))
                return redirect("cases:detail", code=case.code)
    else:
        form = PlanServiceForm(goals=goals, initial={"goal": request.GET.get("goal") or None})
    return render(request, "services/plan.html", {"case": case, "form": form})


@delivers
def delivery(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_delivery_or_404(request.user, code)
    saved: list[Any] = []
    if request.method == "POST":
        form = DeliveryForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                actions.update_delivery(
                    delivery=item,
                    by=acting_user(request),
                    expected_version=version,
                    **data,
                )
            except ConcurrentEditError as error:
                messages.error(request, str(error.message))
                item.refresh_from_db()
                post = request.POST.copy()
                post["version"] = str(item.version)
                form.data = post
                saved = [
                    (_("Status"), item.get_status_display()),
                    (_("Planned for"), item.planned_on),
                    (_("Delivered on"), item.delivered_on),
                    (_("Note"), item.note),
                    (_("Interpretation"), interpretation_text(item)),
                ]
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Service saved."))
                if not selectors.works_on_case(request.user, item.case):
                    return redirect("services:provided")
                return redirect("cases:detail", code=item.case.code)
    else:
        form = DeliveryForm(
            initial={
                "status": item.status,
                "planned_on": item.planned_on,
                "delivered_on": item.delivered_on,
                "note": item.note,
                "version": item.version,
                "interpreter_needed": item.interpreter_needed,
                "interpreter_language": item.interpreter_language,
                "interpreter_provided_by": item.interpreter_provided_by,
                "interpreter_sex": item.interpreter_sex,
            }
        )
    return render(
        request,
        "services/delivery.html",
        {
            "delivery": item,
            "case": item.case,
            "form": form,
            "saved": saved,
            "editable": item.is_editable,
            "works_on_case": selectors.works_on_case(request.user, item.case),
            "interpretation": interpretation_text(item),
        },
    )


@works
def feedback(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_delivery_for_feedback_or_404(request.user, code)
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                actions.record_feedback(delivery=item, by=acting_user(request), **form.cleaned_data)
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Feedback recorded. Thank you."))
                return redirect("cases:detail", code=item.case.code)
    else:
        form = FeedbackForm()
    return render(
        request, "services/feedback.html", {"delivery": item, "case": item.case, "form": form}
    )


@works
def queue_week(request: HttpRequest) -> HttpResponse:
    """The work queue's section of services planned this week for the user's own cases."""
    week = selectors.deliveries_this_week(request.user, today=timezone.localdate())
    return render(request, "services/partials/queue_week.html", {"week": list(week)})
