"""Organisations, the governorates they sit in, and memberships that give users roles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaya.core.models import BilingualNamed, PublicCodeModel, VersionedModel


class Governorate(BilingualNamed):
    code = models.CharField(_("code"), max_length=8, unique=True)  # ISO 3166-2:EG
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("governorate")
        verbose_name_plural = _("governorates")


class AgencyKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    DIRECTORATE = "directorate", _("Ministry directorate")
    SHELTER = "shelter", _("Shelter")
    NGO = "ngo", _("Non-governmental organisation")
    POLICE = "police", _("Police")
    PROSECUTION = "prosecution", _("Public prosecution")
    HEALTH = "health", _("Health service")
    EMBASSY = "embassy", _("Embassy or consulate")
    INTERNATIONAL = "international", _("International organisation")
    COMMAND_CENTRE = "command_centre", _("Control and emergency centre")
    COMMITTEE = "committee", _("National coordinating committee")


class Agency(PublicCodeModel, BilingualNamed, VersionedModel):
    CODE_PREFIX = "AG"

    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    governorate = models.ForeignKey(
        Governorate,
        verbose_name=_("governorate"),
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    country = models.CharField(
        _("country represented"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166 country code, for embassies and consulates."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")


class Role(models.TextChoices):
    CASE_WORKER = "case_worker", _("Case worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    SHELTER_STAFF = "shelter_staff", _("Shelter staff")
    FUND_OFFICER = "fund_officer", _("Fund officer")
    FUND_APPROVER = "fund_approver", _("Fund approver")
    EMPOWERMENT_OFFICER = "empowerment_officer", _("Empowerment officer")
    GRANTS_OFFICER = "grants_officer", _("Grants officer")
    PARTNER_STAFF = "partner_staff", _("Partner agency staff")
    OPERATOR = "operator", _("Command-centre operator")
    ANALYST = "analyst", _("Analyst")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("System administrator")


class Membership(VersionedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role_in_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency.code}"
