"""Cases: a survivor's path from identification to closure, led by one agency."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency, Governorate
from himaya.core.models import PublicCodeModel, VersionedModel
from himaya.survivors.models import Survivor


class Phase(models.TextChoices):
    IDENTIFICATION = "identification", _("Identification")
    PROTECTION = "protection", _("Protection")
    ASSISTANCE = "assistance", _("Assistance")
    REINTEGRATION = "reintegration", _("Reintegration")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


# Allowed phase changes: from → the phases it may move to. Closing needs a reason.
TRANSITIONS: dict[str, frozenset[str]] = {
    Phase.IDENTIFICATION: frozenset({Phase.PROTECTION, Phase.ASSISTANCE, Phase.CLOSED}),
    Phase.PROTECTION: frozenset({Phase.ASSISTANCE, Phase.CLOSED}),
    Phase.ASSISTANCE: frozenset({Phase.PROTECTION, Phase.REINTEGRATION, Phase.CLOSED}),
    Phase.REINTEGRATION: frozenset({Phase.ASSISTANCE, Phase.FOLLOW_UP, Phase.CLOSED}),
    Phase.FOLLOW_UP: frozenset({Phase.REINTEGRATION, Phase.CLOSED}),
    Phase.CLOSED: frozenset(),
}


class Case(PublicCodeModel, VersionedModel):
    CODE_PREFIX = "CS"

    survivor = models.ForeignKey(
        Survivor, verbose_name=_("survivor"), on_delete=models.PROTECT, related_name="cases"
    )
    lead_agency = models.ForeignKey(
        Agency, verbose_name=_("lead agency"), on_delete=models.PROTECT, related_name="cases"
    )
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case worker"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    phase = models.CharField(
        _("phase"),
        max_length=20,
        choices=Phase.choices,
        default=Phase.IDENTIFICATION,
        db_index=True,
    )
    first_contact_on = models.DateField(_("first contact on"))
    identified_on = models.DateField(_("identified on"), null=True, blank=True)
    governorate_of_exploitation = models.ForeignKey(
        Governorate,
        verbose_name=_("governorate of exploitation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    country_of_exploitation = models.CharField(
        _("country of exploitation"), max_length=2, default="EG"
    )
    is_transnational = models.BooleanField(_("transnational"), default=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code


class CaseEvent(models.Model):
    """One line of a case's timeline. Written by ``cases.actions.record_case_event`` only.

    ``kind`` is a dotted code of the app and the event (``case.opened``,
    ``referral.accepted``, ``shelter.admitted``…); ``summary`` is short text for the
    people working on the case, never identifying data beyond the case itself.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events"
    )
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    kind = models.CharField(_("event"), max_length=64)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    object_code = models.CharField(_("record"), max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case.code} {self.kind}"
