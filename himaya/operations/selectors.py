"""Reads of the control and emergency centre, each starting from what the user may see.

The centre's operators see every report, alert and incident (the centre is national);
staff of a partner agency see only the tasks assigned to their agency or to themselves,
and through a task only the incident's code and kind, never its details.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from himaya.agencies.selectors import agency_ids_for
from himaya.core.prepared import PreparedValues
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


def sees_every_intake(user: AnyUser) -> bool:
    return bool(user.has_perm(RECORD_INTAKE) or user.has_perm(MANAGE_INCIDENTS))


def sees_every_alert(user: AnyUser) -> bool:
    return bool(user.has_perm(MANAGE_ALERTS))


def sees_every_incident(user: AnyUser) -> bool:
    return bool(user.has_perm(MANAGE_INCIDENTS))


def sees_every_task(user: AnyUser) -> bool:
    return bool(user.has_perm(MANAGE_INCIDENTS))


def intakes_visible_to(user: AnyUser) -> QuerySet[Intake]:
    return Intake.objects.all() if sees_every_intake(user) else Intake.objects.none()


def alerts_visible_to(user: AnyUser) -> QuerySet[Alert]:
    return Alert.objects.all() if sees_every_alert(user) else Alert.objects.none()


def incidents_visible_to(user: AnyUser) -> QuerySet[Incident]:
    return Incident.objects.all() if sees_every_incident(user) else Incident.objects.none()


def tasks_visible_to(user: AnyUser) -> QuerySet[IncidentTask]:
    """Every task for the centre; for anyone else who works tasks, those assigned to one
    of their agencies or to themselves."""
    if sees_every_task(user):
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


def _open_alerts(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    return alerts.exclude(status=AlertStatus.RESOLVED).order_by("-raised_at", "-id")


def _open_intakes(intakes: QuerySet[Intake]) -> QuerySet[Intake]:
    return intakes.filter(status__in=[IntakeStatus.OPEN, IntakeStatus.IN_PROGRESS]).order_by(
        "respond_by", "id"
    )


def _open_incidents(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    return incidents.filter(status=IncidentStatus.OPEN).order_by("-opened_at", "-id")


def _recent_tasks(tasks: QuerySet[IncidentTask]) -> QuerySet[IncidentTask]:
    return tasks.order_by("-updated_at", "-id")


def open_alerts(user: AnyUser) -> QuerySet[Alert]:
    return _open_alerts(alerts_visible_to(user)).select_related("governorate", "assigned_to")


def open_intakes(user: AnyUser) -> QuerySet[Intake]:
    return _open_intakes(intakes_visible_to(user)).select_related("governorate")


def open_incidents(user: AnyUser) -> QuerySet[Incident]:
    return _open_incidents(incidents_visible_to(user)).select_related("governorate")


def active_tasks(user: AnyUser) -> QuerySet[IncidentTask]:
    return (
        tasks_visible_to(user)
        .filter(status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS])
        .select_related("incident", "agency", "owner")
        .order_by("due_at", "id")
    )


def recent_tasks(user: AnyUser) -> QuerySet[IncidentTask]:
    return _recent_tasks(tasks_visible_to(user)).select_related("incident", "agency", "owner")


# --- the board ---------------------------------------------------------------------------
#
# The board's four lists: the first ``BOARD_ROWS`` rows of each, only the columns it shows
# (nothing encrypted). The centre sees each list whole, so its queries are the same for
# every operator and every refresh: they are composed once per process
# (``core.prepared``). A partner who sees only its own tasks reads them through its scope.


def _board_alerts(alerts: QuerySet[Alert]) -> QuerySet[Any]:
    return _open_alerts(alerts).values("code", "rule", "severity", "raised_at", "status")[
        :BOARD_ROWS
    ]


def _board_intakes(intakes: QuerySet[Intake]) -> QuerySet[Any]:
    return _open_intakes(intakes).values("code", "triage", "channel", "respond_by")[:BOARD_ROWS]


def _board_incidents(incidents: QuerySet[Incident]) -> QuerySet[Any]:
    return _open_incidents(incidents).values(
        "code", "kind", "governorate__name_ar", "governorate__name_en", "opened_at"
    )[:BOARD_ROWS]


def _board_tasks(tasks: QuerySet[IncidentTask]) -> QuerySet[Any]:
    return _recent_tasks(tasks).values(
        "code", "agency__name_ar", "agency__name_en", "kind", "due_at", "status"
    )[:BOARD_ROWS]


_EVERY_ALERT = PreparedValues(lambda _key: _board_alerts(Alert.objects.all()), keyed=False)
_EVERY_INTAKE = PreparedValues(lambda _key: _board_intakes(Intake.objects.all()), keyed=False)
_EVERY_INCIDENT = PreparedValues(lambda _key: _board_incidents(Incident.objects.all()), keyed=False)
_EVERY_TASK = PreparedValues(lambda _key: _board_tasks(IncidentTask.objects.all()), keyed=False)


def board_lists(user: AnyUser) -> dict[str, list[dict[str, Any]]]:
    """The board's lists for ``user``: open alerts newest first, open reports first due
    first, open incidents newest first, tasks last changed first; empty where the user
    sees none. One query per list the user sees."""
    return {
        "alerts": _EVERY_ALERT.rows() if sees_every_alert(user) else [],
        "intakes": _EVERY_INTAKE.rows() if sees_every_intake(user) else [],
        "incidents": _EVERY_INCIDENT.rows() if sees_every_incident(user) else [],
        "tasks": _EVERY_TASK.rows()
        if sees_every_task(user)
        else list(_board_tasks(tasks_visible_to(user))),
    }


def communications_of(incident: Incident) -> QuerySet[CommunicationLog]:
    return incident.communications.select_related("by", "counterpart").order_by("at", "id")


def reports_visible_to(user: AnyUser) -> QuerySet[SituationReport]:
    if user.has_perm(VIEW_REPORT):
        return SituationReport.objects.defer("pdf_ar", "pdf_en")
    return SituationReport.objects.none()
