"""Pure rules of the shelters app: age groups, eligibility, beds needed, distance, nights.

No database here. ``Need`` describes the person looking for a bed; ``UnitProfile`` what a
unit accepts. There is no nationality anywhere in either: shelters receive Egyptians and
foreigners alike, so nationality can never exclude anyone.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date

CHILD_MAX_AGE = 11  # children: 0 to 11
ADOLESCENT_MAX_AGE = 17  # adolescents: 12 to 17; adults: 18 and over
INFANT_MAX_AGE = 1  # an accompanying child under 2 sleeps in a cot when one is free

EARTH_RADIUS_KM = 6371.0088

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class AgeGroup:
    CHILD = "child"
    ADOLESCENT = "adolescent"
    ADULT = "adult"
    # The age is not known: the person is presumed a child (under 18) until shown otherwise.
    MINOR = "minor"


def age_group(age: int | None) -> str:
    """The age group of a person; an unknown age (``None``) is a minor's."""
    if age is None:
        return AgeGroup.MINOR
    if age <= CHILD_MAX_AGE:
        return AgeGroup.CHILD
    if age <= ADOLESCENT_MAX_AGE:
        return AgeGroup.ADOLESCENT
    return AgeGroup.ADULT


def presumed_age_group(age: int | None, *, assessed_adult: bool | None) -> str:
    """The age group with the presumption of minority and the latest age assessment: an
    assessment saying adult makes an adult of a person of unknown or younger age; one
    saying child keeps a minor whatever age was recorded."""
    if assessed_adult is True:
        return AgeGroup.ADULT
    if assessed_adult is False and (age is None or age > ADOLESCENT_MAX_AGE):
        return AgeGroup.MINOR
    return age_group(age)


def accepts_age_group(
    group: str, *, accepts_children: bool, accepts_adolescents: bool, accepts_adults: bool
) -> bool:
    """Whether a unit receives this age group. A minor of unknown age goes only to a unit
    that receives children or adolescents, never to a unit for adults alone."""
    if group == AgeGroup.CHILD:
        return accepts_children
    if group == AgeGroup.ADOLESCENT:
        return accepts_adolescents
    if group == AgeGroup.MINOR:
        return accepts_children or accepts_adolescents
    return accepts_adults


def parse_languages(value: str) -> list[str]:
    """``"AR, en ,am"`` → ``["ar", "en", "am"]``; anything not a language code is dropped."""
    codes: list[str] = []
    for part in value.split(","):
        code = part.strip().lower()
        if _LANGUAGE.match(code) and code not in codes:
            codes.append(code)
    return codes


def is_language_code(value: str) -> bool:
    return bool(_LANGUAGE.match(value))


@dataclass(frozen=True)
class Need:
    """Who needs a bed tonight. Deliberately without nationality."""

    sex: str  # female, male, other, unknown
    age: int | None  # None: not known, and so presumed a child
    children_ages: tuple[int, ...] = ()
    wheelchair: bool = False
    language: str = ""
    security_level: int = 1
    # The latest age assessment (None without one): see ``presumed_age_group``.
    assessed_adult: bool | None = None

    @property
    def group(self) -> str:
        return presumed_age_group(self.age, assessed_adult=self.assessed_adult)

    @property
    def with_children(self) -> bool:
        return bool(self.children_ages)

    @property
    def infants(self) -> int:
        return sum(1 for age in self.children_ages if age <= INFANT_MAX_AGE)

    @property
    def older_children(self) -> int:
        return len(self.children_ages) - self.infants


@dataclass(frozen=True)
class UnitProfile:
    sex: str  # female, male, any
    accepts_children: bool
    accepts_adolescents: bool
    accepts_adults: bool
    accepts_mothers_with_children: bool
    wheelchair_accessible: bool
    languages: tuple[str, ...] = field(default=("ar",))
    security_level: int = 1


def sexes_accepted_for(sex: str) -> set[str]:
    """Unit sexes that can receive a person of ``sex`` (other or not known: mixed units only)."""
    if sex == "female":
        return {"female", "any"}
    if sex == "male":
        return {"male", "any"}
    return {"any"}


def refusals(unit: UnitProfile, need: Need) -> list[str]:
    """The eligibility rules that the unit does not meet for the need (empty: eligible)."""
    reasons: list[str] = []
    if unit.sex not in sexes_accepted_for(need.sex):
        reasons.append("sex")
    if not accepts_age_group(
        need.group,
        accepts_children=unit.accepts_children,
        accepts_adolescents=unit.accepts_adolescents,
        accepts_adults=unit.accepts_adults,
    ):
        reasons.append("age")
    if need.with_children and not unit.accepts_mothers_with_children:
        reasons.append("children")
    if need.wheelchair and not unit.wheelchair_accessible:
        reasons.append("wheelchair")
    if need.language and need.language not in unit.languages:
        reasons.append("language")
    if unit.security_level < need.security_level:
        reasons.append("security")
    return reasons


def is_eligible(unit: UnitProfile, need: Need) -> bool:
    return not refusals(unit, need)


@dataclass(frozen=True)
class Allocation:
    """How many beds and cots of a unit a need takes."""

    beds: int
    cots: int


def allocation(need: Need, free_beds: int, free_cots: int) -> Allocation | None:
    """Beds and cots to book for the person and the accompanying children, or None.

    The person takes a bed; each child of 2 or more takes a bed; each infant takes a cot
    while one is free, then a bed.
    """
    cots = min(need.infants, free_cots)
    beds = 1 + need.older_children + (need.infants - cots)
    if beds > free_beds:
        return None
    return Allocation(beds=beds, cots=cots)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def nights_between(admitted_on: date, until: date) -> int:
    """Nights spent from admission to ``until`` (the day of leaving is not a night)."""
    return max(0, (until - admitted_on).days)


def occupies_night(admitted_on: date, ended_on: date | None, night: date) -> bool:
    """Whether a stay holds its bed on the night starting ``night``."""
    return admitted_on <= night and (ended_on is None or ended_on > night)


def invalid_languages(value: str) -> list[str]:
    """The parts of ``"ar, english"`` that are not ISO 639 codes (``["english"]``)."""
    parts = [part.strip() for part in value.replace("،", ",").split(",")]
    return [part for part in parts if part and not _LANGUAGE.match(part.lower())]


def normalise_languages(value: str) -> str:
    """``"AR, en ,am"`` → ``"ar,en,am"`` (as stored on a unit; duplicates dropped)."""
    return ",".join(parse_languages(value.replace("،", ",")))


def next_bed_labels(taken: set[str], prefix: str, count: int) -> list[str]:
    """``count`` new labels ``<prefix><n>`` after the highest number already used."""
    numbers = [
        int(label[len(prefix) :])
        for label in taken
        if label.startswith(prefix) and label[len(prefix) :].isdigit()
    ]
    start = max(numbers, default=0) + 1
    labels: list[str] = []
    number = start
    while len(labels) < count:
        label = f"{prefix}{number}"
        if label not in taken:
            labels.append(label)
        number += 1
    return labels
