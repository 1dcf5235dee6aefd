"""Pages of the control and emergency centre: the live board, the intake form, reports,
alerts, incidents, the tasks of partner agencies and the daily situation reports."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from himaya.accounts.acting import acting_user
from himaya.accounts.models import User
from himaya.agencies.permissions import require_capability
from himaya.audit.actions import record_event
from himaya.core.errors import DomainError
from himaya.core.forms import show_refusal
from himaya.core.pdf import pdf_response
from himaya.monitoring.indicators import get_indicator
from himaya.operations import actions, forms, selectors
from himaya.operations.models import (
    Alert,
    AlertRule,
    AlertStatus,
    Channel,
    IncidentKind,
    IncidentStatus,
    IntakeStatus,
    Severity,
    SituationReport,
    TaskKind,
    TaskStatus,
    Triage,
)
from himaya.operations.selectors import (
    MANAGE_ALERTS,
    MANAGE_INCIDENTS,
    RECORD_INTAKE,
    VIEW_REPORT,
    WORK_TASKS,
)

BOARD_CAPABILITIES = (RECORD_INTAKE, MANAGE_INCIDENTS, MANAGE_ALERTS)


def _labelled(rows: list[Any], **fields: type[models.TextChoices]) -> list[Any]:
    """Set ``<field>_label`` on each row, translating each choice once for the list
    (``get_<field>_display`` would translate every choice of the field for every row)."""
    for field, choices in fields.items():
        labels = {value: str(label) for value, label in choices.choices}
        for row in rows:
            setattr(row, f"{field}_label", labels.get(getattr(row, field), ""))
    return rows


def board_data(user: User) -> dict[str, Any]:
    """The board's four lists, each one query with only the relations the board shows."""
    rows = selectors.BOARD_ROWS
    alerts = list(
        selectors.open_alerts(user)
        .select_related(None)
        .only("code", "rule", "severity", "raised_at", "status")[:rows]
    )
    # Only what the board shows: no encrypted field is read (nor decrypted) here.
    intakes = list(
        selectors.open_intakes(user)
        .select_related(None)
        .only("code", "triage", "channel", "respond_by")[:rows]
    )
    incidents = list(
        selectors.open_incidents(user).only(
            "code", "kind", "opened_at", "governorate__name_ar", "governorate__name_en"
        )[:rows]
    )
    tasks = list(
        selectors.recent_tasks(user)
        .select_related(None)
        .select_related("agency")
        .only("code", "kind", "status", "due_at", "agency__name_ar", "agency__name_en")[:rows]
    )
    return {
        "now": timezone.now(),
        "alerts": _labelled(alerts, rule=AlertRule, severity=Severity, status=AlertStatus),
        "intakes": _labelled(intakes, triage=Triage, channel=Channel),
        "incidents": _labelled(incidents, kind=IncidentKind),
        "tasks": _labelled(tasks, kind=TaskKind, status=TaskStatus),
        # The rows link by code under these prefixes (one reverse each, not one per row).
        "alert_url": reverse("operations:alert", args=["X"])[:-2],
        "intake_url": reverse("operations:intake", args=["X"])[:-2],
        "incident_url": reverse("operations:incident", args=["X"])[:-2],
        "task_url": reverse("operations:task", args=["X"])[:-2],
    }


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, *BOARD_CAPABILITIES)
    return render(request, "operations/board.html", board_data(user))


@login_required
@require_GET
def board_live(request: HttpRequest) -> HttpResponse:
    """The board's body alone, fetched by htmx every few seconds."""
    user = acting_user(request)
    require_capability(user, *BOARD_CAPABILITIES)
    # Rendered without the page's context processors (navigation, counts): the fragment
    # shows only the four lists.
    return HttpResponse(render_to_string("operations/partials/board.html", board_data(user)))


def _version(form: Any) -> int:
    return int(form.cleaned_data["version"])


# --- intake ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def intake_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, RECORD_INTAKE)
    form = forms.IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intake = actions.record_intake(
                by=user,
                channel=data["channel"],
                summary=data["summary"],
                about_child=data["about_child"],
                immediate_danger=data["immediate_danger"],
                anonymous=data["anonymous"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                person_details=data["person_details"],
                location=data["location"],
                governorate=data["governorate"],
            )
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(
                request,
                _("Report %(code)s recorded: %(triage)s.")
                % {"code": intake.code, "triage": intake.get_triage_display()},
            )
            return redirect("operations:intake", code=intake.code)
    return render(request, "operations/intake_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def intake_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, RECORD_INTAKE)
    intake = selectors.get_intake_or_404(user, code)
    link_form = forms.LinkIntakeForm(initial={"version": intake.version})
    close_form = forms.CloseIntakeForm(initial={"version": intake.version})
    incident_form = forms.IncidentForm(
        initial={
            "governorate": intake.governorate,
            "kind": "child_at_risk" if intake.about_child else "other",
        }
    )
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "take_up":
                take = forms.AcknowledgeForm(request.POST)
                if take.is_valid():
                    actions.take_up_intake(intake=intake, by=user, version=_version(take))
                    return redirect("operations:intake", code=intake.code)
            elif step == "link":
                link_form = forms.LinkIntakeForm(request.POST)
                if link_form.is_valid():
                    data = link_form.cleaned_data
                    actions.link_intake(
                        intake=intake,
                        by=user,
                        version=_version(link_form),
                        case_code=data["case_code"],
                        screening_code=data["screening_code"],
                        incident_code=data["incident_code"],
                    )
                    return redirect("operations:intake", code=intake.code)
            elif step == "close":
                close_form = forms.CloseIntakeForm(request.POST)
                if close_form.is_valid():
                    actions.close_intake(
                        intake=intake,
                        by=user,
                        version=_version(close_form),
                        reason=close_form.cleaned_data["reason"],
                    )
                    return redirect("operations:intake", code=intake.code)
            elif step == "incident":
                require_capability(user, MANAGE_INCIDENTS)
                incident_form = forms.IncidentForm(request.POST)
                if incident_form.is_valid():
                    data = incident_form.cleaned_data
                    incident = actions.open_incident(
                        by=user,
                        kind=data["kind"],
                        title=data["title"],
                        summary=data["summary"],
                        governorate=data["governorate"],
                        intake=intake,
                        case_code=data["case_code"],
                    )
                    return redirect("operations:incident", code=incident.code)
            else:
                raise Http404
        except DomainError as error:
            show_refusal(error, request=request)
            intake = selectors.get_intake_or_404(user, code)
    record_event(
        action="operations.intake_viewed",
        actor=user,
        obj=intake,
        purpose="operations",
    )
    return render(
        request,
        "operations/intake_detail.html",
        {
            "intake": intake,
            "link_form": link_form,
            "close_form": close_form,
            "incident_form": incident_form,
            "is_open": intake.status != IntakeStatus.CLOSED,
            "may_open_incident": user.has_perm(MANAGE_INCIDENTS),
        },
    )


# --- alerts ------------------------------------------------------------------------------------


def _about(alert: Alert) -> Alert:
    """What the alert is about, as people read it: the indicator's name for an indicator
    rule (its key is the indicator's code), else the public code the key holds."""
    about = alert.condition_key
    if alert.rule == AlertRule.INDICATOR:
        item = get_indicator(about.split(":")[0])
        about = str(item.name) if item else ""
    setattr(alert, "about", about)  # noqa: B010
    return alert


@login_required
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, MANAGE_ALERTS)
    show_all = request.GET.get("all") == "1"
    queryset = (
        selectors.alerts_visible_to(user).select_related("governorate", "assigned_to")
        if show_all
        else selectors.open_alerts(user)
    )
    return render(
        request,
        "operations/alerts.html",
        {
            "alerts": [_about(a) for a in queryset.order_by("-raised_at", "-id")[:200]],
            "show_all": show_all,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, MANAGE_ALERTS)
    alert = selectors.get_alert_or_404(user, code)
    assign_form = forms.AssignAlertForm(initial={"version": alert.version})
    resolve_form = forms.ResolveAlertForm(initial={"version": alert.version})
    incident_form = forms.IncidentForm(initial={"governorate": alert.governorate})
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "acknowledge":
                form = forms.AcknowledgeForm(request.POST)
                if form.is_valid():
                    actions.acknowledge_alert(alert=alert, by=user, version=_version(form))
                    return redirect("operations:alert", code=alert.code)
            elif step == "assign":
                assign_form = forms.AssignAlertForm(request.POST)
                if assign_form.is_valid():
                    actions.assign_alert(
                        alert=alert,
                        by=user,
                        version=_version(assign_form),
                        to=assign_form.cleaned_data["assigned_to"],
                    )
                    return redirect("operations:alert", code=alert.code)
            elif step == "resolve":
                resolve_form = forms.ResolveAlertForm(request.POST)
                if resolve_form.is_valid():
                    actions.resolve_alert(
                        alert=alert,
                        by=user,
                        version=_version(resolve_form),
                        note=resolve_form.cleaned_data["note"],
                    )
                    return redirect("operations:alert", code=alert.code)
            elif step == "incident":
                require_capability(user, MANAGE_INCIDENTS)
                incident_form = forms.IncidentForm(request.POST)
                if incident_form.is_valid():
                    data = incident_form.cleaned_data
                    incident = actions.open_incident(
                        by=user,
                        kind=data["kind"],
                        title=data["title"],
                        summary=data["summary"],
                        governorate=data["governorate"],
                        alert=alert,
                        case_code=data["case_code"],
                    )
                    return redirect("operations:incident", code=incident.code)
            else:
                raise Http404
        except DomainError as error:
            show_refusal(error, request=request)
            alert = selectors.get_alert_or_404(user, code)
    return render(
        request,
        "operations/alert_detail.html",
        {
            "alert": _about(alert),
            "assign_form": assign_form,
            "resolve_form": resolve_form,
            "incident_form": incident_form,
            "is_open": alert.status != AlertStatus.RESOLVED,
            "may_open_incident": user.has_perm(MANAGE_INCIDENTS),
            "incidents": list(alert.incidents.all()),
        },
    )


# --- incidents ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, MANAGE_INCIDENTS)
    form = forms.IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = actions.open_incident(
                by=user,
                kind=data["kind"],
                title=data["title"],
                summary=data["summary"],
                governorate=data["governorate"],
                case_code=data["case_code"],
            )
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            return redirect("operations:incident", code=incident.code)
    return render(request, "operations/incident_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def incident_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, MANAGE_INCIDENTS)
    incident = selectors.get_incident_or_404(user, code)
    task_form = forms.TaskForm(
        initial={
            "due_at": (timezone.localtime() + datetime.timedelta(hours=2)).replace(
                second=0, microsecond=0
            )
        },
        prefix="task",
    )
    log_form = forms.CommunicationForm(prefix="log")
    close_form = forms.CloseIncidentForm(initial={"version": incident.version}, prefix="close")
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "task":
                task_form = forms.TaskForm(request.POST, prefix="task")
                if task_form.is_valid():
                    data = task_form.cleaned_data
                    actions.assign_task(
                        incident=incident,
                        by=user,
                        kind=data["kind"],
                        agency=data["agency"],
                        description=data["description"],
                        due_at=data["due_at"],
                    )
                    return redirect("operations:incident", code=incident.code)
            elif step == "log":
                log_form = forms.CommunicationForm(request.POST, prefix="log")
                if log_form.is_valid():
                    data = log_form.cleaned_data
                    actions.log_communication(
                        incident=incident,
                        by=user,
                        channel=data["channel"],
                        text=data["text"],
                        counterpart=data["counterpart"],
                    )
                    return redirect("operations:incident", code=incident.code)
            elif step == "close":
                close_form = forms.CloseIncidentForm(request.POST, prefix="close")
                if close_form.is_valid():
                    actions.close_incident(
                        incident=incident,
                        by=user,
                        version=_version(close_form),
                        note=close_form.cleaned_data["note"],
                    )
                    return redirect("operations:incident", code=incident.code)
            else:
                raise Http404
        except DomainError as error:
            target = {"task": task_form, "log": log_form}.get(step)
            show_refusal(error, form=target, request=None if target else request)
            incident = selectors.get_incident_or_404(user, code)
    record_event(
        action="operations.incident_viewed", actor=user, obj=incident, purpose="operations"
    )
    return render(
        request,
        "operations/incident_detail.html",
        {
            "incident": incident,
            # The rows link by code under these prefixes (one reverse each, not one per row).
            "alert_url": reverse("operations:alert", args=["X"])[:-2],
            "intake_url": reverse("operations:intake", args=["X"])[:-2],
            "incident_url": reverse("operations:incident", args=["X"])[:-2],
            "task_url": reverse("operations:task", args=["X"])[:-2],
            "tasks": list(
                incident.tasks.select_related("agency", "owner").order_by("due_at", "id")
            ),
            "communications": list(selectors.communications_of(incident)),
            "intakes": list(incident.intakes.all()),
            "task_form": task_form,
            "log_form": log_form,
            "close_form": close_form,
            "is_open": incident.status == IncidentStatus.OPEN,
        },
    )


# --- tasks of the agencies ---------------------------------------------------------------------


@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, WORK_TASKS)
    return render(
        request,
        "operations/tasks.html",
        {
            "active": list(selectors.active_tasks(user)[:200]),
            "finished": list(
                selectors.recent_tasks(user).filter(
                    status__in=[TaskStatus.DONE, TaskStatus.CANCELLED]
                )[:50]
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, WORK_TASKS)
    task = selectors.get_task_or_404(user, code)
    centre = user.has_perm(MANAGE_INCIDENTS)
    form = forms.TaskUpdateForm(initial={"version": task.version}, centre=centre)
    if request.method == "POST":
        form = forms.TaskUpdateForm(request.POST, centre=centre)
        if form.is_valid():
            try:
                actions.update_task(
                    task=task,
                    by=user,
                    version=_version(form),
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Task %(code)s updated.") % {"code": task.code})
                return redirect("operations:task", code=task.code)
    return render(
        request,
        "operations/task_detail.html",
        {
            "task": task,
            "form": form,
            "is_open": task.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS),
            "is_centre": user.has_perm(MANAGE_INCIDENTS),
        },
    )


# --- situation reports -------------------------------------------------------------------------


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, VIEW_REPORT)
    return render(
        request,
        "operations/reports.html",
        {"reports": list(selectors.reports_visible_to(user)[:60])},
    )


@login_required
@require_GET
def report_pdf(request: HttpRequest, day: str, language: str) -> HttpResponse:
    user = acting_user(request)
    if not user.has_perm(VIEW_REPORT):
        raise PermissionDenied
    try:
        on = datetime.date.fromisoformat(day)
    except ValueError as error:
        raise Http404 from error
    report = SituationReport.objects.filter(day=on).first()
    if report is None or language not in ("ar", "en"):
        raise Http404
    record_event(
        action="operations.situation_report_downloaded",
        actor=user,
        object_type="operations.situationreport",
        object_code=on.isoformat(),
    )
    content = bytes(report.pdf_ar if language == "ar" else report.pdf_en)
    return pdf_response(content, filename=f"situation-{on.isoformat()}-{language}.pdf")
