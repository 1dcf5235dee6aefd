"""Organisations, the governorates they sit in, and memberships that give users roles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


class MembershipStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("membership", "Waiting for a second administrator")
    ACTIVE = "active", pgettext_lazy("membership", "Active")
    REJECTED = "rejected", pgettext_lazy("membership", "Rejected")
    INACTIVE = "inactive", pgettext_lazy("membership", "Deactivated")


class Membership(VersionedModel):
    """A role held by a user in an agency.

    Only ``is_active`` grants the role. Memberships are proposed, approved, rejected,
    deactivated, reactivated and given another role only through ``agencies/actions.py``,
    which keeps ``status`` and ``is_active`` together and writes each change to the audit
    trail; a membership can never be active while it waits for approval.
    """

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
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role_in_agency"
            ),
            models.CheckConstraint(
                condition=models.Q(is_active=False) | models.Q(status="active"),
                name="membership_active_only_when_status_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency.code}"
