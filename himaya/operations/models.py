"""Tables of the control and emergency centre: reports received (intake), alerts that land
once per condition and window, the on-call roster, incidents with their tasks for the
agencies and their communication log, and the daily situation reports."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.core.fields import EncryptedTextField
from himaya.core.models import PublicCodeModel, VersionedModel

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from himaya.accounts.models import User
    from himaya.agencies.models import Governorate

# --- what several tables share -----------------------------------------------------------------
#
# Builders of the columns that recur: each answers a new field, so the tables (and their
# migrations) are exactly those that spelling each field out gives.


def status_field(
    choices: type[models.TextChoices], max_length: int
) -> "models.CharField[str, str]":
    """The status of a record, starting at its first state (every table's ``OPEN``)."""
    return models.CharField(
        pgettext_lazy("state of a record", "Status"),
        max_length=max_length,
        choices=choices.choices,
        default=next(iter(choices)).value,
    )


def governorate_field() -> "models.ForeignKey[Governorate | None, Governorate | None]":
    """The governorate where it happens, when known."""
    return models.ForeignKey(
        "agencies.Governorate",
        verbose_name=_("governorate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


def person_field(
    verbose_name: "str | _StrPromise",
) -> "models.ForeignKey[User | None, User | None]":
    """A person who did (or is to do) something to the record, when there is one."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


def person_required_field(verbose_name: "str | _StrPromise") -> "models.ForeignKey[User, User]":
    """A person the record always names (who made it, or who is on call)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        related_name="+",
    )


def secret_field(verbose_name: "str | _StrPromise") -> EncryptedTextField:
    """Optional free text that may identify someone: stored encrypted, never searched."""
    return EncryptedTextField(verbose_name, blank=True, default="")


# --- intake ------------------------------------------------------------------------------------


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")
    ONLINE_FORM = "online_form", _("Online form")
    WALK_IN = "walk_in", _("Walk-in")


class Triage(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


class IntakeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("intake", "Waiting for a response")
    IN_PROGRESS = "in_progress", pgettext_lazy("intake", "Being handled")
    LINKED = "linked", pgettext_lazy("intake", "Linked")
    CLOSED = "closed", pgettext_lazy("intake", "Closed")


INTAKE_TRANSITIONS: dict[str, frozenset[str]] = {
    IntakeStatus.OPEN: frozenset(
        {IntakeStatus.IN_PROGRESS, IntakeStatus.LINKED, IntakeStatus.CLOSED}
    ),
    IntakeStatus.IN_PROGRESS: frozenset({IntakeStatus.LINKED, IntakeStatus.CLOSED}),
    IntakeStatus.LINKED: frozenset({IntakeStatus.LINKED, IntakeStatus.CLOSED}),
    IntakeStatus.CLOSED: frozenset(),
}


class IntakeClosure(models.TextChoices):
    HANDLED = "handled", _("Handled through the linked records")
    NOT_TRAFFICKING = "not_trafficking", _("No sign of trafficking")
    DUPLICATE = "duplicate", _("Duplicate of another report")
    NO_CONTACT = "no_contact", _("Could not be reached")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred to another service")
    HOAX = "hoax", _("False report")


class Intake(PublicCodeModel, VersionedModel):
    """A report received by the centre. Identifying details are encrypted."""

    CODE_PREFIX = "IN"

    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    anonymous = models.BooleanField(_("anonymous reporter"), default=False)
    reporter_name = secret_field(_("reporter's name"))
    reporter_phone = secret_field(_("reporter's phone"))
    person_details = secret_field(_("the person described (name, age, appearance)"))
    location = secret_field(_("where the person is"))
    summary = EncryptedTextField(_("what was reported"))
    about_child = models.BooleanField(_("about a child"), default=False)
    immediate_danger = models.BooleanField(_("immediate danger"), default=False)
    governorate = governorate_field()
    triage = models.CharField(_("triage"), max_length=10, choices=Triage.choices)
    received_at = models.DateTimeField(_("received at"))
    respond_by = models.DateTimeField(_("response due by"))
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    status = status_field(IntakeStatus, max_length=12)
    recorded_by = person_required_field(_("recorded by"))
    screening = models.ForeignKey(
        "screening.Screening",
        verbose_name=_("screening"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    incident = models.ForeignKey(
        "operations.Incident",
        verbose_name=_("incident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intakes",
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=IntakeClosure.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report received")
        verbose_name_plural = _("reports received")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "respond_by"], name="intake_due_idx"),
            models.Index(fields=["-received_at", "-id"], name="intake_recent_idx"),
            # The board's open reports, first due first: read in order, a page at a time.
            models.Index(
                fields=["respond_by", "id"],
                name="intake_open_due_idx",
                condition=models.Q(status__in=[IntakeStatus.OPEN, IntakeStatus.IN_PROGRESS]),
            ),
        ]

    def __str__(self) -> str:
        return self.code


# --- alerts ------------------------------------------------------------------------------------


class AlertRule(models.TextChoices):
    EMERGENCY_REPORT = "emergency_report", _("Emergency report received")
    INDICATOR = "indicator", _("Indicator past its threshold")
    CHILD_IDENTIFIED = "child_identified", _("Child identified")
    SHELTER_FULL = "shelter_full", _("Shelter full")
    NO_FREE_BED = "no_free_bed", _("No free shelter bed in the governorate")
    REFERRAL_OVERDUE = "referral_overdue", _("Referral overdue")
    NO_SERVICE_72H = "no_service_72h", _("No service 72 hours after identification")
    HIGH_RISK_NO_PLAN = "high_risk_no_plan", _("High-risk case without an approved plan")
    INTAKE_OVERDUE = "intake_overdue", _("Report past its response deadline")
    IDENTIFICATION_RISE = "identification_rise", _("Unusual rise in identifications")


class Severity(models.TextChoices):
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("alert", "Acknowledged")
    ASSIGNED = "assigned", pgettext_lazy("alert", "Assigned")
    RESOLVED = "resolved", pgettext_lazy("alert", "Resolved")


ALERT_TRANSITIONS: dict[str, frozenset[str]] = {
    AlertStatus.OPEN: frozenset(
        {AlertStatus.ACKNOWLEDGED, AlertStatus.ASSIGNED, AlertStatus.RESOLVED}
    ),
    AlertStatus.ACKNOWLEDGED: frozenset({AlertStatus.ASSIGNED, AlertStatus.RESOLVED}),
    AlertStatus.ASSIGNED: frozenset({AlertStatus.ASSIGNED, AlertStatus.RESOLVED}),
    AlertStatus.RESOLVED: frozenset(),
}


class Alert(PublicCodeModel, VersionedModel):
    """One condition found by a rule, once per (rule, condition, window).

    ``condition_key`` names what the condition is about by a public code (a case, a
    shelter, a referral, a report, a governorate or an indicator), never by a name;
    ``window`` is the period in which it may land once (a day, or empty for "ever").
    """

    CODE_PREFIX = "AL"

    rule = models.CharField(_("rule"), max_length=24, choices=AlertRule.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    condition_key = models.CharField(_("condition"), max_length=80)
    window = models.CharField(_("window"), max_length=20, blank=True)
    figure = models.DecimalField(
        _("figure"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    governorate = governorate_field()
    raised_at = models.DateTimeField(_("raised at"))
    status = status_field(AlertStatus, max_length=14)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = person_field(_("acknowledged by"))
    assigned_to = person_field(_("assigned to"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = person_field(_("resolved by"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "condition_key", "window"], name="alert_once_per_window"
            )
        ]
        indexes = [
            models.Index(fields=["status", "raised_at"], name="alert_queue_idx"),
            # The board's open alerts, newest first: read in order, however many are open
            # (a sort of every open alert otherwise, 22 ms at 18,000).
            models.Index(
                fields=["-raised_at", "-id"],
                name="alert_open_recent_idx",
                condition=~models.Q(status=AlertStatus.RESOLVED),
            ),
        ]

    def __str__(self) -> str:
        return self.code


class OnCallEntry(models.Model):
    """One person on the roster at one escalation level, in order."""

    level = models.PositiveSmallIntegerField(_("escalation level"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    user = person_required_field(_("user"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("on-call entry")
        verbose_name_plural = _("on-call roster")
        ordering = ["level", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["level", "user"], name="on_call_once_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.level}.{self.position}"


# --- incidents ---------------------------------------------------------------------------------


class IncidentKind(models.TextChoices):
    GROUP_FOUND = "group_found", _("Group of possible victims found")
    RAID = "raid", _("Raid")
    SHELTER_SECURITY = "shelter_security", _("Shelter security event")
    LEFT_CARE = "left_care", _("Survivor leaving care")
    DATA_BREACH = "data_breach", _("Data breach")
    CHILD_AT_RISK = "child_at_risk", _("Child at risk")
    OTHER = "other", _("Other")


class IncidentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("incident", "Open")
    CLOSED = "closed", pgettext_lazy("incident", "Closed")


INCIDENT_TRANSITIONS: dict[str, frozenset[str]] = {
    IncidentStatus.OPEN: frozenset({IncidentStatus.CLOSED}),
    IncidentStatus.CLOSED: frozenset(),
}


class Incident(PublicCodeModel, VersionedModel):
    CODE_PREFIX = "IC"

    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = secret_field(_("details"))
    governorate = governorate_field()
    status = status_field(IncidentStatus, max_length=10)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = person_required_field(_("opened by"))
    alert = models.ForeignKey(
        Alert,
        verbose_name=_("alert"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.CharField(_("closing note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "-opened_at"], name="incident_open_idx")]

    def __str__(self) -> str:
        return self.code


class TaskKind(models.TextChoices):
    BEDS = "beds", _("Find shelter beds")
    INTERPRETER = "interpreter", _("Interpreter")
    MEDICAL = "medical", _("Medical team")
    POLICE = "police", _("Police response")
    EMBASSY = "embassy", _("Notify the embassy")
    OTHER = "other", _("Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task", "To do")
    IN_PROGRESS = "in_progress", pgettext_lazy("task", "In progress")
    DONE = "done", pgettext_lazy("task", "Done")
    CANCELLED = "cancelled", pgettext_lazy("task", "Cancelled")


TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.DONE: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}


class IncidentTask(PublicCodeModel, VersionedModel):
    """Work asked of one agency for an incident. Its text carries no identity."""

    CODE_PREFIX = "TK"

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="tasks"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TaskKind.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = person_field(_("owner"))
    description = models.CharField(_("what is asked"), max_length=300)
    due_at = models.DateTimeField(_("due by"))
    status = status_field(TaskStatus, max_length=12)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = person_required_field(_("assigned by"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = person_field(_("completed by"))

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="task_agency_idx"),
            # The board's tasks, last changed first.
            models.Index(fields=["-updated_at", "-id"], name="task_recent_idx"),
            # The task list's active tasks, first due first.
            models.Index(
                fields=["due_at", "id"],
                name="task_active_due_idx",
                condition=models.Q(status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS]),
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CommunicationChannel(models.TextChoices):
    PHONE = "phone", _("Telephone")
    RADIO = "radio", _("Radio")
    EMAIL = "email", _("E-mail")
    MESSAGE = "message", _("Message")
    MEETING = "meeting", _("Meeting")
    SYSTEM = "system", _("Himaya")


class CommunicationLog(models.Model):
    """One communication about an incident, never edited (the text is encrypted)."""

    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.PROTECT,
        related_name="communications",
    )
    at = models.DateTimeField(_("at"))
    by = person_required_field(_("recorded by"))
    channel = models.CharField(_("channel"), max_length=10, choices=CommunicationChannel.choices)
    counterpart = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("with"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = EncryptedTextField(_("what was said"))

    class Meta:
        verbose_name = _("communication")
        verbose_name_plural = _("communications")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.at:%Y-%m-%d %H:%M}"


# --- situation report --------------------------------------------------------------------------


class SituationReport(models.Model):
    """The daily situation report of one day, as PDF in Arabic and in English."""

    day = models.DateField(_("day"), unique=True)
    pdf_ar = models.BinaryField(_("PDF in Arabic"))
    pdf_en = models.BinaryField(_("PDF in English"))
    created_at = models.DateTimeField(_("produced at"), auto_now_add=True)
    sent_to = models.PositiveIntegerField(_("sent to"), default=0)

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        ordering = ["-day"]

    def __str__(self) -> str:
        return str(self.day)


class ReportSubscription(models.Model):
    """A person who receives the daily situation report by e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("subscription to the situation report")
        verbose_name_plural = _("subscriptions to the situation report")

    def __str__(self) -> str:
        return str(self.user_id)
