"""The screening decision: pure functions, no database.

The ILO / European Commission operational indicators (2009) grade every indicator strong,
medium or weak and group them in six dimensions. A dimension is *positive* when the
indicators answered "yes" in it reach one of the thresholds below; the dimensions then
combine into an outcome. Everything that decides lives here, as data: changing a threshold
means changing ``RULE_VERSION`` too, and screenings already stored keep the version (and
the outcome) they were computed with.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from himaya.survivors.rules import is_presumed_child

RULE_VERSION = "ilo-ec-2009/2"

STRONG, MEDIUM, WEAK = "strong", "medium", "weak"
YES, NO, UNKNOWN = "yes", "no", "unknown"

# The six dimensions, in the order of the Palermo Protocol definition.
DECEPTIVE_RECRUITMENT = "DR"
COERCIVE_RECRUITMENT = "CR"
VULNERABILITY_RECRUITMENT = "VR"
EXPLOITATION = "EX"
COERCION_DESTINATION = "CD"
VULNERABILITY_DESTINATION = "VD"
DIMENSIONS = ("DR", "CR", "VR", "EX", "CD", "VD")
RECRUITMENT_DIMENSIONS = frozenset({"DR", "CR", "VR"})
DESTINATION_DIMENSIONS = frozenset({"CD", "VD"})

ADULT_AGE = 18

# The forms of exploitation an indicator set is made for; one person may be screened
# against the sets of both.
LABOUR, SEXUAL = "labour", "sexual"
EXPLOITATIONS = (LABOUR, SEXUAL)


@dataclass(frozen=True)
class Threshold:
    """At least ``strong`` strong, ``medium`` medium and ``weak`` weak "yes" answers, plus
    ``medium_or_weak`` more answers that are medium or weak."""

    strong: int = 0
    medium: int = 0
    weak: int = 0
    medium_or_weak: int = 0

    def met_by(self, strong: int, medium: int, weak: int) -> bool:
        if strong < self.strong or medium < self.medium or weak < self.weak:
            return False
        return (medium - self.medium) + (weak - self.weak) >= self.medium_or_weak


# A dimension is positive when any one of these is met (weak answers alone never are).
POSITIVE_WHEN: tuple[Threshold, ...] = (
    Threshold(strong=2),
    Threshold(strong=1, medium_or_weak=1),
    Threshold(medium=3),
    Threshold(medium=2, weak=1),
)


class Finding(IntEnum):
    """What the positive dimensions amount to, from least to most serious."""

    NOT_INDICATED = 0  # no exploitation dimension positive
    EXPLOITED_NOT_TRAFFICKED = 1  # exploitation without a recruitment means
    DECEIVED_AND_EXPLOITED = 2  # adult: recruitment means and exploitation, no means at destination
    TRAFFICKED = (
        3  # adult: recruitment, exploitation and destination; child: recruitment + exploitation
    )


@dataclass(frozen=True)
class Indicator:
    """What the rule needs to know of an indicator."""

    code: str
    dimension: str
    strength: str


@dataclass(frozen=True)
class DimensionResult:
    dimension: str
    strong: int
    medium: int
    weak: int
    positive: bool
    indicators: tuple[str, ...]  # codes of the indicators answered "yes"


@dataclass(frozen=True)
class Decision:
    finding: Finding
    child_rule: bool
    dimensions: tuple[DimensionResult, ...]
    rule_version: str

    @property
    def positive_dimensions(self) -> tuple[str, ...]:
        return tuple(d.dimension for d in self.dimensions if d.positive)


def dimension_positive(strong: int, medium: int, weak: int) -> bool:
    """Whether a dimension with these counts of "yes" answers is positive."""
    return any(threshold.met_by(strong, medium, weak) for threshold in POSITIVE_WHEN)


def combine(positive: Iterable[str], *, child: bool) -> Finding:
    """The finding for a set of positive dimensions.

    Adults: (DR or CR or VR) and EX and (CD or VD). Children (Palermo Protocol art. 3(c)):
    means are not required, so any recruitment dimension and EX suffice.
    """
    dims = frozenset(positive)
    recruitment = bool(dims & RECRUITMENT_DIMENSIONS)
    exploitation = EXPLOITATION in dims
    destination = bool(dims & DESTINATION_DIMENSIONS)
    if not exploitation:
        return Finding.NOT_INDICATED
    if not recruitment:
        return Finding.EXPLOITED_NOT_TRAFFICKED
    if child or destination:
        return Finding.TRAFFICKED
    return Finding.DECEIVED_AND_EXPLOITED


def decide(indicators: Iterable[Indicator], answers: Mapping[str, str], *, child: bool) -> Decision:
    """Apply the rule to the answers (indicator code → yes / no / unknown).

    Only "yes" counts; "no", "unknown" and a missing answer count alike, as no.
    """
    counts: dict[str, dict[str, int]] = {d: {STRONG: 0, MEDIUM: 0, WEAK: 0} for d in DIMENSIONS}
    found: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
    for indicator in indicators:
        if answers.get(indicator.code) != YES:
            continue
        counts[indicator.dimension][indicator.strength] += 1
        found[indicator.dimension].append(indicator.code)
    results = tuple(
        DimensionResult(
            dimension=d,
            strong=counts[d][STRONG],
            medium=counts[d][MEDIUM],
            weak=counts[d][WEAK],
            positive=dimension_positive(counts[d][STRONG], counts[d][MEDIUM], counts[d][WEAK]),
            indicators=tuple(found[d]),
        )
        for d in DIMENSIONS
    )
    finding = combine((r.dimension for r in results if r.positive), child=child)
    return Decision(
        finding=finding, child_rule=child, dimensions=results, rule_version=RULE_VERSION
    )


def child_at_recruitment(
    *,
    birth_year: int | None,
    age_at_recruitment: int | None = None,
    recruited_on: datetime.date | None = None,
    today: datetime.date,
    assessed_adult: bool | None = None,
) -> bool:
    """Whether the children's set and the child rule apply to this person.

    The age that counts is the age at recruitment, when it is known: the age recorded at
    recruitment, otherwise the age on the recruitment date by the year of birth. Without
    either, the person's age today decides, and an unknown age is presumed a child's
    (the presumption of minority) until an age assessment (``assessed_adult``, the latest
    one's result) says adult.
    """
    if age_at_recruitment is not None:
        return age_at_recruitment < ADULT_AGE
    if recruited_on is not None and birth_year is not None:
        return is_presumed_child(birth_year, on=recruited_on)
    return is_presumed_child(birth_year, on=today, assessed_adult=assessed_adult)


def age_known(*, birth_year: int | None, age_at_recruitment: int | None = None) -> bool:
    """Whether the person's age is known at all: otherwise the children's set applies by
    the presumption of minority, not because the person is known to have been a child."""
    return age_at_recruitment is not None or birth_year is not None


@dataclass(frozen=True)
class SetKind:
    """The kind of indicator set that fits a screening."""

    exploitation: str
    for_children: bool


def set_kind(
    *,
    exploitation: str,
    birth_year: int | None,
    age_at_recruitment: int | None = None,
    recruited_on: datetime.date | None = None,
    today: datetime.date,
) -> SetKind:
    """The set that fits: the form of exploitation screened (labour or sexual), for
    children when the person was a child at recruitment or is presumed one."""
    if exploitation not in EXPLOITATIONS:
        raise ValueError(f"unknown form of exploitation: {exploitation!r}")
    child = child_at_recruitment(
        birth_year=birth_year,
        age_at_recruitment=age_at_recruitment,
        recruited_on=recruited_on,
        today=today,
    )
    return SetKind(exploitation=exploitation, for_children=child)
