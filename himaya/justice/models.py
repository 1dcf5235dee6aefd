"""Tables of the justice app: the criminal proceedings a survivor takes part in, their
court hearings, and the charges brought against the survivor (non-punishment).

The police report and prosecution references can identify a person: they are stored
encrypted like identity, and read only by the case's team and a partner the survivor
agreed to share the justice record with. Money is in Egyptian pounds, two places.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.core.fields import EncryptedTextField
from himaya.core.models import PublicCodeModel, VersionedModel
from himaya.justice import rules


class ProceedingStatus(models.TextChoices):
    REPORTED = rules.REPORTED, pgettext_lazy("proceeding status", "Reported")
    UNDER_INVESTIGATION = (
        rules.UNDER_INVESTIGATION,
        pgettext_lazy("proceeding status", "Under investigation"),
    )
    PROSECUTED = rules.PROSECUTED, pgettext_lazy("proceeding status", "Prosecuted")
    TRIED = rules.TRIED, pgettext_lazy("proceeding status", "Tried")
    CLOSED = rules.CLOSED, pgettext_lazy("proceeding status", "Closed")


# Allowed status changes: from → the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = rules.TRANSITIONS


class Outcome(models.TextChoices):
    PENDING = rules.PENDING, pgettext_lazy("proceeding outcome", "Pending")
    CONVICTION = "conviction", pgettext_lazy("proceeding outcome", "Conviction")
    ACQUITTAL = "acquittal", pgettext_lazy("proceeding outcome", "Acquittal")
    DISMISSED = "dismissed", pgettext_lazy("proceeding outcome", "Dismissed")
    WITHDRAWN = "withdrawn", pgettext_lazy("proceeding outcome", "Withdrawn")


class Offence(models.TextChoices):
    TRAFFICKING = "trafficking", _("Trafficking in persons")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour or services")
    ORGAN_REMOVAL = "organ_removal", _("Removal of organs")
    CHILD_EXPLOITATION = "child_exploitation", _("Exploitation of a child")
    MIGRANT_SMUGGLING = "migrant_smuggling", _("Smuggling of migrants")
    DOCUMENT_FORGERY = "document_forgery", _("Forgery of documents")
    OTHER = "other", pgettext_lazy("offence", "Other related offence")


class SurvivorRole(models.TextChoices):
    WITNESS = "witness", _("Witness")
    COMPLAINANT = "complainant", _("Complainant")
    CIVIL_PARTY = "civil_party", _("Civil party")
    NONE = "none", pgettext_lazy("survivor's role", "No role")


class ProtectionMeasure(models.TextChoices):
    IDENTITY_WITHHELD = "identity_withheld", _("Identity withheld in court")
    VIDEO_TESTIMONY = "video_testimony", _("Testimony by video")
    POLICE_PROTECTION = "police_protection", _("Police protection")
    SHELTER = "shelter", _("Shelter")
    RELOCATION = "relocation", _("Relocation")
    OTHER = "other", pgettext_lazy("protection measure", "Other")


class CriminalProceeding(PublicCodeModel, VersionedModel):
    """A criminal proceeding against the traffickers in which the survivor has a part."""

    CODE_PREFIX = "JP"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="proceedings"
    )
    police_report_ref = EncryptedTextField(_("police report reference"), blank=True)
    prosecution_ref = EncryptedTextField(_("prosecution case reference"), blank=True)
    court = models.CharField(_("court"), max_length=200, blank=True)
    offences = models.JSONField(_("offences"), default=list)
    survivor_role = models.CharField(
        _("survivor's role"), max_length=12, choices=SurvivorRole.choices
    )
    protection_measures = models.JSONField(_("protection measures granted"), default=list)
    protection_other = models.CharField(_("other protection measure"), max_length=200, blank=True)
    reported_on = models.DateField(_("reported on"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProceedingStatus.choices,
        default=ProceedingStatus.REPORTED,
        db_index=True,
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    compensation_claimed = models.DecimalField(
        _("compensation claimed (EGP)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    claimed_on = models.DateField(_("claimed on"), null=True, blank=True, db_index=True)
    compensation_received = models.DecimalField(
        _("compensation received (EGP)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    received_on = models.DateField(_("received on"), null=True, blank=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("criminal proceeding")
        verbose_name_plural = _("criminal proceedings")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ProceedingStatus]),
                name="proceeding_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=[o.value for o in Outcome]),
                name="proceeding_outcome_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(compensation_claimed__isnull=True)
                | models.Q(compensation_claimed__gte=0),
                name="proceeding_claimed_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(compensation_received__isnull=True)
                | models.Q(compensation_received__gte=0),
                name="proceeding_received_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(compensation_claimed__isnull=True, claimed_on__isnull=True)
                | models.Q(compensation_claimed__isnull=False, claimed_on__isnull=False),
                name="proceeding_claim_has_amount_and_date",
            ),
            models.CheckConstraint(
                condition=models.Q(compensation_received__isnull=True, received_on__isnull=True)
                | models.Q(compensation_received__isnull=False, received_on__isnull=False),
                name="proceeding_receipt_has_amount_and_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=rules.CLOSED) | ~models.Q(outcome=rules.PENDING),
                name="proceeding_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def allowed_targets(self) -> list[str]:
        return rules.allowed_targets(self.status)

    def offence_labels(self) -> list[str]:
        return [str(Offence(key).label) for key in self.offences if key in Offence.values]

    def measure_labels(self) -> list[str]:
        return [
            str(ProtectionMeasure(key).label)
            for key in self.protection_measures
            if key in ProtectionMeasure.values
        ]


class Hearing(PublicCodeModel, VersionedModel):
    """One court hearing of a proceeding, and the support the survivor had there."""

    CODE_PREFIX = "JH"

    proceeding = models.ForeignKey(
        CriminalProceeding,
        verbose_name=_("criminal proceeding"),
        on_delete=models.PROTECT,
        related_name="hearings",
    )
    held_on = models.DateField(_("date of the hearing"))
    court = models.CharField(_("court"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose of the hearing"), max_length=200)
    survivor_attended = models.BooleanField(_("the survivor attended"), default=False)
    support_provided = models.TextField(_("support provided"), blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("court hearing")
        verbose_name_plural = _("court hearings")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return self.code


class Charge(models.TextChoices):
    IRREGULAR_STAY = "irregular_stay", _("Irregular entry or stay")
    PROSTITUTION = "prostitution", _("Prostitution")
    THEFT = "theft", _("Forced criminality: theft")
    DRUGS = "drugs", _("Forced criminality: drugs")
    BEGGING = "begging", _("Forced criminality: begging")
    DOCUMENT_FRAUD = "document_fraud", _("Document fraud")
    OTHER = "other", pgettext_lazy("charge", "Other")


class ChargeResult(models.TextChoices):
    PENDING = rules.RESULT_PENDING, pgettext_lazy("charge result", "Pending")
    DROPPED = "dropped", pgettext_lazy("charge result", "Dropped")
    PENALTY_WAIVED = "penalty_waived", pgettext_lazy("charge result", "Penalty waived")
    REFUSED = rules.RESULT_REFUSED, pgettext_lazy("charge result", "Request refused")
    CONVICTED = rules.RESULT_CONVICTED, pgettext_lazy("charge result", "Convicted")


class ChargeAgainstSurvivor(PublicCodeModel, VersionedModel):
    """A charge brought against the survivor, and the request not to punish them for an
    offence they committed as a direct consequence of being trafficked."""

    CODE_PREFIX = "JC"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="charges_against_survivor",
    )
    charge = models.CharField(_("charge"), max_length=20, choices=Charge.choices)
    charge_other = models.CharField(_("other charge"), max_length=200, blank=True)
    authority = models.CharField(_("authority that brought the charge"), max_length=200)
    arising_from_trafficking = models.BooleanField(
        _("arising from being trafficked"), default=False
    )
    justification = models.TextField(_("why it arises from being trafficked"), blank=True)
    drop_requested_on = models.DateField(_("dropping requested on"), null=True, blank=True)
    drop_requested_to = models.CharField(_("dropping requested from"), max_length=200, blank=True)
    result = models.CharField(
        _("result"), max_length=16, choices=ChargeResult.choices, default=ChargeResult.PENDING
    )
    result_on = models.DateField(_("result on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("charge against the survivor")
        verbose_name_plural = _("charges against the survivor")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(result__in=[r.value for r in ChargeResult]),
                name="charge_result_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(result=rules.RESULT_PENDING) | models.Q(result_on__isnull=False),
                name="charge_result_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def charge_label(self) -> str:
        if self.charge == Charge.OTHER and self.charge_other:
            return self.charge_other
        return str(self.get_charge_display())
