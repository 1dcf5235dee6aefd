"""Screening: the trafficking indicator catalogue and the screenings made with it.

The catalogue is versioned: a ``CatalogueVersion`` holds indicator sets (adults or
children, labour or sexual exploitation), each set its indicators, each indicator a
dimension and a strength. A ``Screening`` records one answer per indicator of the chosen
set, the outcome computed by ``rules.py`` and the rule and catalogue versions it used.
Screenings are never edited: a new assessment is a new screening, so history stays as it
was decided.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency
from himaya.core.languages import language_name
from himaya.core.models import PublicCodeModel, TimeStampedModel
from himaya.screening import rules
from himaya.survivors.models import Sex, Survivor


class Dimension(models.TextChoices):
    DECEPTIVE_RECRUITMENT = rules.DECEPTIVE_RECRUITMENT, _("Deceptive recruitment")
    COERCIVE_RECRUITMENT = rules.COERCIVE_RECRUITMENT, _("Coercive recruitment")
    VULNERABILITY_RECRUITMENT = (
        rules.VULNERABILITY_RECRUITMENT,
        _("Recruitment by abuse of vulnerability"),
    )
    EXPLOITATION = rules.EXPLOITATION, _("Exploitative conditions")
    COERCION_DESTINATION = rules.COERCION_DESTINATION, _("Coercion at destination")
    VULNERABILITY_DESTINATION = (
        rules.VULNERABILITY_DESTINATION,
        _("Abuse of vulnerability at destination"),
    )


class Strength(models.TextChoices):
    STRONG = rules.STRONG, _("Strong")
    MEDIUM = rules.MEDIUM, _("Medium")
    WEAK = rules.WEAK, _("Weak")


class Answer(models.TextChoices):
    YES = rules.YES, _("Yes")
    NO = rules.NO, _("No")
    UNKNOWN = rules.UNKNOWN, _("Unknown")


class ExploitationKind(models.TextChoices):
    LABOUR = "labour", _("Labour exploitation")
    SEXUAL = "sexual", _("Sexual exploitation")


class Outcome(models.TextChoices):
    INDICATED = "indicated", _("Trafficking indicated (presumed victim)")
    PROBABLE = "probable", _("Trafficking probable")
    EXPLOITATION = "exploitation", _("Exploitation without trafficking")
    CHILD_PROTECTION = "child_protection", _("Child exploited: refer to child protection")
    NOT_INDICATED = "not_indicated", _("Trafficking not indicated")


# How a finding of the rule is shown and stored.
OUTCOME_FOR_FINDING: dict[rules.Finding, str] = {
    rules.Finding.TRAFFICKED: Outcome.INDICATED,
    rules.Finding.DECEIVED_AND_EXPLOITED: Outcome.PROBABLE,
    rules.Finding.EXPLOITED_NOT_TRAFFICKED: Outcome.EXPLOITATION,
    rules.Finding.NOT_INDICATED: Outcome.NOT_INDICATED,
}


def outcome_for(decision: rules.Decision) -> str:
    """The outcome stored for a decision: a child's exploitation is never a labour-rights
    case but a matter for child protection."""
    if decision.child_rule and decision.finding == rules.Finding.EXPLOITED_NOT_TRAFFICKED:
        return Outcome.CHILD_PROTECTION
    return OUTCOME_FOR_FINDING[decision.finding]


# Outcomes that offer to open a case.
CASE_OUTCOMES = frozenset({Outcome.INDICATED, Outcome.PROBABLE, Outcome.CHILD_PROTECTION})


class ConsentBy(models.TextChoices):
    """Who consented to the interview and the screening."""

    PERSON = "person", _("The person")
    GUARDIAN = "guardian", _("The guardian (for a child)")


class InterpreterProvider(models.TextChoices):
    """Who interpreted the interview, when an interpreter was needed."""

    AGENCY_STAFF = "agency_staff", _("Agency staff")
    EXTERNAL = "external", _("External interpreter")
    NONE_AVAILABLE = "none_available", _("None available")


# The sexes recorded for the interviewer and the interpreter (optional).
STAFF_SEXES = [(Sex.FEMALE.value, Sex.FEMALE.label), (Sex.MALE.value, Sex.MALE.label)]


# The editions of the catalogue in words; a label not named here is shown as stored.
CATALOGUE_NAMES = {
    "ilo-ec-2009": _("ILO and European Commission indicators (2009)"),
}


def catalogue_name(label: str) -> str:
    name = CATALOGUE_NAMES.get(label)
    return str(name) if name is not None else label


def rule_name(version: str) -> str:
    """``"ilo-ec-2009/1"`` → the catalogue's name and the number of the rule's version."""
    catalogue, _slash, number = version.partition("/")
    if not number or catalogue not in CATALOGUE_NAMES:
        return version
    return _("%(catalogue)s, version %(number)s") % {
        "catalogue": catalogue_name(catalogue),
        "number": number,
    }


class CatalogueVersion(TimeStampedModel):
    """One published edition of the indicator catalogue."""

    label = models.CharField(_("label"), max_length=40, unique=True)
    source = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label

    @property
    def name(self) -> str:
        return catalogue_name(self.label)


class IndicatorSet(TimeStampedModel):
    """The indicators for adults or children, for one form of exploitation."""

    catalogue = models.ForeignKey(
        CatalogueVersion,
        verbose_name=_("catalogue version"),
        on_delete=models.PROTECT,
        related_name="sets",
    )
    code = models.CharField(_("code"), max_length=20)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    for_children = models.BooleanField(_("for children"), default=False)
    exploitation = models.CharField(
        _("form of exploitation"),
        max_length=10,
        choices=ExploitationKind.choices,
        default=ExploitationKind.LABOUR,
    )
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_(
            "Some of its indicators or their weights are not verified against the ILO/EC "
            "brochure: outcomes with this set are indicative only."
        ),
    )

    class Meta:
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        ordering = ["catalogue_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="indicator_set_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.catalogue_id})"

    @property
    def name(self) -> str:
        english = (get_language() or "ar").startswith("en")
        return self.name_en if english or not self.name_ar else self.name_ar


class TraffickingIndicator(models.Model):
    """A sign in the ILO/EC catalogue, answered yes / no / unknown during a screening."""

    indicator_set = models.ForeignKey(
        IndicatorSet,
        verbose_name=_("indicator set"),
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    code = models.CharField(_("code"), max_length=30)
    key = models.CharField(_("key"), max_length=60)
    dimension = models.CharField(_("dimension"), max_length=2, choices=Dimension.choices)
    strength = models.CharField(_("strength"), max_length=6, choices=Strength.choices)
    text_en = models.CharField(_("text in English"), max_length=300)
    text_ar = models.CharField(_("text in Arabic"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    note = models.CharField(_("source note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    verified = models.BooleanField(
        _("verified"),
        default=True,
        help_text=_("Whether the text and the weight were checked against the published list."),
    )

    class Meta:
        verbose_name = _("trafficking indicator")
        verbose_name_plural = _("trafficking indicators")
        ordering = ["indicator_set_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "code"], name="trafficking_indicator_unique_code"
            ),
            models.CheckConstraint(
                condition=models.Q(strength__in=[s.value for s in Strength]),
                name="trafficking_indicator_strength_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(dimension__in=[d.value for d in Dimension]),
                name="trafficking_indicator_dimension_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return self.text_en if (get_language() or "ar").startswith("en") else self.text_ar

    def as_rule_indicator(self) -> rules.Indicator:
        return rules.Indicator(code=self.code, dimension=self.dimension, strength=self.strength)


class Screening(PublicCodeModel, TimeStampedModel):
    """One assessment of a survivor against an indicator set. Never edited afterwards."""

    CODE_PREFIX = "SC"

    survivor = models.ForeignKey(
        Survivor, verbose_name=_("survivor"), on_delete=models.PROTECT, related_name="screenings"
    )
    indicator_set = models.ForeignKey(
        IndicatorSet,
        verbose_name=_("indicator set"),
        on_delete=models.PROTECT,
        related_name="screenings",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("screening agency"),
        on_delete=models.PROTECT,
        related_name="screenings",
    )
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("screened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    screened_on = models.DateField(_("screened on"))
    child_rule = models.BooleanField(_("child rule applied"), default=False)
    age_at_recruitment = models.PositiveSmallIntegerField(
        _("age at recruitment"),
        null=True,
        blank=True,
        help_text=_(
            "The person's age when they were recruited, if known: it decides between the "
            "children's and the adults' indicators. Leave empty if not known."
        ),
    )
    recruited_on = models.DateField(
        _("recruited on"),
        null=True,
        blank=True,
        help_text=_(
            "The date of recruitment, if known: with the year of birth it gives the age "
            "at recruitment."
        ),
    )
    consent_by = models.CharField(
        _("consent to the interview given by"),
        max_length=10,
        choices=ConsentBy.choices,
        blank=True,
        help_text=_("Empty only for screenings recorded before consent was asked."),
    )
    child_assent = models.BooleanField(_("the child assented"), default=False)
    interpreter_needed = models.BooleanField(
        _("an interpreter was needed"),
        null=True,
        blank=True,
        help_text=_("Empty only for screenings recorded before interpretation was asked."),
    )
    interview_language = models.CharField(
        _("language of the interview"),
        max_length=8,
        blank=True,
        help_text=_("The language the person spoke in the interview."),
    )
    interpreter_provided_by = models.CharField(
        _("interpreter provided by"),
        max_length=20,
        choices=InterpreterProvider.choices,
        blank=True,
    )
    interpreter_sex = models.CharField(
        _("sex of the interpreter"), max_length=10, choices=STAFF_SEXES, blank=True
    )
    interviewer_sex = models.CharField(
        _("sex of the interviewer"), max_length=10, choices=STAFF_SEXES, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    positive_dimensions = models.JSONField(_("positive dimensions"), default=list)
    rule_version = models.CharField(_("rule version"), max_length=40)
    catalogue_version = models.CharField(_("catalogue version"), max_length=40)
    explanation_en = models.TextField(_("explanation in English"))
    explanation_ar = models.TextField(_("explanation in Arabic"))

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        # The daily indicators read these records by day (see monitoring/indicators.py).
        indexes = [models.Index(fields=["screened_on"], name="screening_day_idx")]
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=[o.value for o in Outcome]),
                name="screening_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(rule_version=""), name="screening_rule_version_set"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def catalogue_name(self) -> str:
        return catalogue_name(self.catalogue_version)

    @property
    def rule_name(self) -> str:
        return rule_name(self.rule_version)

    @property
    def explanation(self) -> str:
        english = (get_language() or "ar").startswith("en")
        return self.explanation_en if english else self.explanation_ar

    @property
    def offers_case(self) -> bool:
        return self.outcome in CASE_OUTCOMES

    @property
    def interview_language_name(self) -> str:
        return language_name(self.interview_language) if self.interview_language else ""

    @property
    def interpreter_missing(self) -> bool:
        """An interpreter was needed and none was available."""
        return bool(self.interpreter_needed) and (
            self.interpreter_provided_by == InterpreterProvider.NONE_AVAILABLE
        )


class ScreeningAnswer(models.Model):
    screening = models.ForeignKey(
        Screening, verbose_name=_("screening"), on_delete=models.CASCADE, related_name="answers"
    )
    indicator = models.ForeignKey(
        TraffickingIndicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="answers",
    )
    answer = models.CharField(
        _("answer"), max_length=8, choices=Answer.choices, default=Answer.UNKNOWN
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["indicator__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "indicator"], name="screening_answer_one_per_indicator"
            ),
            models.CheckConstraint(
                condition=models.Q(answer__in=[a.value for a in Answer]),
                name="screening_answer_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.screening_id}:{self.indicator_id}={self.answer}"
