"""Ministry grants to NGOs: the phases they cover, tranches and the NGO's reports.

A tranche is released only once the report on the period funded by the previous tranche
is approved. Nothing here is ever deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency
from himaya.core.bounds import MAX_COUNT
from himaya.core.models import PublicCodeModel, Undeletable, VersionedModel


class GrantPhase(models.TextChoices):
    PREVENTION = "prevention", _("Prevention")
    PROTECTION = "protection", _("Protection")
    SERVICE_PROVISION = "service_provision", _("Service provision")
    REHABILITATION = "rehabilitation", _("Rehabilitation")


class Grant(Undeletable, PublicCodeModel, VersionedModel):
    CODE_PREFIX = "GR"

    ngo = models.ForeignKey(
        Agency,
        verbose_name=_("NGO"),
        on_delete=models.PROTECT,
        related_name="grants",
        limit_choices_to={"kind": "ngo"},
    )
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(_("amount (EGP)"), max_digits=14, decimal_places=2)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    phases = models.JSONField(_("phases covered"), default=list)
    services = models.TextField(_("services the NGO commits to deliver"), blank=True)
    service_types = models.ManyToManyField(
        "services.ServiceType",
        verbose_name=_("service types committed"),
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="grants_amount_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="grants_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def service_list(self) -> list[str]:
        return [line.strip() for line in self.services.splitlines() if line.strip()]

    def phase_labels(self) -> list[str]:
        return [str(GrantPhase(phase).label) for phase in self.phases]


class TrancheStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RELEASED = "released", _("Released")


TRANCHE_TRANSITIONS: dict[str, frozenset[str]] = {
    TrancheStatus.PENDING: frozenset({TrancheStatus.RELEASED}),
    TrancheStatus.RELEASED: frozenset(),
}


class Tranche(Undeletable, VersionedModel):
    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="tranches"
    )
    sequence = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (EGP)"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TrancheStatus.choices,
        default=TrancheStatus.PENDING,
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    released_on = models.DateField(_("released on"), null=True, blank=True)

    class Meta:
        ordering = ["grant_id", "sequence"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.UniqueConstraint(fields=["grant", "sequence"], name="grants_tranche_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="grants_tranche_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.grant.code} #{self.sequence}"

    @property
    def is_pending(self) -> bool:
        return TrancheStatus.RELEASED in TRANCHE_TRANSITIONS[self.status]

    @property
    def is_released(self) -> bool:
        return self.status == TrancheStatus.RELEASED


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")


REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.SUBMITTED: frozenset({ReportStatus.APPROVED, ReportStatus.RETURNED}),
    ReportStatus.RETURNED: frozenset({ReportStatus.SUBMITTED}),
    ReportStatus.APPROVED: frozenset(),
}


class GrantReport(Undeletable, PublicCodeModel, VersionedModel):
    """The NGO's report on the period funded by one tranche."""

    CODE_PREFIX = "RP"

    tranche = models.OneToOneField(
        Tranche, verbose_name=_("tranche"), on_delete=models.PROTECT, related_name="report"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    narrative = models.TextField(_("narrative"))
    people_served = models.PositiveIntegerField(_("people served"))
    services_delivered = models.PositiveIntegerField(_("services delivered"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.SUBMITTED,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_on = models.DateField(_("submitted on"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["tranche__grant_id", "tranche__sequence"]
        verbose_name = _("grant report")
        verbose_name_plural = _("grant reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(people_served__lte=MAX_COUNT) & Q(services_delivered__lte=MAX_COUNT),
                name="grant_report_counts_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def awaits_review(self) -> bool:
        return ReportStatus.APPROVED in REPORT_TRANSITIONS[self.status]

    @property
    def may_be_submitted_again(self) -> bool:
        return ReportStatus.SUBMITTED in REPORT_TRANSITIONS[self.status]
