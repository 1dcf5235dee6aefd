"""Reads of the control and emergency centre, each starting from what the user may see.

The centre's operators see every report, alert and incident (the centre is national);
staff of a partner agency see only the tasks assigned to their agency or to themselves,
and through a task only the incident's code and kind, never its details.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from himaya.agencies.selectors import agency_ids_for
from himaya.core.typing import AnyUser
from himaya.operations.models import (
    Alert,
    AlertStatus,
    CommunicationLog,
    Incident,
    IncidentStatus,
    IncidentTask,
    Intake,
    IntakeStatus,
    SituationReport,
    TaskStatus,
)

RECORD_INTAKE = "operations.record_intake"
MANAGE_ALERTS = "operations.manage_alerts"
MANAGE_INCIDENTS = "operations.manage_incidents"
WORK_TASKS = "operations.work_tasks"
VIEW_REPORT = "operations.view_situation_report"

BOARD_ROWS = 20


def sees_centre(user: AnyUser) -> bool:
    return bool(
        user.has_perm(RECORD_INTAKE)
        or user.has_perm(MANAGE_INCIDENTS)
        or user.has_perm(MANAGE_ALERTS)
    )


def intakes_visible_to(user: AnyUser) -> QuerySet[Intake]:
    if user.has_perm(RECORD_INTAKE) or user.has_perm(MANAGE_INCIDENTS):
        return Intake.objects.all()
    return Intake.objects.none()


def alerts_visible_to(user: AnyUser) -> QuerySet[Alert]:
    if user.has_perm(MANAGE_ALERTS):
        return Alert.objects.all()
    return Alert.objects.none()


def incidents_visible_to(user: AnyUser) -> QuerySet[Incident]:
    if user.has_perm(MANAGE_INCIDENTS):
        return Incident.objects.all()
    return Incident.objects.none()


def tasks_visible_to(user: AnyUser) -> QuerySet[IncidentTask]:
    """Every task for the centre; for anyone else who works tasks, those assigned to one
    of their agencies or to themselves."""
    if user.has_perm(MANAGE_INCIDENTS):
        return IncidentTask.objects.all()
    if user.has_perm(WORK_TASKS):
        agencies = agency_ids_for(user)
        return IncidentTask.objects.filter(Q(agency_id__in=agencies) | Q(owner_id=user.pk))
    return IncidentTask.objects.none()


def _get(queryset: QuerySet, code: str):  # type: ignore[no-untyped-def,type-arg]
    # A public code is short printable ASCII: anything else (a NUL, which PostgreSQL
    # refuses in a query, an invisible mark, other scripts) names no record.
    if not (code.isascii() and code.isprintable()):
        raise Http404(_("Not found"))
    found = queryset.filter(code=code[:20]).first()
    if found is None:
        raise Http404(_("Not found"))
    return found


def get_intake_or_404(user: AnyUser, code: str) -> Intake:
    found: Intake = _get(intakes_visible_to(user).select_related("governorate"), code)
    return found


def get_alert_or_404(user: AnyUser, code: str) -> Alert:
    found: Alert = _get(alerts_visible_to(user).select_related("governorate"), code)
    return found


def get_incident_or_404(user: AnyUser, code: str) -> Incident:
    found: Incident = _get(incidents_visible_to(user).select_related("governorate"), code)
    return found


def get_task_or_404(user: AnyUser, code: str) -> IncidentTask:
    found: IncidentTask = _get(
        tasks_visible_to(user).select_related("incident", "agency", "owner"), code
    )
    return found


def open_alerts(user: AnyUser) -> QuerySet[Alert]:
    return (
        alerts_visible_to(user)
        .exclude(status=AlertStatus.RESOLVED)
        .select_related("governorate", "assigned_to")
        .order_by("-raised_at", "-id")
    )


def open_intakes(user: AnyUser) -> QuerySet[Intake]:
    return (
        intakes_visible_to(user)
        .filter(status__in=[IntakeStatus.OPEN, IntakeStatus.IN_PROGRESS])
        .select_related("governorate")
        .order_by("respond_by", "id")
    )


def open_incidents(user: AnyUser) -> QuerySet[Incident]:
    return (
        incidents_visible_to(user)
        .filter(status=IncidentStatus.OPEN)
        .select_related("governorate")
        .order_by("-opened_at", "-id")
    )


def active_tasks(user: AnyUser) -> QuerySet[IncidentTask]:
    return (
        tasks_visible_to(user)
        .filter(status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS])
        .select_related("incident", "agency", "owner")
        .order_by("due_at", "id")
    )


def recent_tasks(user: AnyUser) -> QuerySet[IncidentTask]:
    return (
        tasks_visible_to(user)
        .select_related("incident", "agency", "owner")
        .order_by("-updated_at", "-id")
    )


def communications_of(incident: Incident) -> QuerySet[CommunicationLog]:
    return incident.communications.select_related("by", "counterpart").order_by("at", "id")


def reports_visible_to(user: AnyUser) -> QuerySet[SituationReport]:
    if user.has_perm(VIEW_REPORT):
        return SituationReport.objects.defer("pdf_ar", "pdf_en")
    return SituationReport.objects.none()
