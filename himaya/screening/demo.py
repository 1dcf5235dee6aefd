"""Demo screenings of the first demo survivors, one pattern of answers per outcome."""

from django.db import transaction
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Membership, Role
from himaya.screening.actions import child_rule_applies, record_screening
from himaya.screening.exceptions import ScreeningError
from himaya.screening.models import ConsentBy, IndicatorSet, Screening
from himaya.screening.selectors import newest_sets
from himaya.survivors.models import Survivor

SCREENED_SURVIVORS = 8

# Indicators answered "yes" (code without the set prefix); every other answer is "no",
# except a few left "unknown" to show that unknown counts as no.
PATTERNS: dict[str, list[str]] = {
    # Deceived about the job, excessive hours and no pay, documents confiscated and debt.
    "indicated": ["DR-S01", "DR-M01", "EX-S01", "EX-M01", "CD-S01", "CD-M01", "VR-M06"],
    # Deceived and exploited; one sign of coercion at destination only.
    "probable": ["DR-S01", "DR-M07", "EX-S01", "EX-M03", "CD-M01"],
    # Exploitative work without a recruitment means.
    "exploitation": ["EX-S01", "EX-M01", "EX-M03", "DR-M01"],
    # A few signs of vulnerability, nothing positive.
    "not_indicated": ["VR-M01", "VR-M06", "EX-M01"],
}
UNKNOWN: list[str] = ["CR-M01", "VD-M01"]
ORDER = ["indicated", "probable", "exploitation", "not_indicated"]
# For children the child rule applies: recruitment and exploitation suffice, so the
# "probable" pattern would read as trafficking; children cycle through the others.
CHILD_ORDER = ["indicated", "exploitation", "not_indicated"]


def answers_for(indicator_set: IndicatorSet, pattern: str) -> dict[str, str]:
    yes = {f"{indicator_set.code}-{suffix}" for suffix in PATTERNS[pattern]}
    unknown = {f"{indicator_set.code}-{suffix}" for suffix in UNKNOWN}
    answers = {}
    for code in indicator_set.indicators.values_list("code", flat=True):
        answers[code] = "yes" if code in yes else "unknown" if code in unknown else "no"
    return answers


def _screener(survivor: Survivor) -> User | None:
    membership = (
        Membership.objects.filter(
            agency=survivor.registered_by_agency,
            role__in=[Role.CASE_WORKER, Role.SUPERVISOR],
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("role", "user__username")
        .first()
    )
    return membership.user if membership else None


@transaction.atomic
def seed() -> str:
    survivors = list(Survivor.objects.order_by("created_at", "pk")[:SCREENED_SURVIVORS])
    if not survivors:
        return "no survivor to screen"
    sets: dict[bool, IndicatorSet] = {}
    for indicator_set in newest_sets():
        if indicator_set.exploitation == "labour":
            sets.setdefault(indicator_set.for_children, indicator_set)
    created = 0
    seen = {False: 0, True: 0}
    for survivor in survivors:
        if Screening.objects.filter(survivor=survivor).exists():
            continue
        screener = _screener(survivor)
        if screener is None:
            continue
        child = child_rule_applies(
            indicator_set=sets[False], survivor=survivor, on=timezone.localdate()
        )
        indicator_set = sets[child]
        order = CHILD_ORDER if child else ORDER
        pattern = order[seen[child] % len(order)]
        seen[child] += 1
        try:
            with transaction.atomic():
                record_screening(
                    by=screener,
                    survivor=survivor,
                    indicator_set=indicator_set,
                    answers=answers_for(indicator_set, pattern),
                    consent_by=ConsentBy.GUARDIAN if child else ConsentBy.PERSON,
                    child_assent=child,
                )
        except ScreeningError:
            continue  # the survivor's case is led elsewhere: screened there
        created += 1
    return f"{created} screenings created, {Screening.objects.count()} in all"
