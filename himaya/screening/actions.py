"""Writes of the screening app."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.audit.actions import record_event
from himaya.cases.models import Phase
from himaya.cases.selectors import cases_visible_to
from himaya.core.errors import Forbidden
from himaya.core.languages import LANGUAGES
from himaya.screening import rules
from himaya.screening.exceptions import ScreeningError
from himaya.screening.explain import explain_both
from himaya.screening.models import (
    STAFF_SEXES,
    Answer,
    ConsentBy,
    IndicatorSet,
    InterpreterProvider,
    Screening,
    ScreeningAnswer,
    outcome_for,
)
from himaya.screening.selectors import CAPABILITY, get_survivor_to_screen_or_404
from himaya.survivors.models import Survivor
from himaya.survivors.selectors import assessed_adult
from himaya.timeline.actions import record_case_event
from himaya.timeline.models import EventKind

# The most answers one screening carries: far more than any indicator set holds.
MAX_ANSWERS = 500
# Unknown indicator codes named in a refusal, at most.
MAX_CODES_SHOWN = 10
# The highest age at recruitment accepted.
MAX_AGE = 120


def screening_agency(*, by: User, survivor: Survivor) -> Agency:
    """The agency on whose behalf ``by`` screens: the survivor's registering agency when
    they work there, otherwise their first agency as case worker or supervisor."""
    agencies = agency_ids_for(by, Role.CASE_WORKER, Role.SUPERVISOR)
    if survivor.registered_by_agency_id in agencies:
        return survivor.registered_by_agency
    agency = Agency.objects.filter(pk__in=agencies).order_by("name_en", "pk").first()
    if agency is None:
        raise ScreeningError(_("You are not a case worker or supervisor of any agency."))
    return agency


def child_rule_applies(
    *,
    indicator_set: IndicatorSet,
    survivor: Survivor,
    on: date,
    age_at_recruitment: int | None = None,
    recruited_on: date | None = None,
) -> bool:
    """The children's set was chosen, or the person was a child when recruited (by the age
    at recruitment when known, otherwise presumed a child while the age is unknown)."""
    return indicator_set.for_children or rules.child_at_recruitment(
        birth_year=survivor.birth_year,
        age_at_recruitment=age_at_recruitment,
        recruited_on=recruited_on,
        today=on,
        assessed_adult=assessed_adult(survivor, on=on),
    )


def check_consent(*, consent_by: str, child_assent: bool) -> None:
    """Refuse a screening without consent to the interview, or a guardian's consent
    without the child's own assent."""
    if consent_by not in ConsentBy.values:
        raise ScreeningError(
            _(
                "Record who consented to the interview and the screening (the person, or "
                "the guardian for a child) before the questionnaire."
            ),
            field="consent_by",
        )
    if consent_by == ConsentBy.GUARDIAN and not child_assent:
        raise ScreeningError(
            _("With a guardian's consent, the child's own assent is needed too."),
            field="child_assent",
        )


@dataclass(frozen=True)
class Interpretation:
    """How the interview was interpreted: whether an interpreter was needed (``None``: not
    recorded), the language of the interview, who interpreted, and the sexes of the
    interpreter and of the interviewer (optional)."""

    needed: bool | None = None
    language: str = ""
    provided_by: str = ""
    interpreter_sex: str = ""
    interviewer_sex: str = ""


def check_interpretation(interpretation: Interpretation) -> None:
    """Refuse an interpretation that does not hold together."""
    sexes = {value for value, _label in STAFF_SEXES}
    if interpretation.language and interpretation.language not in dict(LANGUAGES):
        raise ScreeningError(_("Choose a language from the list."), field="interview_language")
    for field, value in (
        ("interpreter_sex", interpretation.interpreter_sex),
        ("interviewer_sex", interpretation.interviewer_sex),
    ):
        if value and value not in sexes:
            raise ScreeningError(_("Choose female or male, or leave it empty."), field=field)
    if interpretation.provided_by and interpretation.provided_by not in InterpreterProvider.values:
        raise ScreeningError(
            _("Choose who provided the interpreter from the list."),
            field="interpreter_provided_by",
        )
    if interpretation.needed:
        if not interpretation.language:
            raise ScreeningError(
                _("Record the language the person needed an interpreter for."),
                field="interview_language",
            )
        if not interpretation.provided_by:
            raise ScreeningError(
                _("Record who provided the interpreter, or that none was available."),
                field="interpreter_provided_by",
            )
    elif interpretation.provided_by:
        raise ScreeningError(
            _("An interpreter is recorded only when one was needed."),
            field="interpreter_provided_by",
        )
    no_interpreter = interpretation.provided_by in ("", InterpreterProvider.NONE_AVAILABLE)
    if interpretation.interpreter_sex and no_interpreter:
        raise ScreeningError(
            _("The interpreter's sex is recorded only when an interpreter took part."),
            field="interpreter_sex",
        )


@transaction.atomic
def record_screening(
    *,
    by: User,
    survivor: Survivor,
    indicator_set: IndicatorSet,
    answers: Mapping[str, str],
    consent_by: str,
    child_assent: bool = False,
    age_at_recruitment: int | None = None,
    recruited_on: date | None = None,
    interpretation: Interpretation | None = None,
) -> Screening:
    """Record a screening: answers in, outcome and explanation stored with the versions.

    ``answers`` maps indicator codes of the set to yes / no / unknown; an indicator left
    out is stored as unknown. ``consent_by`` says who consented to the interview (the
    person, or the guardian with ``child_assent``); the age at recruitment or the date of
    recruitment, when known, chooses the child rule. ``interpretation`` says how the
    interview was interpreted.
    """
    if not by.has_perm(CAPABILITY):
        raise Forbidden(_("You may not screen survivors."))
    check_consent(consent_by=consent_by, child_assent=child_assent)
    interpretation = interpretation or Interpretation()
    check_interpretation(interpretation)
    try:
        survivor = get_survivor_to_screen_or_404(by, survivor.code)
    except Http404:
        raise ScreeningError(_("This survivor is not within your agency's scope.")) from None
    if len(answers) > MAX_ANSWERS:
        raise ScreeningError(
            _("A screening answers at most %(count)s indicators.") % {"count": MAX_ANSWERS}
        )
    indicators = list(indicator_set.indicators.order_by("position", "id"))
    known = {indicator.code for indicator in indicators}
    unknown_codes = sorted(set(answers) - known)
    if unknown_codes:
        raise ScreeningError(
            _("These indicators are not in the chosen set: %(codes)s.")
            % {"codes": ", ".join(code[:30] for code in unknown_codes[:MAX_CODES_SHOWN])}
        )
    valid = {a.value for a in Answer}
    if any(value not in valid for value in answers.values()):
        raise ScreeningError(_("Every answer must be yes, no or unknown."))
    today = timezone.localdate()
    if age_at_recruitment is not None and not 0 <= age_at_recruitment <= MAX_AGE:
        raise ScreeningError(
            _("The age at recruitment must be between 0 and %(max)s.") % {"max": MAX_AGE},
            field="age_at_recruitment",
        )
    if recruited_on is not None and recruited_on > today:
        raise ScreeningError(
            _("The date of recruitment cannot be in the future."), field="recruited_on"
        )
    child = child_rule_applies(
        indicator_set=indicator_set,
        survivor=survivor,
        on=today,
        age_at_recruitment=age_at_recruitment,
        recruited_on=recruited_on,
    )
    decision = rules.decide(
        [indicator.as_rule_indicator() for indicator in indicators], answers, child=child
    )
    texts = {indicator.code: (indicator.text_en, indicator.text_ar) for indicator in indicators}
    explanation = explain_both(decision, texts, provisional=indicator_set.provisional)
    screening = Screening.objects.create(
        survivor=survivor,
        indicator_set=indicator_set,
        agency=screening_agency(by=by, survivor=survivor),
        screened_by=by,
        screened_on=today,
        child_rule=child,
        outcome=outcome_for(decision),
        positive_dimensions=list(decision.positive_dimensions),
        rule_version=decision.rule_version,
        catalogue_version=indicator_set.catalogue.label,
        explanation_en=explanation["en"],
        explanation_ar=explanation["ar"],
        age_at_recruitment=age_at_recruitment,
        recruited_on=recruited_on,
        consent_by=consent_by,
        child_assent=child_assent,
        interpreter_needed=interpretation.needed,
        interview_language=interpretation.language,
        interpreter_provided_by=interpretation.provided_by,
        interpreter_sex=interpretation.interpreter_sex,
        interviewer_sex=interpretation.interviewer_sex,
    )
    ScreeningAnswer.objects.bulk_create(
        ScreeningAnswer(
            screening=screening,
            indicator=indicator,
            answer=answers.get(indicator.code, Answer.UNKNOWN),
        )
        for indicator in indicators
    )
    record_event(
        action="screening.recorded",
        actor=by,
        obj=screening,
        purpose="identification",
        details={
            "survivor": survivor.code,
            "indicator_set": indicator_set.code,
            "catalogue_version": screening.catalogue_version,
            "rule_version": screening.rule_version,
            "outcome": screening.outcome,
            "positive_dimensions": screening.positive_dimensions,
            "child_rule": child,
            "consent_by": consent_by,
            "child_assent": child_assent,
            "provisional_set": indicator_set.provisional,
            "interpreter_needed": interpretation.needed,
            "interpreter_provided_by": interpretation.provided_by,
        },
    )
    open_cases = cases_visible_to(by).filter(survivor=survivor).exclude(phase=Phase.CLOSED)
    for case in open_cases:
        record_case_event(
            case=case,
            kind=EventKind.SCREENING_RECORDED,
            by=by,
            summary=lambda: f"{screening.code}: {screening.outcome} ({screening.rule_version})",
            object_code=screening.code,
        )
    return screening
