"""Cases: a survivor's path from identification to closure, led by one agency."""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.agencies.models import Agency, Governorate
from himaya.audit.anchors import audit_key
from himaya.core.fields import EncryptedTextField
from himaya.core.models import BilingualNamed, PublicCodeModel, VersionedModel
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


class IdentificationChannel(models.TextChoices):
    POLICE = "police", _("Police")
    HOTLINE = "hotline", _("Hotline")
    NGO_OUTREACH = "ngo_outreach", _("NGO outreach")
    LABOUR_INSPECTION = "labour_inspection", _("Labour inspection")
    BORDER = "border", _("Border authorities")
    EMBASSY = "embassy", _("Embassy or consulate")
    SELF_REFERRAL = "self_referral", _("Self-referral")
    ONLINE = "online", _("Online report")


class RecruitmentChannel(models.TextChoices):
    SOCIAL_MEDIA = "social_media", _("Social media")
    MESSAGING_APP = "messaging_app", _("Messaging application")
    ONLINE_ADVERTISEMENT = "online_ad", _("Online advertisement")
    RECRUITMENT_WEBSITE = "recruitment_website", _("Recruitment website or agency online")
    IN_PERSON = "in_person", _("In person")
    FAMILY_ACQUAINTANCE = "family", _("Family member or acquaintance")
    UNKNOWN = "unknown", _("Not known")


class ClosureReason(models.TextChoices):
    REINTEGRATED = "reintegrated", _("Reintegrated")
    REPATRIATED = "repatriated", _("Repatriated")
    TRANSFERRED = "transferred", _("Transferred to another agency")
    DECLINED = "declined", _("Declined assistance")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    DECEASED = "deceased", _("Deceased")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class DeadlineKind(models.TextChoices):
    """What a case worker must do next, by a date."""

    REFERRAL_ANSWER = "referral_answer", _("Chase the referral answer")
    FOLLOW_UP_VISIT = "follow_up_visit", _("Follow-up visit")
    CARE_PLAN = "care_plan", _("Care plan")
    RISK_REVIEW = "risk_review", _("Risk review")
    SERVICE = "service", _("Planned service")
    IDENTIFICATION = "identification", _("Identification decision")


class IdentificationStatus(models.TextChoices):
    """The formal decision on whether the person is a victim of trafficking."""

    POSSIBLE = "possible", _("Possible victim (reasonable grounds)")
    IDENTIFIED = "identified", _("Identified victim (conclusive)")
    NOT_VICTIM = "not_victim", _("Not a victim")
    WITHDRAWN = "withdrawn", _("Decision withdrawn")


# Allowed identification decisions: from the current status ("" before any decision) →
# the statuses that may be recorded next.
IDENTIFICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    "": frozenset({IdentificationStatus.POSSIBLE, IdentificationStatus.NOT_VICTIM}),
    IdentificationStatus.POSSIBLE: frozenset(
        {
            IdentificationStatus.IDENTIFIED,
            IdentificationStatus.NOT_VICTIM,
            IdentificationStatus.WITHDRAWN,
        }
    ),
    IdentificationStatus.IDENTIFIED: frozenset({IdentificationStatus.WITHDRAWN}),
    IdentificationStatus.NOT_VICTIM: frozenset({IdentificationStatus.POSSIBLE}),
    IdentificationStatus.WITHDRAWN: frozenset({IdentificationStatus.POSSIBLE}),
}


class MeansOfControl(models.TextChoices):
    """CTDC's seventeen means of control (codebook v6), in its order."""

    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    TAKES_EARNINGS = "takes_earnings", _("Takes earnings")
    RESTRICTS_FINANCIAL_ACCESS = "restricts_financial_access", _("Restricts financial access")
    THREATS = "threats", _("Threats")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological abuse")
    PHYSICAL_ABUSE = "physical_abuse", _("Physical abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    FALSE_PROMISES = "false_promises", _("False promises")
    PSYCHOACTIVE_SUBSTANCES = "psychoactive_substances", _("Psychoactive substances")
    RESTRICTS_MOVEMENT = "restricts_movement", _("Restricts movement")
    RESTRICTS_MEDICAL_CARE = "restricts_medical_care", _("Restricts medical care")
    EXCESSIVE_WORKING_HOURS = "excessive_working_hours", _("Excessive working hours")
    USES_CHILDREN = "uses_children", _("Uses the person's children")
    THREAT_OF_LAW_ENFORCEMENT = "threat_of_law_enforcement", _("Threat of law enforcement")
    WITHHOLDS_NECESSITIES = "withholds_necessities", _("Withholds necessities")
    WITHHOLDS_DOCUMENTS = "withholds_documents", _("Withholds documents")
    OTHER = "other", _("Other means of control")


class LabourSector(models.TextChoices):
    """ISIC Rev.4 sections, as HTCDS's ``vic_ForcedLabourIndustry``."""

    A = "A", _("Agriculture, forestry and fishing")
    B = "B", _("Mining and quarrying")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, gas, steam and air conditioning supply")
    E = "E", _("Water supply, sewerage and waste management")
    F = "F", _("Construction")
    G = "G", _("Wholesale and retail trade")
    H = "H", _("Transportation and storage")
    I = "I", _("Accommodation and food service activities")  # noqa: E741
    J = "J", _("Information and communication")
    K = "K", _("Financial and insurance activities")
    L = "L", _("Real estate activities")
    M = "M", _("Professional, scientific and technical activities")
    N = "N", _("Administrative and support service activities")
    O = "O", _("Public administration and defence")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Human health and social work activities")
    R = "R", _("Arts, entertainment and recreation")
    S = "S", _("Other service activities")
    T = "T", _("Activities of households as employers (domestic work)")
    U = "U", _("Activities of extraterritorial organisations")


class RecruiterRelationship(models.TextChoices):
    FAMILY = "family", _("Family member or relative")
    INTIMATE_PARTNER = "intimate_partner", _("Intimate partner")
    FRIEND = "friend", _("Friend or acquaintance")
    EMPLOYER = "employer", _("Employer")
    OTHER = "other", _("Other (broker, agent, smuggler)")
    UNKNOWN = "unknown", _("Not known")


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
    # How and by whom the person was identified.
    identified_by = models.CharField(
        _("identified through"),
        max_length=20,
        choices=IdentificationChannel.choices,
        default=IdentificationChannel.NGO_OUTREACH,
    )
    identifying_agency = models.ForeignKey(
        Agency,
        verbose_name=_("identifying agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    exploitation_forms = models.ManyToManyField(
        "cases.ExploitationForm",
        verbose_name=_("forms of exploitation"),
        blank=True,
        related_name="cases",
    )
    recruitment_channel = models.CharField(
        _("recruitment channel"),
        max_length=20,
        choices=RecruitmentChannel.choices,
        default=RecruitmentChannel.UNKNOWN,
    )
    screening_code = models.CharField(_("screening reference"), max_length=20, blank=True)
    # The first day the case entered each phase (the indicators are computed from them).
    protection_started_on = models.DateField(_("protection started on"), null=True, blank=True)
    assistance_started_on = models.DateField(_("assistance started on"), null=True, blank=True)
    reintegration_started_on = models.DateField(
        _("reintegration started on"), null=True, blank=True
    )
    follow_up_started_on = models.DateField(_("follow-up started on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    # The worklist, kept by ``actions.refresh_worklist`` whenever a deadline, a risk
    # assessment, a care plan, the phase or the case worker changes (never edited by hand).
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    next_action = models.CharField(
        _("next action"), max_length=20, choices=DeadlineKind.choices, blank=True
    )
    next_due_on = models.DateField(_("next action due on"), null=True, blank=True)
    risk_level = models.CharField(
        _("current risk level"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    risk_rank = models.PositiveSmallIntegerField(_("risk rank"), default=0)
    new_until = models.DateField(_("new until"), null=True, blank=True)
    # The current identification decision, kept by ``actions.decide_identification`` (the
    # history is in ``IdentificationDecision``).
    identification_status = models.CharField(
        _("identification status"),
        max_length=12,
        choices=IdentificationStatus.choices,
        blank=True,
    )
    identification_decided_on = models.DateField(
        _("identification decided on"), null=True, blank=True
    )
    # Technology-facilitated trafficking: the platforms are in ``CasePlatform``.
    exploited_online = models.BooleanField(
        _("exploited online"),
        default=False,
        help_text=_(
            "Tick when the exploitation itself took place online (a webcam, a stream, "
            "online sales of the person's images), whatever the place of exploitation."
        ),
    )
    # Trafficking details: what the international standards (CTDC, HTCDS, UNODC) count.
    # Every one is optional; none identifies the person on its own.
    means_of_control = models.JSONField(
        _("means of control"),
        default=list,
        blank=True,
        help_text=_(
            "How the exploiters controlled the person (CTDC's list); answers of the "
            "screening propose some of them."
        ),
    )
    labour_sector = models.CharField(
        _("sector of forced labour"),
        max_length=1,
        choices=LabourSector.choices,
        blank=True,
        help_text=_("The economic sector of the forced labour (ISIC section), if any."),
    )
    recruiter_relationship = models.CharField(
        _("relationship to the recruiter"),
        max_length=20,
        choices=RecruiterRelationship.choices,
        blank=True,
        help_text=_("Who first recruited the person, as the person relates to them."),
    )
    was_abducted = models.BooleanField(
        _("abducted"),
        null=True,
        blank=True,
        help_text=_("Whether the person entered the situation by abduction; empty if unknown."),
    )
    age_at_recruitment = models.PositiveSmallIntegerField(
        _("age at recruitment"),
        null=True,
        blank=True,
        help_text=_("The person's age in years when recruited."),
    )
    age_at_exploitation = models.PositiveSmallIntegerField(
        _("age when the exploitation began"),
        null=True,
        blank=True,
        help_text=_("The person's age in years when the exploitation began."),
    )
    exploitation_months = models.PositiveSmallIntegerField(
        _("duration of exploitation (months)"),
        null=True,
        blank=True,
        help_text=_("How long the exploitation lasted, in whole months."),
    )
    place_of_recruitment = models.CharField(
        _("place of recruitment"),
        max_length=120,
        blank=True,
        help_text=_("The town or district where the person was recruited (never exported)."),
    )
    country_of_recruitment = models.CharField(
        _("country of recruitment"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166 country code."),
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            # The daily indicators read the cases closed by day.
            models.Index(fields=["closed_on"], name="case_closed_idx"),
            # The case list and its API: an agency's cases, newest first contact first, the
            # code breaking ties; pages are cut by position in this order, never counted.
            models.Index(
                fields=["lead_agency", "-first_contact_on", "-code"], name="case_list_order_idx"
            ),
            # A case worker's own open cases, oldest first contact first.
            models.Index(
                fields=["case_worker", "first_contact_on", "id"], name="case_worker_contact_idx"
            ),
            # The worklist: overdue, then by due date; by risk; what is new.
            models.Index(fields=["case_worker", "next_due_on", "id"], name="case_worker_due_idx"),
            models.Index(
                fields=["case_worker", "-risk_rank", "next_due_on", "id"],
                name="case_worker_risk_idx",
            ),
            models.Index(fields=["case_worker", "new_until", "id"], name="case_worker_new_idx"),
            models.Index(fields=["lead_agency", "next_due_on", "id"], name="case_agency_due_idx"),
            models.Index(
                fields=["lead_agency", "-risk_rank", "next_due_on", "id"],
                name="case_agency_risk_idx",
            ),
            models.Index(fields=["lead_agency", "new_until", "id"], name="case_agency_new_idx"),
            # Statistics and lists by identification status.
            models.Index(
                fields=["lead_agency", "identification_status", "identification_decided_on"],
                name="case_identification_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(phase="closed")
                | (models.Q(closed_on__isnull=False) & ~models.Q(closure_reason="")),
                name="case_closed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(identified_on__isnull=True)
                | models.Q(identified_on__gte=models.F("first_contact_on")),
                name="case_identified_after_first_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.CLOSED

    def allowed_phases(self) -> list[str]:
        return [p for p in Phase.values if p in TRANSITIONS[self.phase]]

    @property
    def phases_to_move_to(self) -> list[tuple[str, str]]:
        """The phases the case may move to directly (closing goes by a request)."""
        return [(p, str(Phase(p).label)) for p in self.allowed_phases() if p != Phase.CLOSED]

    @property
    def may_be_closed(self) -> bool:
        """Whether closure may be requested from the current phase."""
        return Phase.CLOSED in TRANSITIONS[self.phase]

    @property
    def pending_closure(self) -> "ClosureRequest | None":
        """The closure request waiting for a decision, if any (reads the prefetched list)."""
        return next((c for c in self.closure_requests.all() if c.is_pending), None)

    @property
    def care_plan_in_preparation(self) -> "CarePlan | None":
        """The care plan not yet approved, if any (reads the prefetched list)."""
        return next((p for p in self.care_plans.all() if not p.is_approved), None)


class ExploitationForm(BilingualNamed):
    """A form of exploitation (UNODC / CTDC categories), loaded from data/exploitation_forms.csv."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("broader form"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("form of exploitation")
        verbose_name_plural = _("forms of exploitation")


class PhaseChange(models.Model):
    """One move of a case from a phase to another, with its date (the indicators use it)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="phase_changes"
    )
    from_phase = models.CharField(_("from"), max_length=20, choices=Phase.choices, blank=True)
    to_phase = models.CharField(_("to"), max_length=20, choices=Phase.choices)
    changed_on = models.DateField(_("changed on"))
    changed_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["changed_on", "id"]
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_phase}→{self.to_phase}"


class RiskFactor(models.TextChoices):
    TRAFFICKER_CONTACT = "trafficker_contact", _("Traffickers know where the person is")
    THREATS = "threats", _("Threats to the person or the family")
    DEBT = "debt", _("Debt bondage")
    FAMILY_INVOLVED = "family_involved", _("Family involved in the exploitation")
    CHILD = "child", _("Child or age uncertain")
    HEALTH = "health", _("Urgent medical or mental health needs")
    NO_DOCUMENTS = "no_documents", _("No identity or travel documents")
    IRREGULAR_STATUS = "irregular_status", _("Irregular migration status")
    RE_TRAFFICKING = "re_trafficking", _("Risk of being trafficked again")
    WITNESS = "witness", _("Witness in criminal proceedings")


class RiskAssessment(PublicCodeModel, VersionedModel):
    CODE_PREFIX = "RA"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="risk_assessments"
    )
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    factors = models.JSONField(_("risk factors"), default=list, blank=True)
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self) -> str:
        return self.code

    def factor_labels(self) -> list[str]:
        labels = dict(RiskFactor.choices)
        return [str(labels.get(factor, factor)) for factor in self.factors]


class CarePlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")


CARE_PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    CarePlanStatus.DRAFT: frozenset({CarePlanStatus.SUBMITTED}),
    CarePlanStatus.SUBMITTED: frozenset({CarePlanStatus.APPROVED, CarePlanStatus.RETURNED}),
    CarePlanStatus.RETURNED: frozenset({CarePlanStatus.SUBMITTED}),
    CarePlanStatus.APPROVED: frozenset(),
}


class CarePlan(PublicCodeModel, VersionedModel):
    CODE_PREFIX = "CP"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="care_plans"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CarePlanStatus.choices, default=CarePlanStatus.DRAFT
    )
    summary = models.TextField(_("summary"), blank=True, max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(decided_by__isnull=False),
                name="care_plan_approved_has_decider",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("author")),
                name="care_plan_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_editable(self) -> bool:
        """A draft or returned plan can be changed; a submitted or approved one cannot."""
        return self.status in {CarePlanStatus.DRAFT, CarePlanStatus.RETURNED}

    @property
    def is_approved(self) -> bool:
        return self.status == CarePlanStatus.APPROVED

    @property
    def is_submitted(self) -> bool:
        return self.status == CarePlanStatus.SUBMITTED


class CarePlanGoal(PublicCodeModel, VersionedModel):
    CODE_PREFIX = "GL"

    care_plan = models.ForeignKey(
        CarePlan, verbose_name=_("care plan"), on_delete=models.PROTECT, related_name="goals"
    )
    description = models.CharField(_("goal"), max_length=300)
    target_on = models.DateField(_("target date"), null=True, blank=True)
    is_achieved = models.BooleanField(_("achieved"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("care plan goal")
        verbose_name_plural = _("care plan goals")

    def __str__(self) -> str:
        return self.description


class ClosureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ClosureRequest(PublicCodeModel, VersionedModel):
    CODE_PREFIX = "CR"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="closure_requests"
    )
    reason = models.CharField(_("closure reason"), max_length=20, choices=ClosureReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ClosureStatus.choices, default=ClosureStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("closure request")
        verbose_name_plural = _("closure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="closure_one_pending_per_case",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="closure_reason_required"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_pending(self) -> bool:
        """Waiting for a supervisor's decision."""
        return self.status == ClosureStatus.PENDING


class CaseDeadline(models.Model):
    """Something due on a case by a date, written by the app that owns it (a referral's
    answer, a follow-up visit…) through ``actions.set_case_deadline`` and
    ``actions.clear_case_deadline``; one open deadline per kind and source."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="deadlines"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DeadlineKind.choices)
    source_code = models.CharField(_("source"), max_length=20, blank=True)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("case deadline")
        verbose_name_plural = _("case deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "source_code"],
                condition=models.Q(done_at__isnull=True),
                name="deadline_one_open_per_source",
            )
        ]
        indexes = [models.Index(fields=["case", "done_at"], name="deadline_case_open_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.due_on}"


class IdentificationDecision(models.Model):
    """One formal identification decision on a case; the latest is the case's status."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="identification_decisions",
    )
    from_status = models.CharField(
        _("previous status"), max_length=12, choices=IdentificationStatus.choices, blank=True
    )
    status = models.CharField(_("status"), max_length=12, choices=IdentificationStatus.choices)
    decided_on = models.DateField(_("decided on"))
    deciding_agency = models.ForeignKey(
        Agency, verbose_name=_("deciding agency"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    grounds = models.TextField(_("grounds"), max_length=2000)
    screening_code = models.CharField(_("screening reference"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("identification decision")
        verbose_name_plural = _("identification decisions")
        # The daily indicators read these records by day (see monitoring/indicators.py).
        indexes = [models.Index(fields=["status", "decided_on"], name="decision_status_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in IdentificationStatus]),
                name="identification_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(grounds=""), name="identification_grounds_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status} {self.decided_on}"


# --- case notes ---------------------------------------------------------------------------

NOTE_SIGNATURE_CONTEXT = b"himaya.cases.note\x1f"


def note_signature(*, case_code: str, author_id: int, body: str, version: int) -> str:
    """HMAC-SHA256, under the audit key, of one text of a note and what it belongs to.

    The audit key lives in the environment, never in the database: a text rewritten in a
    copy of the database, or moved to another case, author or version, no longer verifies.
    """
    key = audit_key()
    if not key:
        raise ValueError("the audit key is empty")
    payload = json.dumps(
        [case_code, author_id, body, version], ensure_ascii=False, separators=(",", ":")
    )
    return hmac.new(
        key, NOTE_SIGNATURE_CONTEXT + payload.encode("utf-8"), hashlib.sha256
    ).hexdigest()


class CaseNote(PublicCodeModel, VersionedModel):
    """A note written on a case by a member of its team: seen only by the lead agency's
    case workers and supervisors, never printed or exported.

    The text is encrypted at rest and signed over (case code, author, text, version). A
    revision keeps the text it replaces in ``CaseNoteRevision``; no text is ever lost."""

    CODE_PREFIX = "CN"
    MAX_LENGTH = 5000

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    body = EncryptedTextField(_("note"))
    signature = models.CharField(_("signature"), max_length=64, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        indexes = [models.Index(fields=["case", "-created_at"], name="case_note_order_idx")]

    def __str__(self) -> str:
        return self.code

    @property
    def is_revised(self) -> bool:
        return self.version > 1

    def expected_signature(self) -> str:
        return note_signature(
            case_code=self.case.code,
            author_id=int(self.author_id),
            body=self.body,
            version=self.version,
        )

    def verify(self) -> bool:
        """Whether the stored text is the one signed for this case, author and version."""
        return hmac.compare_digest(self.expected_signature(), self.signature)


class CaseNoteRevision(models.Model):
    """An earlier text of a note, kept (encrypted and signed) when its author revised it."""

    note = models.ForeignKey(
        CaseNote, verbose_name=_("note"), on_delete=models.PROTECT, related_name="revisions"
    )
    version = models.PositiveIntegerField(_("version"))
    body = EncryptedTextField(_("note"))
    signature = models.CharField(_("signature"), max_length=64, editable=False)
    written_at = models.DateTimeField(_("written at"))
    replaced_at = models.DateTimeField(_("replaced at"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("earlier text of a note")
        verbose_name_plural = _("earlier texts of notes")
        constraints = [
            models.UniqueConstraint(fields=["note", "version"], name="case_note_revision_once"),
        ]

    def __str__(self) -> str:
        return f"{self.note_id} v{self.version}"

    def verify(self) -> bool:
        """Whether the kept text is the one signed for its note's case, author and version."""
        expected = note_signature(
            case_code=self.note.case.code,
            author_id=int(self.note.author_id),
            body=self.body,
            version=self.version,
        )
        return hmac.compare_digest(expected, self.signature)


# --- transfer of a case to another agency --------------------------------------------------


class TransferStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("case transfer", "Proposed")
    ACCEPTED = "accepted", pgettext_lazy("case transfer", "Accepted")
    REFUSED = "refused", pgettext_lazy("case transfer", "Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("case transfer", "Withdrawn")


# Allowed changes of a transfer's status: a proposal is decided once, then stays as it is.
TRANSFER_TRANSITIONS: dict[str, frozenset[str]] = {
    TransferStatus.PROPOSED: frozenset(
        {TransferStatus.ACCEPTED, TransferStatus.REFUSED, TransferStatus.WITHDRAWN}
    ),
    TransferStatus.ACCEPTED: frozenset(),
    TransferStatus.REFUSED: frozenset(),
    TransferStatus.WITHDRAWN: frozenset(),
}


class CaseTransfer(PublicCodeModel, VersionedModel):
    """The proposal to hand a case over to another agency (the survivor moved, or needs an
    agency elsewhere), on the survivor's consent; accepted, the case changes lead agency
    with all its history, and the sending agency keeps only this record's code, date,
    receiving agency and status."""

    CODE_PREFIX = "CT"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="transfers"
    )
    from_agency = models.ForeignKey(
        Agency, verbose_name=_("sending agency"), on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(
        Agency, verbose_name=_("receiving agency"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason for the transfer"), max_length=1000)
    consent = models.ForeignKey(
        "survivors.Consent",
        verbose_name=_("consent of the survivor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_on = models.DateField(_("proposed on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    refusal_reason = models.CharField(_("reason for refusing"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-proposed_on", "-id"]
        verbose_name = _("case transfer")
        verbose_name_plural = _("case transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="proposed"),
                name="transfer_one_proposed_per_case",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_agency=models.F("to_agency")),
                name="transfer_to_another_agency",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="transfer_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status="proposed")
                | (models.Q(decided_by__isnull=False) & models.Q(decided_on__isnull=False)),
                name="transfer_decided_has_decider",
            ),
        ]
        indexes = [
            # The receiving supervisors' inbox and the sending agency's trace.
            models.Index(fields=["to_agency", "status", "proposed_on"], name="transfer_inbox_idx"),
            models.Index(fields=["from_agency", "-proposed_on"], name="transfer_sent_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_proposed(self) -> bool:
        return self.status == TransferStatus.PROPOSED


# --- technology-facilitated trafficking ---------------------------------------------------


class PlatformKind(models.TextChoices):
    SOCIAL_MEDIA = "social_media", _("Social media")
    MESSAGING = "messaging", _("Messaging")
    JOB_SITE = "job_site", _("Job site")
    DATING = "dating", _("Dating")
    CLASSIFIEDS = "classifieds", _("Classified advertisements")
    GAMING = "gaming", _("Online gaming")
    STREAMING = "streaming", _("Streaming or webcam")
    OTHER = "other", _("Other")


class OnlinePlatform(BilingualNamed):
    """A website or application used by traffickers: configurable reference data, not a
    verified fact (the HTCDS keeps such a list, "Recruitment" and "Exploitation Websites
    and Apps", and adds platforms as needed). The starting list is loaded from
    ``data/online_platforms.csv``; a platform is added as a row and one no longer offered
    is deactivated, never deleted, so that the cases naming it keep it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PlatformKind.choices)
    htcds_value = models.CharField(
        _("HTCDS value"),
        max_length=40,
        blank=True,
        help_text=_("The matching value of the HTCDS list, for exchanges; empty when none."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("online platform")
        verbose_name_plural = _("online platforms")

    def __str__(self) -> str:
        return self.code


class PlatformRole(models.TextChoices):
    RECRUITMENT = "recruitment", _("Used to recruit")
    CONTROL = "control", _("Used to control")
    EXPLOITATION = "exploitation", _("Used to exploit")


class CasePlatform(models.Model):
    """An online platform used against the survivor in this case, in one role."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="platform_uses"
    )
    platform = models.ForeignKey(
        OnlinePlatform,
        verbose_name=_("online platform"),
        on_delete=models.PROTECT,
        related_name="case_uses",
    )
    role = models.CharField(_("used to"), max_length=20, choices=PlatformRole.choices)

    class Meta:
        ordering = ["role", "platform__order", "id"]
        verbose_name = _("platform used in a case")
        verbose_name_plural = _("platforms used in cases")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "role", "platform"], name="case_platform_once_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.role} {self.platform_id}"


class DigitalEvidence(PublicCodeModel):
    """Where a piece of digital evidence is kept (a screenshot held by the prosecution, a
    phone seized by the police): a reference only, never the content itself. The text may
    name accounts or handles, so it is encrypted like a case note."""

    CODE_PREFIX = "DE"
    MAX_LENGTH = 500

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="digital_evidence"
    )
    description = EncryptedTextField(_("what the evidence is"))
    reference = EncryptedTextField(_("where it is kept"))
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name = _("digital evidence reference")
        verbose_name_plural = _("digital evidence references")

    def __str__(self) -> str:
        return self.code
