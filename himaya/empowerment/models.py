"""Economic empowerment: programmes, enrolments, survivors' projects and their follow-up."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency, Governorate
from himaya.cases.models import Case, Phase
from himaya.core.models import BilingualNamed, PublicCodeModel, VersionedModel


class ProgrammeKind(models.TextChoices):
    CASH_TRANSFER = "cash_transfer", _("Cash transfer")
    LOAN = "loan", _("Loan")
    TRAINING = "training", _("Training")
    GRANT_IN_KIND = "grant_in_kind", _("Grant in kind")


class HouseholdRole(models.TextChoices):
    HEAD = "head", _("Head of household or breadwinner")
    SPOUSE = "spouse", _("Spouse of the head of household")
    CHILD = "child", _("Son or daughter of the household")
    OTHER = "other", _("Other member of the household")
    ALONE = "alone", _("Lives alone")


class Programme(BilingualNamed, VersionedModel):
    """A social-protection or empowerment programme survivors may be referred to.

    The eligibility rules are data: empty lists mean "any". Facts not verified at the
    source stay editable here (``facts_verified`` says which ones were).
    """

    slug = models.SlugField(_("short name"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgrammeKind.choices)
    operator_ar = models.CharField(_("run by (Arabic)"), max_length=200, blank=True)
    operator_en = models.CharField(_("run by (English)"), max_length=200, blank=True)
    managing_agency = models.ForeignKey(
        Agency,
        verbose_name=_("managing agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="empowerment_programmes",
        help_text=_("The agency whose empowerment officers decide on enrolments."),
    )
    allowed_sexes = models.JSONField(_("allowed sexes"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    household_roles = models.JSONField(_("household roles"), default=list, blank=True)
    requires_reintegration = models.BooleanField(
        _("case must be in reintegration or follow-up"), default=False
    )
    amount_min = models.DecimalField(
        _("smallest amount (EGP)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount_max = models.DecimalField(
        _("largest amount (EGP)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    facts_verified = models.BooleanField(_("facts verified at the source"), default=False)
    source = models.CharField(_("source"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_age__isnull=True)
                | models.Q(max_age__isnull=True)
                | models.Q(min_age__lte=models.F("max_age")),
                name="programme_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_min__isnull=True)
                | models.Q(amount_max__isnull=True)
                | models.Q(amount_min__lte=models.F("amount_max")),
                name="programme_amount_range_ordered",
            ),
        ]

    @property
    def allowed_sex_labels(self) -> list[str]:
        from himaya.survivors.models import Sex

        labels = dict(Sex.choices)
        return [str(labels.get(value, value)) for value in self.allowed_sexes or []]

    @property
    def household_role_labels(self) -> list[str]:
        labels = dict(HouseholdRole.choices)
        return [str(labels.get(value, value)) for value in self.household_roles or []]

    @property
    def operator(self) -> str:
        return self.operator_en if (get_language() or "ar").startswith("en") else self.operator_ar

    @property
    def description(self) -> str:
        en = (get_language() or "ar").startswith("en")
        return self.description_en if en else self.description_ar


class EnrolmentStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    ENROLLED = "enrolled", _("Enrolled")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    DECLINED = "declined", _("Declined")


# Allowed status changes: from → the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    EnrolmentStatus.REFERRED: frozenset({EnrolmentStatus.ENROLLED, EnrolmentStatus.DECLINED}),
    EnrolmentStatus.ENROLLED: frozenset({EnrolmentStatus.ACTIVE, EnrolmentStatus.DROPPED_OUT}),
    EnrolmentStatus.ACTIVE: frozenset({EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT}),
    EnrolmentStatus.COMPLETED: frozenset(),
    EnrolmentStatus.DROPPED_OUT: frozenset(),
    EnrolmentStatus.DECLINED: frozenset(),
}
OPEN_STATUSES = frozenset(
    {EnrolmentStatus.REFERRED, EnrolmentStatus.ENROLLED, EnrolmentStatus.ACTIVE}
)
# Enrolments that reached the programme (the denominator of training completion).
STARTED_STATUSES = frozenset(
    {
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.ACTIVE,
        EnrolmentStatus.COMPLETED,
        EnrolmentStatus.DROPPED_OUT,
    }
)


class Enrolment(PublicCodeModel, VersionedModel):
    """A survivor's referral to a programme and what became of it."""

    CODE_PREFIX = "EN"

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="enrolments"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="enrolments"
    )
    household_role = models.CharField(
        _("household role"), max_length=10, choices=HouseholdRole.choices
    )
    case_phase = models.CharField(_("case phase at referral"), max_length=20, choices=Phase.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.REFERRED,
        db_index=True,
    )
    referred_on = models.DateField(_("referred on"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        # The daily indicators read these records by day (see monitoring/indicators.py).
        indexes = [models.Index(fields=["decided_on"], name="enrolment_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=EnrolmentStatus.values),
                name="enrolment_status_known",
            ),
            models.UniqueConstraint(
                fields=["case", "programme"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="enrolment_one_open_per_case_and_programme",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=EnrolmentStatus.DECLINED) | ~models.Q(decline_reason=""),
                name="enrolment_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def allowed_statuses(self) -> list[str]:
        return [s for s in EnrolmentStatus.values if s in TRANSITIONS[self.status]]

    def allowed_moves(self) -> list[str]:
        """The statuses an officer may move the enrolment to; accepting and declining a
        referral are a decision, taken apart."""
        decisions = (EnrolmentStatus.ENROLLED, EnrolmentStatus.DECLINED)
        return [s for s in self.allowed_statuses() if s not in decisions]


class ActivityType(models.TextChoices):
    TRADE = "trade", _("Small shop or trade")
    LIVESTOCK = "livestock", _("Livestock or poultry")
    FOOD = "food", _("Food preparation")
    SEWING = "sewing", _("Sewing and handicrafts")
    SERVICES = "services", _("Services (hairdressing, repairs…)")
    AGRICULTURE = "agriculture", _("Agriculture")
    WAGE_JOB = "wage_job", _("Wage employment")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    STRUGGLING = "struggling", _("Struggling")
    CLOSED = "closed", _("Closed")


class Project(PublicCodeModel, VersionedModel):
    """The business or job that follows an enrolment, followed up by technical visits.

    ``status``, ``latest_income`` and ``closed_after_months`` repeat what the latest
    visit recorded, so that the outcome figures are plain aggregate queries.
    """

    CODE_PREFIX = "PJ"

    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="project"
    )
    activity_type = models.CharField(
        _("type of activity"), max_length=20, choices=ActivityType.choices
    )
    started_on = models.DateField(_("started on"))
    amount = models.DecimalField(
        _("loan or grant amount (EGP)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    governorate = models.ForeignKey(
        Governorate, verbose_name=_("governorate"), on_delete=models.PROTECT, related_name="+"
    )
    baseline_income = models.DecimalField(
        _("monthly income before the project (EGP)"), max_digits=12, decimal_places=2
    )
    status = models.CharField(
        _("project status"),
        max_length=20,
        choices=ProjectStatus.choices,
        default=ProjectStatus.ACTIVE,
    )
    latest_income = models.DecimalField(
        _("latest monthly income (EGP)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_after_months = models.PositiveSmallIntegerField(
        _("months open before closing"), null=True, blank=True
    )

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="project_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_income__gte=0), name="project_baseline_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False),
                name="project_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Visit(VersionedModel):
    """One technical follow-up visit of a project: planned, then done."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="visits"
    )
    number = models.PositiveSmallIntegerField(_("visit number"))
    due_on = models.DateField(_("due on"), db_index=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    project_status = models.CharField(
        _("project status"), max_length=20, choices=ProjectStatus.choices, blank=True
    )
    monthly_income = models.DecimalField(
        _("monthly income (EGP)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    problems = models.TextField(_("problems"), blank=True)
    support_given = models.TextField(_("support given"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="visit_unique_number"),
            models.CheckConstraint(
                condition=models.Q(done_on__isnull=True) | ~models.Q(project_status=""),
                name="visit_done_has_status",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_income__isnull=True) | models.Q(monthly_income__gte=0),
                name="visit_income_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} #{self.number}"
