"""Pages of the control and emergency centre: the live board, the intake form, reports,
alerts, incidents, the tasks of partner agencies and the daily situation reports."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import chain
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Paginator
from django.db import models
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from himaya.accounts.acting import acting_user
from himaya.accounts.models import User
from himaya.agencies.permissions import require_capability
from himaya.audit.exports import Column, export_list
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


class _Clock:
    """Times as the board shows them ("15 June 10:00", Cairo time), formatted in Python
    with the month names translated once per request rather than by the template's
    ``date`` filter for every cell (the same text, a fraction of the cost)."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()
        self.months = {number: str(name) for number, name in MONTHS.items()}

    def __call__(self, value: datetime.datetime) -> str:
        local = value.astimezone(self.zone)
        return f"{local.day} {self.months[local.month]} {local:%H:%M}"


def _names(choices: type[models.TextChoices]) -> dict[str, str]:
    """The labels of a choice, translated once for the list."""
    return {value: str(label) for value, label in choices.choices}


def board_data(user: User) -> dict[str, Any]:
    """The board's four lists (``selectors.board_lists``: one query each, only the columns
    the board shows, nothing encrypted read nor decrypted), as rows ready to print: labels,
    times and the row's colour are worked out here, once per list."""
    found = selectors.board_lists(user)
    clock = _Clock()
    now = clock.now
    rule, severity, alert_status = _names(AlertRule), _names(Severity), _names(AlertStatus)
    alerts = [
        {
            "code": row["code"],
            "rule": rule.get(row["rule"], ""),
            "severity": severity.get(row["severity"], ""),
            "critical": row["severity"] == Severity.CRITICAL,
            "raised_at": clock(row["raised_at"]),
            "status": alert_status.get(row["status"], ""),
        }
        for row in found["alerts"]
    ]
    triage, channel = _names(Triage), _names(Channel)
    intakes = [
        {
            "code": row["code"],
            "triage": triage.get(row["triage"], ""),
            "channel": channel.get(row["channel"], ""),
            "respond_by": clock(row["respond_by"]),
            "late": row["respond_by"] < now,
        }
        for row in found["intakes"]
    ]
    kind = _names(IncidentKind)
    name = "name_en" if (translation.get_language() or "ar").startswith("en") else "name_ar"
    incidents = [
        {
            "code": row["code"],
            "kind": kind.get(row["kind"], ""),
            "governorate": row[f"governorate__{name}"] or "",
            "opened_at": clock(row["opened_at"]),
        }
        for row in found["incidents"]
    ]
    task_kind, task_status = _names(TaskKind), _names(TaskStatus)
    tasks = [
        {
            "code": row["code"],
            "agency": row[f"agency__{name}"],
            "kind": task_kind.get(row["kind"], ""),
            "due_at": clock(row["due_at"]),
            "status": task_status.get(row["status"], ""),
            "colour": "table-success"
            if row["status"] == TaskStatus.DONE
            else "table-danger"
            if row["due_at"] < now and row["status"] != TaskStatus.CANCELLED
            else "",
        }
        for row in found["tasks"]
    ]
    return {
        "updated_at": f"{now.astimezone(clock.zone):%H:%M:%S}",
        "alerts": alerts,
        "intakes": intakes,
        "incidents": incidents,
        "tasks": tasks,
        # The rows link by code under these prefixes (one reverse each, not one per row).
        "alert_url": reverse("operations:alert", args=["X"])[:-2],
        "intake_url": reverse("operations:intake", args=["X"])[:-2],
        "incident_url": reverse("operations:incident", args=["X"])[:-2],
        "task_url": reverse("operations:task", args=["X"])[:-2],
        # The lists this user may export (the alerts through the alerts page).
        "board_url": reverse("operations:board"),
        "alerts_url": reverse("operations:alerts"),
        "exports": {
            name: any(user.has_perm(capability) for capability in capabilities)
            for name, capabilities in BOARD_EXPORT_CAPABILITIES.items()
        },
    }


# --- exports of the lists ----------------------------------------------------------------------
#
# Each list leaves the system through the export door with the rows its page selects, all of
# them (not the board's first rows), and the columns it shows. No reporter's identity: the
# encrypted fields of a report are not even read.

BOARD_EXPORT_CAPABILITIES: dict[str, tuple[str, ...]] = {
    "alerts": (MANAGE_ALERTS,),
    "intakes": (RECORD_INTAKE, MANAGE_INCIDENTS),
    "incidents": (MANAGE_INCIDENTS,),
    "tasks": (MANAGE_INCIDENTS, WORK_TASKS),
}
INTAKE_SECRETS = ("reporter_name", "reporter_phone", "person_details", "location", "summary")


def _governorate(record: Any) -> str:
    return record.governorate.name if record.governorate else ""


def _export_intakes(request: HttpRequest, user: User) -> HttpResponse | None:
    return export_list(
        request,
        name="intakes",
        title=_("Reports waiting"),
        columns=[
            Column(_("Report"), lambda i: i.code),
            Column(_("Received at"), lambda i: i.received_at),
            Column(_("Channel"), lambda i: i.get_channel_display()),
            Column(_("Triage"), lambda i: i.get_triage_display()),
            Column(_("About a child"), lambda i: _("Yes") if i.about_child else _("No")),
            Column(_("Immediate danger"), lambda i: _("Yes") if i.immediate_danger else _("No")),
            Column(_("Governorate"), _governorate),
            Column(pgettext("state of a record", "Status"), lambda i: i.get_status_display()),
            Column(_("Response due by"), lambda i: i.respond_by),
        ],
        rows=selectors.open_intakes(user).defer(*INTAKE_SECRETS),
    )


def _export_incidents(request: HttpRequest, user: User) -> HttpResponse | None:
    return export_list(
        request,
        name="incidents",
        title=_("Open incidents"),
        columns=[
            Column(_("Incident"), lambda i: i.code),
            Column(_("Kind"), lambda i: i.get_kind_display()),
            Column(_("Governorate"), _governorate),
            Column(_("Opened at"), lambda i: i.opened_at),
        ],
        rows=selectors.open_incidents(user),
    )


def _export_board_tasks(request: HttpRequest, user: User) -> HttpResponse | None:
    return export_list(
        request,
        name="tasks-of-agencies",
        title=_("Tasks of the agencies"),
        columns=[
            Column(_("Task"), lambda t: t.code),
            Column(_("Agency"), lambda t: t.agency.name),
            Column(_("Kind"), lambda t: t.get_kind_display()),
            Column(_("Due by"), lambda t: t.due_at),
            Column(pgettext("state of a record", "Status"), lambda t: t.get_status_display()),
        ],
        rows=selectors.recent_tasks(user),
    )


BOARD_EXPORTS: dict[str, Callable[[HttpRequest, User], HttpResponse | None]] = {
    "intakes": _export_intakes,
    "incidents": _export_incidents,
    "tasks": _export_board_tasks,
}


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door of one of the board's lists
def board(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, *BOARD_CAPABILITIES)
    if "export" in request.GET:
        chosen = request.GET.get("list", "")
        export = BOARD_EXPORTS.get(chosen)
        if export is None:
            raise Http404(_("There is no such list."))
        require_capability(user, *BOARD_EXPORT_CAPABILITIES[chosen])
        exported = export(request, user)
        if exported is not None:
            return exported
    elif request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
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


# --- steps of a detail page ------------------------------------------------------------------
#
# A detail page shows several small forms; each posts a ``step`` naming the action it runs.
# A step is its form and what it does with the cleaned data: it answers the address to go to
# (anything else, such as the record the action answers: back to the page itself). An invalid
# form, or an action refused with a DomainError, shows the page again with the form's errors
# or the refusal.

Run = Callable[[dict[str, Any]], object]


@dataclass(frozen=True)
class Step:
    form: Callable[..., django_forms.BaseForm]
    run: Run
    # The name of the page's form that the bound form replaces, so that its errors show.
    slot: str | None = None
    # Where a refusal shows: on the form itself, or as a message at the top of the page.
    refusal_on_form: bool = False
    # A capability asked on top of the page's own (403 without it).
    capability: str | None = None


def attempt(
    request: HttpRequest,
    form: django_forms.BaseForm,
    run: Run,
    *,
    here: str,
    refusal_on_form: bool = True,
    displayed: bool = True,
) -> HttpResponse | None:
    """Run ``run`` on a valid ``form`` and redirect; None when the page shows again.

    The errors of an invalid form show beside its fields; those the page cannot show there
    (a hidden field such as the version, or any field of a form the page does not show
    again) show as messages at the top of the page."""
    if not form.is_valid():
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            if not displayed or field is None or field.widget.is_hidden:
                for error in errors:
                    messages.error(request, str(error))
        return None
    try:
        target = run(form.cleaned_data)
    except DomainError as error:
        if refusal_on_form:
            show_refusal(error, form=form)
        else:
            show_refusal(error, request=request)
        return None
    return redirect(target if isinstance(target, str) else here)


def run_step(
    request: HttpRequest,
    user: User,
    steps: dict[str, Step],
    shown: dict[str, django_forms.BaseForm],
    *,
    here: str,
) -> HttpResponse | None:
    """The step the POST names (404 for any other), run with its form bound to the POST."""
    step = steps.get(request.POST.get("step", ""))
    if step is None:
        raise Http404
    if step.capability:
        require_capability(user, step.capability)
    form = step.form(request.POST)
    if step.slot:
        shown[step.slot] = form
    return attempt(
        request,
        form,
        step.run,
        here=here,
        refusal_on_form=step.refusal_on_form,
        displayed=step.slot is not None,
    )


# --- intake ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def intake_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, RECORD_INTAKE)
    form = forms.IntakeForm(request.POST or None)

    def record(data: dict[str, Any]) -> str:
        intake = actions.record_intake(by=user, **data)
        messages.success(
            request,
            _("Report %(code)s recorded: %(triage)s.")
            % {"code": intake.code, "triage": intake.get_triage_display()},
        )
        return reverse("operations:intake", args=[intake.code])

    if request.method == "POST" and (done := attempt(request, form, record, here="")):
        return done
    return render(request, "operations/intake_new.html", {"form": form})


def _opened(incident: Any) -> str:
    return reverse("operations:incident", args=[incident.code])


@login_required
@require_http_methods(["GET", "POST"])
def intake_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, RECORD_INTAKE)
    intake = selectors.get_intake_or_404(user, code)
    shown: dict[str, django_forms.BaseForm] = {
        "link_form": forms.LinkIntakeForm(initial={"version": intake.version}),
        "close_form": forms.CloseIntakeForm(initial={"version": intake.version}),
        "incident_form": forms.IncidentForm(
            initial={
                "governorate": intake.governorate,
                "kind": "child_at_risk" if intake.about_child else "other",
            }
        ),
    }
    if request.method == "POST":
        steps = {
            "take_up": Step(
                forms.AcknowledgeForm,
                lambda d: actions.take_up_intake(intake=intake, by=user, version=d["version"]),
            ),
            "link": Step(
                forms.LinkIntakeForm,
                lambda d: actions.link_intake(intake=intake, by=user, **d),
                slot="link_form",
            ),
            "close": Step(
                forms.CloseIntakeForm,
                lambda d: actions.close_intake(intake=intake, by=user, **d),
                slot="close_form",
            ),
            "incident": Step(
                forms.IncidentForm,
                lambda d: _opened(actions.open_incident(by=user, intake=intake, **d)),
                slot="incident_form",
                capability=MANAGE_INCIDENTS,
            ),
        }
        here = reverse("operations:intake", args=[intake.code])
        if done := run_step(request, user, steps, shown, here=here):
            return done
        intake = selectors.get_intake_or_404(user, code)
    actions.record_intake_viewed(intake=intake, by=user)
    return render(
        request,
        "operations/intake_detail.html",
        {
            "intake": intake,
            **shown,
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


ALERTS_PER_PAGE = 50


def alert_groups(queryset: models.QuerySet[Alert]) -> list[dict[str, Any]]:
    """The queue by rule, most alerts first: one aggregate query, however many alerts wait.

    A rule that finds the same condition in many records (every high-risk case without an
    approved plan, say) lands one alert per condition and window, as the rules require; the
    groups let the operator see that picture on one line and open the list of that rule.
    """
    labels = dict(AlertRule.choices)
    rows = (
        queryset.order_by()
        .values("rule")
        .annotate(
            count=Count("id"),
            critical=Count("id", filter=Q(severity=Severity.CRITICAL)),
            latest=Max("raised_at"),
        )
        .order_by("-count", "rule")
    )
    return [{**row, "label": str(labels.get(row["rule"], row["rule"]))} for row in rows]


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def alerts(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, MANAGE_ALERTS)
    chosen = forms.AlertQueueFilter(request.GET)
    if not chosen.is_valid():
        for errors in chosen.errors.values():
            for error in errors:
                messages.error(request, str(error))
        context = {"alerts": [], "groups": [], "show_all": False, "rule": "", "page": None}
        return render(request, "operations/alerts.html", context, status=400)
    show_all = chosen.cleaned_data["all"] == "1"
    rule = chosen.cleaned_data["rule"]
    queryset = (
        selectors.alerts_visible_to(user).select_related("governorate", "assigned_to")
        if show_all
        else selectors.open_alerts(user)
    )
    exported = export_list(
        request,
        name="alerts",
        title=_("Alerts"),
        columns=[
            Column(_("Alert"), lambda a: a.code),
            Column(_("Rule"), lambda a: a.get_rule_display()),
            Column(_("Severity"), lambda a: a.get_severity_display()),
            Column(_("About"), lambda a: _about(a).about),  # type: ignore[attr-defined]
            Column(_("Governorate"), _governorate),
            Column(_("Raised at"), lambda a: a.raised_at),
            Column(pgettext("state of a record", "Status"), lambda a: a.get_status_display()),
            Column(_("Escalation level"), lambda a: a.escalation_level),
        ],
        rows=(queryset.filter(rule=rule) if rule else queryset).order_by("-raised_at", "-id"),
    )
    if exported is not None:
        return exported
    groups = alert_groups(queryset)
    if rule:
        queryset = queryset.filter(rule=rule)
    paginator = Paginator(queryset.order_by("-raised_at", "-id"), ALERTS_PER_PAGE)
    try:
        page = paginator.page(chosen.cleaned_data["page"] or 1)
    except EmptyPage as error:
        raise Http404(_("There is no such page.")) from error
    return render(
        request,
        "operations/alerts.html",
        {
            "alerts": [_about(a) for a in page.object_list],
            "page": page,
            "groups": groups,
            "rule": rule,
            "rule_label": dict(AlertRule.choices).get(rule, ""),
            "show_all": show_all,
            "filters": urlencode({"all": "1"} if show_all else {}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, MANAGE_ALERTS)
    alert = selectors.get_alert_or_404(user, code)
    shown: dict[str, django_forms.BaseForm] = {
        "assign_form": forms.AssignAlertForm(initial={"version": alert.version}),
        "resolve_form": forms.ResolveAlertForm(initial={"version": alert.version}),
        "incident_form": forms.IncidentForm(initial={"governorate": alert.governorate}),
    }
    if request.method == "POST":
        steps = {
            "acknowledge": Step(
                forms.AcknowledgeForm,
                lambda d: actions.acknowledge_alert(alert=alert, by=user, version=d["version"]),
            ),
            "assign": Step(
                forms.AssignAlertForm,
                lambda d: actions.assign_alert(
                    alert=alert, by=user, version=d["version"], to=d["assigned_to"]
                ),
                slot="assign_form",
            ),
            "resolve": Step(
                forms.ResolveAlertForm,
                lambda d: actions.resolve_alert(alert=alert, by=user, **d),
                slot="resolve_form",
            ),
            "incident": Step(
                forms.IncidentForm,
                lambda d: _opened(actions.open_incident(by=user, alert=alert, **d)),
                slot="incident_form",
                capability=MANAGE_INCIDENTS,
            ),
        }
        here = reverse("operations:alert", args=[alert.code])
        if done := run_step(request, user, steps, shown, here=here):
            return done
        alert = selectors.get_alert_or_404(user, code)
    return render(
        request,
        "operations/alert_detail.html",
        {
            "alert": _about(alert),
            **shown,
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

    def open_one(data: dict[str, Any]) -> str:
        return _opened(actions.open_incident(by=user, **data))

    if request.method == "POST" and (done := attempt(request, form, open_one, here="")):
        return done
    return render(request, "operations/incident_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def incident_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, MANAGE_INCIDENTS)
    incident = selectors.get_incident_or_404(user, code)
    due = (timezone.localtime() + datetime.timedelta(hours=2)).replace(second=0, microsecond=0)
    shown: dict[str, django_forms.BaseForm] = {
        "task_form": forms.TaskForm(initial={"due_at": due}, prefix="task"),
        "log_form": forms.CommunicationForm(prefix="log"),
        "close_form": forms.CloseIncidentForm(
            initial={"version": incident.version}, prefix="close"
        ),
    }
    if request.method == "POST":
        steps = {
            "task": Step(
                partial(forms.TaskForm, prefix="task"),
                lambda d: actions.assign_task(incident=incident, by=user, **d),
                slot="task_form",
                refusal_on_form=True,
            ),
            "log": Step(
                partial(forms.CommunicationForm, prefix="log"),
                lambda d: actions.log_communication(incident=incident, by=user, **d),
                slot="log_form",
                refusal_on_form=True,
            ),
            "close": Step(
                partial(forms.CloseIncidentForm, prefix="close"),
                lambda d: actions.close_incident(incident=incident, by=user, **d),
                slot="close_form",
            ),
        }
        here = reverse("operations:incident", args=[incident.code])
        if done := run_step(request, user, steps, shown, here=here):
            return done
        incident = selectors.get_incident_or_404(user, code)
    actions.record_incident_viewed(incident=incident, by=user)
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
            **shown,
            "is_open": incident.status == IncidentStatus.OPEN,
        },
    )


# --- tasks of the agencies ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def tasks(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_capability(user, WORK_TASKS)
    finished = selectors.recent_tasks(user).filter(
        status__in=[TaskStatus.DONE, TaskStatus.CANCELLED]
    )
    exported = export_list(
        request,
        name="tasks",
        title=_("Incident tasks"),
        columns=[
            Column(_("Task"), lambda t: t.code),
            Column(_("Incident"), lambda t: t.incident.code),
            Column(_("Kind"), lambda t: t.get_kind_display()),
            Column(_("What is asked"), lambda t: t.description),
            Column(_("Due by"), lambda t: t.due_at),
            Column(pgettext("state of a record", "Status"), lambda t: t.get_status_display()),
        ],
        # The page's two lists, the tasks waiting and then the finished ones, all of them.
        rows=chain(selectors.active_tasks(user), finished),
    )
    if exported is not None:
        return exported
    return render(
        request,
        "operations/tasks.html",
        {
            "active": list(selectors.active_tasks(user)[:200]),
            "finished": list(finished[:50]),
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

    def update(data: dict[str, Any]) -> None:
        actions.update_task(task=task, by=user, **data)
        messages.success(request, _("Task %(code)s updated.") % {"code": task.code})

    if request.method == "POST":
        form = forms.TaskUpdateForm(request.POST, centre=centre)
        here = reverse("operations:task", args=[task.code])
        if done := attempt(request, form, update, here=here):
            return done
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
    actions.record_report_downloaded(day=on, by=user)
    content = bytes(report.pdf_ar if language == "ar" else report.pdf_en)
    return pdf_response(content, filename=f"situation-{on.isoformat()}-{language}.pdf")
