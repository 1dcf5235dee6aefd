"""Writes of the screening app."""

from collections.abc import Mapping
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
from himaya.screening import rules
from himaya.screening.exceptions import ScreeningError
from himaya.screening.explain import explain_both
from himaya.screening.models import (
    OUTCOME_FOR_FINDING,
    Answer,
    IndicatorSet,
    Screening,
    ScreeningAnswer,
)
from himaya.screening.selectors import CAPABILITY, get_survivor_to_screen_or_404
from himaya.survivors.models import Survivor
from himaya.timeline.actions import record_case_event
from himaya.timeline.models import EventKind

# The most answers one screening carries: far more than any indicator set holds.
MAX_ANSWERS = 500
# Unknown indicator codes named in a refusal, at most.
MAX_CODES_SHOWN = 10


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


def child_rule_applies(*, indicator_set: IndicatorSet, survivor: Survivor, on: date) -> bool:
    """The children's set was chosen, or the survivor may be under 18 (by year of birth)."""
    return indicator_set.for_children or rules.may_be_child(
        birth_year=survivor.birth_year, year=on.year
    )


@transaction.atomic
def record_screening(
    *,
    by: User,
    survivor: Survivor,
    indicator_set: IndicatorSet,
    answers: Mapping[str, str],
) -> Screening:
    """Record a screening: answers in, outcome and explanation stored with the versions.

    ``answers`` maps indicator codes of the set to yes / no / unknown; an indicator left
    out is stored as unknown.
    """
    if not by.has_perm(CAPABILITY):
        raise Forbidden(_("You may not screen survivors."))
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
    child = child_rule_applies(indicator_set=indicator_set, survivor=survivor, on=today)
    decision = rules.decide(
        [indicator.as_rule_indicator() for indicator in indicators], answers, child=child
    )
    texts = {indicator.code: (indicator.text_en, indicator.text_ar) for indicator in indicators}
    explanation = explain_both(decision, texts)
    screening = Screening.objects.create(
        survivor=survivor,
        indicator_set=indicator_set,
        agency=screening_agency(by=by, survivor=survivor),
        screened_by=by,
        screened_on=today,
        child_rule=child,
        outcome=OUTCOME_FOR_FINDING[decision.finding],
        positive_dimensions=list(decision.positive_dimensions),
        rule_version=decision.rule_version,
        catalogue_version=indicator_set.catalogue.label,
        explanation_en=explanation["en"],
        explanation_ar=explanation["ar"],
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
