"""Pages of the services app: catalogue, case panel, planning, delivery and feedback."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from himaya.cases.actions import works_on
from himaya.cases.selectors import get_case_or_404, goals_for_case
from himaya.core.locking import ConcurrentEditError
from himaya.services import actions, selectors
from himaya.services.exceptions import ServiceError
from himaya.services.forms import DeliveryForm, FeedbackForm, PlanServiceForm
from himaya.services.models import DeliveryStatus


def works(view: Any) -> Any:
    return login_required(permission_required("cases.work_cases", raise_exception=True)(view))


def delivers(view: Any) -> Any:
    """Case workers of the lead agency or staff of the provider agency."""
    return login_required(_any_of("cases.work_cases", "services.deliver")(view))


def _any_of(*perms: str) -> Any:
    def check(view: Any) -> Any:
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not any(request.user.has_perm(perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return check


@login_required
@permission_required("services.deliver", raise_exception=True)
def provided(request: HttpRequest) -> HttpResponse:
    deliveries = selectors.deliveries_provided_by(request.user)
    return render(
        request,
        "services/provided.html",
        {
            "planned": list(
                deliveries.filter(status=DeliveryStatus.PLANNED).order_by("planned_on", "id")
            ),
            "done": list(
                deliveries.exclude(status=DeliveryStatus.PLANNED).order_by("-planned_on", "-id")[
                    :25
                ]
            ),
        },
    )


@login_required
@permission_required("core.use_himaya", raise_exception=True)
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "services/catalogue.html", {"types": list(selectors.service_types())})


@login_required
@permission_required("services.view_feedback_report", raise_exception=True)
def feedback_report(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "services/feedback_report.html",
        {"rows": selectors.feedback_summary(request.user), "minimum": 3},
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
            "can_work": works_on(request.user, case) and case.phase != "closed",
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
                actions.plan_service(
                    case=case, by=request.user, request=request, **form.cleaned_data
                )
            except ServiceError as error:
                form.add_error(None, str(error.message))
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
                    by=request.user,
                    expected_version=version,
                    request=request,
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
                ]
            except ServiceError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Service saved."))
                if not works_on(request.user, item.case):
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
            "editable": item.status == DeliveryStatus.PLANNED,
            "works_on_case": works_on(request.user, item.case),
        },
    )


@works
def feedback(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_delivery_or_404(request.user, code)
    if not works_on(request.user, item.case):
        raise Http404
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                actions.record_feedback(
                    delivery=item, by=request.user, request=request, **form.cleaned_data
                )
            except ServiceError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Feedback recorded. Thank you."))
                return redirect("cases:detail", code=item.case.code)
    else:
        form = FeedbackForm()
    return render(
        request, "services/feedback.html", {"delivery": item, "case": item.case, "form": form}
    )
