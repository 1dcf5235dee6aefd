"""Tables of the returns app: the recovery and reflection period, the return plan with its
informed choice, risk assessments and travel, and the follow-up after return."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.agencies.models import Governorate
from himaya.cases.models import Case, RiskLevel
from himaya.core.fields import EncryptedTextField
from himaya.core.models import PublicCodeModel, VersionedModel


class ReflectionPeriod(PublicCodeModel, VersionedModel):
    """The survivor's recovery and reflection period on one case.

    ``ends_on`` is computed when the period is granted, from ``days`` (the setting
    ``HIMAYA_REFLECTION_DAYS``, whose legal value is configurable and not verified), and
    moves with each extension. No return is approved, and no travel date set, inside it.
    """

    CODE_PREFIX = "RL"

    case = models.OneToOneField(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="reflection_period",
    )
    starts_on = models.DateField(_("starts on"))
    days = models.PositiveSmallIntegerField(
        _("duration granted (days)"),
        help_text=_(
            "Taken from the setting HIMAYA_REFLECTION_DAYS (90 days unless configured). "
            "The legal duration is configurable and not verified."
        ),
    )
    ends_on = models.DateField(_("ends on"), db_index=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["ends_on", "id"]
        verbose_name = _("reflection period")
        verbose_name_plural = _("reflection periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="reflection_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ReflectionExtension(models.Model):
    """One extension of a reflection period, with its reason."""

    period = models.ForeignKey(
        ReflectionPeriod,
        verbose_name=_("reflection period"),
        on_delete=models.PROTECT,
        related_name="extensions",
    )
    days = models.PositiveSmallIntegerField(_("days added"))
    previous_ends_on = models.DateField(_("ended on before"))
    ends_on = models.DateField(_("ends on"))
    reason = models.CharField(_("reason"), max_length=500)
    granted_on = models.DateField(_("granted on"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["period", "id"]
        verbose_name = _("extension of a reflection period")
        verbose_name_plural = _("extensions of reflection periods")
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="reflection_ext_reason"),
            models.CheckConstraint(condition=models.Q(days__gte=1), name="reflection_ext_days"),
        ]

    def __str__(self) -> str:
        return f"{self.period.code} +{self.days}"


class ReturnStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("return", "Planned")
    APPROVED = "approved", pgettext_lazy("return", "Approved")
    TRAVELLED = "travelled", pgettext_lazy("return", "Travelled")
    COMPLETED = "completed", pgettext_lazy("return", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("return", "Cancelled")


# Allowed status changes: from → the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    ReturnStatus.PLANNED: frozenset({ReturnStatus.APPROVED, ReturnStatus.CANCELLED}),
    ReturnStatus.APPROVED: frozenset({ReturnStatus.TRAVELLED, ReturnStatus.CANCELLED}),
    ReturnStatus.TRAVELLED: frozenset({ReturnStatus.COMPLETED}),
    ReturnStatus.COMPLETED: frozenset(),
    ReturnStatus.CANCELLED: frozenset(),
}
IN_PROGRESS = frozenset({ReturnStatus.PLANNED, ReturnStatus.APPROVED, ReturnStatus.TRAVELLED})


class ReturnPlan(PublicCodeModel, VersionedModel):
    """The survivor's return to a country, or to a governorate of origin, and its follow-up."""

    CODE_PREFIX = "RT"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="return_plans"
    )
    status = models.CharField(
        pgettext_lazy("state of a record", "status"),
        max_length=10,
        choices=ReturnStatus.choices,
        default=ReturnStatus.PLANNED,
        db_index=True,
    )
    destination_country = models.CharField(
        _("country of return"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166 country code; leave empty for a return within Egypt."),
    )
    destination_governorate = models.ForeignKey(
        Governorate,
        verbose_name=_("governorate of return"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The survivor's informed choice.
    choice_recorded_on = models.DateField(_("choice recorded on"), null=True, blank=True)
    choice_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("choice recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    options_explained = models.TextField(_("options explained"), blank=True)
    chose_return = models.BooleanField(_("chose to return"), null=True, blank=True)
    choice_note = models.CharField(_("note on the choice"), max_length=500, blank=True)
    # The organisation that receives the survivor.
    receiving_organisation = models.CharField(
        _("receiving organisation"), max_length=200, blank=True
    )
    receiving_country = models.CharField(_("country of the organisation"), max_length=2, blank=True)
    receiving_contact = EncryptedTextField(_("contact at the organisation"), blank=True)
    # Travel.
    travel_planned_on = models.DateField(_("planned travel date"), null=True, blank=True)
    travel_documents_ready = models.BooleanField(_("travel documents ready"), default=False)
    escorted = models.BooleanField(_("escorted"), default=False)
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("return plan")
        verbose_name_plural = _("return plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReturnStatus.values), name="return_status_known"
            ),
            models.CheckConstraint(
                condition=(
                    ~models.Q(destination_country="")
                    & models.Q(destination_governorate__isnull=True)
                )
                | (
                    models.Q(destination_country="")
                    & models.Q(destination_governorate__isnull=False)
                ),
                name="return_one_destination",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=~models.Q(status="cancelled"),
                name="return_one_plan_per_case",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancel_reason=""),
                name="return_cancelled_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_in_progress(self) -> bool:
        return self.status in IN_PROGRESS


class AssessmentPlace(models.TextChoices):
    EGYPT = "egypt", _("In Egypt, before departure")
    DESTINATION = "destination", _("At the place of return")


class ReturnRiskAssessment(VersionedModel):
    """A pre-return risk assessment, one in Egypt and one at the place of return."""

    plan = models.ForeignKey(
        ReturnPlan,
        verbose_name=_("return plan"),
        on_delete=models.PROTECT,
        related_name="risk_assessments",
    )
    place = models.CharField(_("where"), max_length=12, choices=AssessmentPlace.choices)
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    factors = models.TextField(_("risk factors"), blank=True)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["plan", "place"]
        verbose_name = _("pre-return risk assessment")
        verbose_name_plural = _("pre-return risk assessments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "place"], name="return_risk_one_per_place"),
        ]


class FollowUpMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video call")
    PARTNER = "partner", _("Through the receiving organisation")


class FollowUpOutcome(models.TextChoices):
    WELL = "well", _("Reintegrating well")
    DIFFICULTIES = "difficulties", _("Some difficulties")
    AT_RISK = "at_risk", _("At risk")
    RE_TRAFFICKED = "re_trafficked", _("Re-trafficked")
    LOST_CONTACT = "lost_contact", _("Contact lost")


class ReturnFollowUp(VersionedModel):
    """A contact with the survivor after return, due some months after arrival."""

    plan = models.ForeignKey(
        ReturnPlan,
        verbose_name=_("return plan"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    months = models.PositiveSmallIntegerField(_("months after arrival"))
    due_on = models.DateField(_("due on"), db_index=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    method = models.CharField(
        pgettext_lazy("contact after return", "method"),
        max_length=10,
        choices=FollowUpMethod.choices,
        blank=True,
    )
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=FollowUpOutcome.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["plan", "months"]
        verbose_name = _("follow-up after return")
        verbose_name_plural = _("follow-ups after return")
        constraints = [
            models.UniqueConstraint(fields=["plan", "months"], name="return_follow_up_unique"),
            models.CheckConstraint(
                condition=models.Q(done_on__isnull=True)
                | (~models.Q(method="") & ~models.Q(outcome="")),
                name="return_follow_up_done_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} +{self.months}"
