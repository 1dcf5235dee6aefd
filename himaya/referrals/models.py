"""Referrals: one agency asks another to provide a service to a case's survivor.

A referral shares only the fields the referring case worker chose. The partner reads
them from the survivor's encrypted record at view time (the two referral notes are
encrypted on the referral itself); nothing identifying is copied in clear.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.agencies.models import Agency
from himaya.cases.models import Case
from himaya.core.fields import EncryptedTextField
from himaya.core.models import PublicCodeModel, VersionedModel
from himaya.referrals import rules
from himaya.services.models import ServiceType


class SharedField(models.TextChoices):
    """The fixed list of what a referral may share; the case worker picks among them."""

    FIRST_NAME = rules.FIRST_NAME, _("First name")
    FULL_NAME = rules.FULL_NAME, _("Full name")
    SEX = rules.SEX, _("Sex")
    AGE = rules.AGE, _("Age and year of birth")
    NATIONALITY = rules.NATIONALITY, _("Nationality")
    LANGUAGES = rules.LANGUAGES, _("Languages spoken")
    PHONE = rules.PHONE, _("Phone")
    DISABILITY = rules.DISABILITY, _("Disability")
    MEDICAL_NEEDS = rules.MEDICAL_NEEDS, _("Medical needs note")
    SAFETY_NOTE = rules.SAFETY_NOTE, _("Safety note")
    JUSTICE = rules.JUSTICE, _("Justice record (proceedings and charges)")


class Status(models.TextChoices):
    SENT = rules.SENT, pgettext_lazy("referral status", "Sent")
    ACCEPTED = rules.ACCEPTED, pgettext_lazy("referral status", "Accepted")
    DECLINED = rules.DECLINED, pgettext_lazy("referral status", "Declined")
    COMPLETED = rules.COMPLETED, pgettext_lazy("referral status", "Completed")
    CANCELLED = rules.CANCELLED, pgettext_lazy("referral status", "Cancelled")


class ConsentBasis(models.TextChoices):
    CONSENT = "consent", _("Survivor's consent on file")
    OVERRIDE = "override", _("Supervisor's override")


# Allowed status changes: from → the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = rules.TRANSITIONS
OPEN_STATUSES = rules.OPEN_STATUSES


def response_hours() -> int:
    """Hours the receiving agency has to answer a referral (setting, 48 by default)."""
    return int(getattr(settings, "HIMAYA_REFERRAL_RESPONSE_HOURS", 48))


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> "ReferralQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: datetime | None = None) -> "ReferralQuerySet":
        return self.filter(status=Status.SENT, respond_by__lt=now or timezone.now())


class Referral(PublicCodeModel, VersionedModel):
    CODE_PREFIX = "RF"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="referrals"
    )
    from_agency = models.ForeignKey(
        Agency,
        verbose_name=_("referring agency"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    to_agency = models.ForeignKey(
        Agency,
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    service_type = models.ForeignKey(
        ServiceType,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    shared_fields = models.JSONField(_("shared fields"), default=list, blank=True)
    # Notes written for the partner: encrypted, shared only when picked.
    medical_note = EncryptedTextField(_("medical needs note"), blank=True)
    safety_note = EncryptedTextField(_("safety note"), blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SENT, db_index=True
    )
    sent_at = models.DateTimeField(_("sent at"))
    respond_by = models.DateTimeField(_("answer expected by"), db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    consent_basis = models.CharField(
        _("basis for sharing"), max_length=10, choices=ConsentBasis.choices
    )
    override_reason = models.TextField(_("reason for the override"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("override by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome_note = models.TextField(_("outcome"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_agency=models.F("to_agency")),
                name="referral_to_another_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in Status]),
                name="referral_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(respond_by__gt=models.F("sent_at")),
                name="referral_deadline_after_sending",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_basis="consent")
                | (
                    models.Q(consent_basis="override")
                    & ~models.Q(override_reason="")
                    & models.Q(override_by__isnull=False)
                ),
                name="referral_override_has_reason_and_supervisor",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed")
                | (~models.Q(outcome_note="") & models.Q(completed_at__isnull=False)),
                name="referral_completed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | models.Q(cancelled_at__isnull=False),
                name="referral_cancelled_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["to_agency", "status"], name="referral_inbox_idx"),
            # The daily indicators read referrals by the day sent and the day answered.
            models.Index(fields=["sent_at"], name="referral_sent_idx"),
            models.Index(fields=["answered_at"], name="referral_answered_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return rules.is_overdue(status=self.status, respond_by=self.respond_by, now=timezone.now())

    @property
    def consent_purpose(self) -> str:
        return rules.consent_purpose_for(self.to_agency.kind)

    def allowed_statuses(self) -> list[str]:
        return [s for s in Status.values if s in TRANSITIONS[self.status]]

    def shared_field_labels(self) -> list[str]:
        return [
            str(SharedField(key).label) for key in self.shared_fields if key in SharedField.values
        ]
