"""Writes of the control and emergency centre. Each re-checks the capability, the scope
and the state, runs in one transaction and writes the audit trail (codes only)."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind, Governorate, Membership
from himaya.audit.actions import record_event, record_reading
from himaya.cases.models import Case
from himaya.core.bounds import Message, plan_date_problem, text_problem
from himaya.core.codes import new_codes
from himaya.core.crypto import strip_invisible
from himaya.core.errors import Conflict, Forbidden, Invalid, NotFound
from himaya.core.locking import save_with_version
from himaya.notifications.actions import notify
from himaya.operations import conditions, rules
from himaya.operations.models import (
    ALERT_TRANSITIONS,
    INCIDENT_TRANSITIONS,
    INTAKE_TRANSITIONS,
    TASK_TRANSITIONS,
    Alert,
    AlertRule,
    AlertStatus,
    Channel,
    CommunicationChannel,
    CommunicationLog,
    Incident,
    IncidentKind,
    IncidentStatus,
    IncidentTask,
    Intake,
    IntakeClosure,
    IntakeStatus,
    OnCallEntry,
    Severity,
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
    alerts_visible_to,
    intakes_visible_to,
    tasks_visible_to,
)
from himaya.screening.models import Screening
from himaya.survivors.models import ConsentPurpose
from himaya.survivors.selectors import consent_on_file

TASK_ASSIGNED = "operations.task_assigned"
ALERT_ASSIGNED = "operations.alert_assigned"
ALERT_ESCALATED = "operations.alert_escalated"
# Roles of an agency told of a task assigned to it (when it names no owner).
TASK_ROLES = ("partner_staff", "shelter_staff", "case_worker", "supervisor", "operator")
IN_CHUNK = 2000


def _require(user: User, capability: str) -> None:
    if not user.has_perm(capability):
        raise Forbidden(_("You may not do this."))


def _text(
    value: str,
    *,
    field: str,
    what: Message,
    max_length: int,
    missing: Message | None = None,
) -> str:
    """Free text as stored: without surrounding spaces, refused when it holds a NUL
    character, is longer than its column, or (when ``missing`` says why it is needed)
    holds nothing a reader sees: spaces and invisible marks (U+200F, U+FEFF…) alone."""
    if "\x00" in value:
        raise Invalid(_("Null characters are not allowed."), field=field)
    text = value.strip()
    problem = text_problem(text, what=what, max_length=max_length)
    if problem:
        raise Invalid(problem, field=field)
    if missing is not None and not strip_invisible(text).strip():
        raise Invalid(missing, field=field)
    return text


def _code(value: str) -> str:
    """A public code as typed or pasted: invisible marks and spaces dropped, capitals."""
    return strip_invisible(value).strip().upper()[:20]


def response_minutes() -> dict[str, int]:
    configured = getattr(settings, "HIMAYA_OPERATIONS_RESPONSE_MINUTES", None) or {}
    return {**rules.DEFAULT_RESPONSE_MINUTES, **configured}


def escalation_minutes() -> int:
    return int(
        getattr(settings, "HIMAYA_OPERATIONS_ESCALATION_MINUTES", rules.DEFAULT_ESCALATION_MINUTES)
    )


def _move(transitions: dict[str, frozenset[str]], current: str, target: str) -> None:
    if not rules.allowed(transitions, current, target):
        raise Conflict(_("This record is no longer in a state that allows this change."))


# --- intake ------------------------------------------------------------------------------------


@transaction.atomic
def record_intake(
    *,
    by: User,
    channel: str,
    summary: str,
    about_child: bool = False,
    immediate_danger: bool = False,
    anonymous: bool = False,
    reporter_name: str = "",
    reporter_phone: str = "",
    person_details: str = "",
    location: str = "",
    governorate: Governorate | None = None,
    received_at: datetime.datetime | None = None,
) -> Intake:
    """Record a report, triage it by rule and set its response deadline; an emergency
    raises its alert in the same transaction."""
    _require(by, RECORD_INTAKE)
    if channel not in Channel.values:
        raise Invalid(_("Choose a channel."), field="channel")
    summary = _text(
        summary,
        field="summary",
        what=_("What was reported"),
        max_length=4000,
        missing=_("Say what was reported."),
    )
    reporter_name = _text(
        reporter_name, field="reporter_name", what=_("Reporter's name"), max_length=200
    )
    reporter_phone = _text(
        reporter_phone, field="reporter_phone", what=_("Reporter's phone"), max_length=40
    )
    person_details = _text(
        person_details,
        field="person_details",
        what=_("The person described (name, age, appearance)"),
        max_length=2000,
    )
    location = _text(location, field="location", what=_("Where the person is"), max_length=500)
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + datetime.timedelta(minutes=5):
        raise Invalid(_("A report cannot be received in the future."), field="received_at")
    level = rules.triage(about_child=about_child, immediate_danger=immediate_danger)
    intake = Intake(
        channel=channel,
        anonymous=anonymous,
        reporter_name="" if anonymous else reporter_name,
        reporter_phone="" if anonymous else reporter_phone,
        person_details=person_details,
        location=location,
        summary=summary,
        about_child=about_child,
        immediate_danger=immediate_danger,
        governorate=governorate,
        triage=level,
        received_at=received_at,
        respond_by=rules.respond_by(received_at, level, response_minutes()),
        recorded_by=by,
    )
    intake.save()
    record_event(
        action="operations.intake_recorded",
        actor=by,
        obj=intake,
        details={"triage": level, "channel": channel},
    )
    if level == Triage.EMERGENCY:
        _write_alerts(
            [
                conditions.Condition(
                    AlertRule.EMERGENCY_REPORT,
                    Severity.CRITICAL,
                    intake.code,
                    conditions.EVER,
                    governorate.pk if governorate else None,
                )
            ],
            now,
        )
    return intake


def _respond(intake: Intake, now: datetime.datetime) -> None:
    if intake.responded_at is None:
        intake.responded_at = now


@transaction.atomic
def take_up_intake(*, intake: Intake, by: User, version: int) -> Intake:
    _require(by, RECORD_INTAKE)
    _move(INTAKE_TRANSITIONS, intake.status, IntakeStatus.IN_PROGRESS)
    intake.status = IntakeStatus.IN_PROGRESS
    _respond(intake, timezone.now())
    save_with_version(intake, expected_version=version, fields=["status", "responded_at"])
    record_event(action="operations.intake_taken_up", actor=by, obj=intake)
    return intake


@transaction.atomic
def link_intake(
    *,
    intake: Intake,
    by: User,
    version: int,
    case_code: str = "",
    screening_code: str = "",
    incident_code: str = "",
) -> Intake:
    """Link a report to an existing case, a screening or an incident (by code)."""
    _require(by, RECORD_INTAKE)
    _move(INTAKE_TRANSITIONS, intake.status, IntakeStatus.LINKED)
    case_code, screening_code, incident_code = (
        _code(case_code),
        _code(screening_code),
        _code(incident_code),
    )
    if not (case_code or screening_code or incident_code):
        raise Invalid(_("Give the code of a case, a screening or an incident."))
    fields = ["status", "responded_at"]
    if case_code:
        case = Case.objects.filter(code=case_code).first()
        if case is None:
            raise Invalid(_("There is no case with this code."), field="case_code")
        intake.case = case
        fields.append("case")
    if screening_code:
        screening = Screening.objects.filter(code=screening_code).first()
        if screening is None:
            raise Invalid(_("There is no screening with this code."), field="screening_code")
        intake.screening = screening
        fields.append("screening")
    if incident_code:
        incident = Incident.objects.filter(code=incident_code).first()
        if incident is None:
            raise Invalid(_("There is no incident with this code."), field="incident_code")
        intake.incident = incident
        fields.append("incident")
    intake.status = IntakeStatus.LINKED
    _respond(intake, timezone.now())
    save_with_version(intake, expected_version=version, fields=fields)
    record_event(
        action="operations.intake_linked",
        actor=by,
        obj=intake,
        details={
            "case": intake.case.code if intake.case else "",
            "screening": intake.screening.code if intake.screening else "",
            "incident": intake.incident.code if intake.incident else "",
        },
    )
    return intake


@transaction.atomic
def close_intake(*, intake: Intake, by: User, version: int, reason: str) -> Intake:
    _require(by, RECORD_INTAKE)
    if reason not in IntakeClosure.values:
        raise Invalid(_("Choose why the report is closed."), field="reason")
    _move(INTAKE_TRANSITIONS, intake.status, IntakeStatus.CLOSED)
    now = timezone.now()
    intake.status = IntakeStatus.CLOSED
    intake.closure_reason = reason
    intake.closed_at = now
    _respond(intake, now)
    save_with_version(
        intake,
        expected_version=version,
        fields=["status", "closure_reason", "closed_at", "responded_at"],
    )
    record_event(
        action="operations.intake_closed", actor=by, obj=intake, details={"reason": reason}
    )
    return intake


# --- alerts ------------------------------------------------------------------------------------


def _write_alerts(found: Iterable[conditions.Condition], now: datetime.datetime) -> int:
    """Insert the conditions not yet in the queue for their window; answer how many."""
    by_rule: dict[str, list[conditions.Condition]] = {}
    for condition in found:
        by_rule.setdefault(condition.rule, []).append(condition)
    fresh: list[conditions.Condition] = []
    for rule, items in by_rule.items():
        keys = sorted({c.key for c in items})
        existing: set[tuple[str, str]] = set()
        for start in range(0, len(keys), IN_CHUNK):
            existing.update(
                Alert.objects.filter(
                    rule=rule, condition_key__in=keys[start : start + IN_CHUNK]
                ).values_list("condition_key", "window")
            )
        seen: set[tuple[str, str]] = set()
        for c in items:
            if (c.key, c.window) not in existing and (c.key, c.window) not in seen:
                seen.add((c.key, c.window))
                fresh.append(c)
    if not fresh:
        return 0
    codes = new_codes(
        Alert.CODE_PREFIX,
        len(fresh),
        taken=lambda candidates: Alert.objects.filter(code__in=list(candidates)).values_list(
            "code", flat=True
        ),
    )
    created = Alert.objects.bulk_create(
        [
            Alert(
                code=code,
                rule=c.rule,
                severity=c.severity,
                condition_key=c.key[:80],
                window=c.window,
                governorate_id=c.governorate_id,
                figure=c.figure,
                raised_at=now,
            )
            for code, c in zip(codes, fresh, strict=True)
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return len(created)


def evaluate_alerts(*, now: datetime.datetime | None = None) -> int:
    """Run every rule and put each new condition in the queue once; answer how many
    alerts were raised."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    found: list[conditions.Condition] = []
    for detect in conditions.DETECTORS.values():
        found.extend(detect(now, today))
    with transaction.atomic():
        raised = _write_alerts(found, now)
        if raised:
            record_event(
                action="operations.alerts_raised",
                object_type="operations.alert",
                details={"count": raised},
                actor_username="scheduler",
            )
    return raised


def escalate_alerts(*, now: datetime.datetime | None = None) -> int:
    """Move each alert left unacknowledged up the on-call roster, one level for each
    ``HIMAYA_OPERATIONS_ESCALATION_MINUTES`` waited, telling that level's people."""
    now = now or timezone.now()
    minutes = escalation_minutes()
    roster: dict[int, list[User]] = {}
    for entry in OnCallEntry.objects.filter(is_active=True).select_related("user"):
        roster.setdefault(entry.level, []).append(entry.user)
    levels = max(roster, default=0)
    if not levels:
        return 0
    moved = 0
    waiting = Alert.objects.filter(
        status=AlertStatus.OPEN,
        escalation_level__lt=levels,
        raised_at__lte=now - datetime.timedelta(minutes=minutes),
    ).order_by("raised_at", "id")
    for alert in waiting:
        due = rules.escalation_due(
            raised_at=alert.raised_at, now=now, minutes=minutes, levels=levels
        )
        if due <= alert.escalation_level:
            continue
        with transaction.atomic():
            updated = Alert.objects.filter(
                pk=alert.pk, status=AlertStatus.OPEN, escalation_level=alert.escalation_level
            ).update(escalation_level=due, escalated_at=now)
            if not updated:
                continue
            for level in range(alert.escalation_level + 1, due + 1):
                notify(
                    event=ALERT_ESCALATED,
                    recipients=roster.get(level, []),
                    key=f"{alert.code}:{level}",
                    link=reverse("operations:alert", args=[alert.code]),
                    params={"alert_code": alert.code, "level_number": level},
                )
            record_event(
                action="operations.alert_escalated",
                obj=alert,
                details={"level": due},
                actor_username="scheduler",
            )
        moved += 1
    return moved


@transaction.atomic
def acknowledge_alert(*, alert: Alert, by: User, version: int) -> Alert:
    _require(by, MANAGE_ALERTS)
    _move(ALERT_TRANSITIONS, alert.status, AlertStatus.ACKNOWLEDGED)
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    save_with_version(
        alert, expected_version=version, fields=["status", "acknowledged_at", "acknowledged_by"]
    )
    record_event(action="operations.alert_acknowledged", actor=by, obj=alert)
    return alert


@transaction.atomic
def assign_alert(*, alert: Alert, by: User, version: int, to: User) -> Alert:
    _require(by, MANAGE_ALERTS)
    if not to.is_active or not to.has_perm(MANAGE_ALERTS):
        raise Invalid(_("This person does not handle alerts."), field="assigned_to")
    _move(ALERT_TRANSITIONS, alert.status, AlertStatus.ASSIGNED)
    now = timezone.now()
    alert.status = AlertStatus.ASSIGNED
    alert.assigned_to = to
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, by
    save_with_version(
        alert,
        expected_version=version,
        fields=["status", "assigned_to", "acknowledged_at", "acknowledged_by"],
    )
    notify(
        event=ALERT_ASSIGNED,
        recipients=[to],
        key=f"{alert.code}:{alert.version}",
        link=reverse("operations:alert", args=[alert.code]),
        params={"alert_code": alert.code},
    )
    record_event(
        action="operations.alert_assigned", actor=by, obj=alert, details={"to": to.username}
    )
    return alert


@transaction.atomic
def resolve_alert(*, alert: Alert, by: User, version: int, note: str) -> Alert:
    _require(by, MANAGE_ALERTS)
    note = _text(
        note,
        field="note",
        what=_("How it was resolved"),
        max_length=500,
        missing=_("Say how the alert was resolved."),
    )
    _move(ALERT_TRANSITIONS, alert.status, AlertStatus.RESOLVED)
    now = timezone.now()
    alert.status = AlertStatus.RESOLVED
    alert.note = note
    alert.resolved_at, alert.resolved_by = now, by
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, by
    save_with_version(
        alert,
        expected_version=version,
        fields=[
            "status",
            "note",
            "resolved_at",
            "resolved_by",
            "acknowledged_at",
            "acknowledged_by",
        ],
    )
    record_event(action="operations.alert_resolved", actor=by, obj=alert)
    return alert


# --- incidents and tasks -----------------------------------------------------------------------


@transaction.atomic
def open_incident(
    *,
    by: User,
    kind: str,
    title: str,
    summary: str = "",
    governorate: Governorate | None = None,
    alert: Alert | None = None,
    intake: Intake | None = None,
    case_code: str = "",
) -> Incident:
    """Open an incident by hand, from an alert (acknowledged with it) or from a report
    (linked to it)."""
    _require(by, MANAGE_INCIDENTS)
    if kind not in IncidentKind.values:
        raise Invalid(_("Choose the kind of incident."), field="kind")
    title = _text(
        title,
        field="title",
        what=_("Short title (no names)"),
        max_length=200,
        missing=_("Give the incident a short title."),
    )
    summary = _text(summary, field="summary", what=_("Details"), max_length=4000)
    # The alert and the report it starts from are the user's to see (the API finds them
    # by code in the user's scope; a caller of this function must not reach further).
    if alert is not None and not alerts_visible_to(by).filter(pk=alert.pk).exists():
        raise NotFound(_("Not found"), field="alert")
    if intake is not None and not intakes_visible_to(by).filter(pk=intake.pk).exists():
        raise NotFound(_("Not found"), field="intake")
    case = None
    case_code = _code(case_code)
    if case_code:
        case = Case.objects.filter(code=case_code).first()
        if case is None:
            raise Invalid(_("There is no case with this code."), field="case_code")
    if intake is not None and intake.status == IntakeStatus.CLOSED:
        raise Conflict(_("This record is no longer in a state that allows this change."))
    now = timezone.now()
    incident = Incident(
        kind=kind,
        title=title,
        summary=summary,
        governorate=governorate
        or (intake.governorate if intake else None)
        or (alert.governorate if alert else None),
        opened_at=now,
        opened_by=by,
        alert=alert,
        case=case or (intake.case if intake else None),
    )
    incident.save()
    if alert is not None and alert.status == AlertStatus.OPEN:
        acknowledge_alert(alert=alert, by=by, version=alert.version)
    if intake is not None:
        intake.incident = incident
        intake.status = IntakeStatus.LINKED
        _respond(intake, now)
        save_with_version(
            intake, expected_version=intake.version, fields=["incident", "status", "responded_at"]
        )
    record_event(
        action="operations.incident_opened",
        actor=by,
        obj=incident,
        details={
            "kind": kind,
            "alert": alert.code if alert else "",
            "intake": intake.code if intake else "",
        },
    )
    return incident


@transaction.atomic
def close_incident(*, incident: Incident, by: User, version: int, note: str = "") -> Incident:
    _require(by, MANAGE_INCIDENTS)
    note = _text(note, field="note", what=_("Closing note"), max_length=500)
    _move(INCIDENT_TRANSITIONS, incident.status, IncidentStatus.CLOSED)
    if incident.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS]).exists():
        raise Conflict(_("Finish or cancel the incident's tasks first."))
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = timezone.now()
    incident.closing_note = note
    save_with_version(
        incident, expected_version=version, fields=["status", "closed_at", "closing_note"]
    )
    record_event(action="operations.incident_closed", actor=by, obj=incident)
    return incident


def embassy_allowed(incident: Incident, agency: Agency) -> bool:
    """An embassy is told of an incident only about a survivor whose consent for purpose
    "embassy", naming that embassy, stands."""
    if incident.case is None:
        return False
    return consent_on_file(incident.case.survivor, purpose=ConsentPurpose.EMBASSY, recipient=agency)


def _task_people(task: IncidentTask) -> list[User]:
    if task.owner is not None:
        return [task.owner]
    ids = Membership.objects.filter(
        agency=task.agency, is_active=True, role__in=TASK_ROLES
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=list(ids), is_active=True))


@transaction.atomic
def assign_task(
    *,
    incident: Incident,
    by: User,
    kind: str,
    agency: Agency,
    description: str,
    due_at: datetime.datetime,
    owner: User | None = None,
) -> IncidentTask:
    """Ask an agency for work on an incident; its people are notified (by code only)."""
    _require(by, MANAGE_INCIDENTS)
    if incident.status != IncidentStatus.OPEN:
        raise Conflict(_("This incident is closed."))
    if kind not in TaskKind.values:
        raise Invalid(_("Choose the kind of task."), field="kind")
    description = _text(
        description,
        field="description",
        what=_("What is asked (no names)"),
        max_length=300,
        missing=_("Say what is asked."),
    )
    problem = plan_date_problem(
        timezone.localtime(due_at).date(), what=_("Due by"), today=timezone.localdate()
    )
    if problem:
        raise Invalid(problem, field="due_at")
    if not agency.is_active:
        raise Invalid(_("This agency is not active."), field="agency")
    if kind == TaskKind.EMBASSY and (
        agency.kind != AgencyKind.EMBASSY or not embassy_allowed(incident, agency)
    ):
        raise Forbidden(
            _(
                "An embassy may be told only about a survivor whose consent for this very "
                "embassy stands."
            ),
            field="agency",
        )
    if (
        owner is not None
        and not Membership.objects.filter(user=owner, agency=agency, is_active=True).exists()
    ):
        raise Invalid(_("The owner must work for the agency."), field="owner")
    task = IncidentTask(
        incident=incident,
        kind=kind,
        agency=agency,
        owner=owner,
        description=description,
        due_at=due_at,
        created_by=by,
    )
    task.save()
    notify(
        event=TASK_ASSIGNED,
        recipients=_task_people(task),
        key=task.code,
        link=reverse("operations:task", args=[task.code]),
        params={"task_code": task.code, "incident_code": incident.code},
    )
    record_event(
        action="operations.task_assigned",
        actor=by,
        obj=task,
        details={"incident": incident.code, "agency": agency.code, "kind": kind},
    )
    return task


@transaction.atomic
def update_task(
    *, task: IncidentTask, by: User, version: int, status: str, note: str = ""
) -> IncidentTask:
    """Move a task on (in progress, done); only the centre cancels one."""
    _require(by, WORK_TASKS)
    if not tasks_visible_to(by).filter(pk=task.pk).exists():
        raise Forbidden(_("You may not do this."))
    if status == TaskStatus.CANCELLED and not by.has_perm(MANAGE_INCIDENTS):
        raise Forbidden(_("Only the centre cancels a task."), field="status")
    if status not in TaskStatus.values:
        raise Invalid(_("Choose the new state."), field="status")
    note = _text(note, field="note", what=_("Note (no names)"), max_length=500)
    _move(TASK_TRANSITIONS, task.status, status)
    task.status = status
    fields = ["status", "note"]
    task.note = note or task.note
    if status == TaskStatus.DONE:
        task.completed_at, task.completed_by = timezone.now(), by
        fields += ["completed_at", "completed_by"]
    save_with_version(task, expected_version=version, fields=fields)
    record_event(action="operations.task_updated", actor=by, obj=task, details={"status": status})
    return task


@transaction.atomic
def log_communication(
    *,
    incident: Incident,
    by: User,
    channel: str,
    text: str,
    counterpart: Agency | None = None,
) -> CommunicationLog:
    _require(by, MANAGE_INCIDENTS)
    if incident.status != IncidentStatus.OPEN:
        raise Conflict(_("This incident is closed."))
    if channel not in CommunicationChannel.values:
        raise Invalid(_("Choose how it was communicated."), field="channel")
    text = _text(
        text,
        field="text",
        what=_("What was said"),
        max_length=4000,
        missing=_("Say what was communicated."),
    )
    if counterpart is not None and not counterpart.is_active:
        raise Invalid(_("This agency is not active."), field="counterpart")
    entry = CommunicationLog.objects.create(
        incident=incident,
        at=timezone.now(),
        by=by,
        channel=channel,
        counterpart=counterpart,
        text=text,
    )
    record_event(
        action="operations.communication_logged",
        actor=by,
        obj=incident,
        details={"channel": channel},
    )
    return entry


# --- what a person is shown ---------------------------------------------------------------


def record_intake_viewed(*, intake: Intake, by: User) -> None:
    """An intake's page was shown (the caller's account of what happened): one reading."""
    _require(by, RECORD_INTAKE)
    record_reading(action="operations.intake_viewed", actor=by, obj=intake, purpose="operations")


def record_incident_viewed(*, incident: Incident, by: User) -> None:
    """An incident's page was shown (its log and tasks): one reading."""
    _require(by, MANAGE_INCIDENTS)
    record_reading(
        action="operations.incident_viewed", actor=by, obj=incident, purpose="operations"
    )


def record_report_downloaded(*, day: datetime.date, by: User) -> None:
    """A day's situation report left the system as a PDF."""
    _require(by, VIEW_REPORT)
    record_event(
        action="operations.situation_report_downloaded",
        actor=by,
        object_type="operations.situationreport",
        object_code=day.isoformat(),
    )
