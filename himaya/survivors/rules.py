"""Pure rules of the survivors app (no database)."""

import datetime

from himaya.core import bounds
from himaya.core.crypto import ascii_digits, normalise, strip_invisible
from himaya.survivors.models import ConsentPurpose, DuplicateReason

ADULT_AGE = 18
# The oldest estimated age a worker may give (the year it points to must also be plausible).
MAX_ESTIMATED_AGE = 120


def age_problem(age: int, *, today: datetime.date) -> str | None:
    """Why an estimated age (in whole years) cannot be taken, as a short code, or ``None``."""
    if age < 0 or age > MAX_ESTIMATED_AGE:
        return "implausible_age"
    if not bounds.is_plausible_birth_year(today.year - age, today=today):
        return "implausible_age"
    return None


def birth_year_from_age(age: int, *, today: datetime.date) -> int:
    """The year of birth that an age (in whole years) given today points to."""
    if age_problem(age, today=today) is not None:
        raise ValueError("age out of range")
    return today.year - age


def birth_problem(
    *, date_of_birth: datetime.date | None, birth_year: int | None, today: datetime.date
) -> str | None:
    """Why a date and a year of birth cannot be recorded together, as a short code, or ``None``.

    A date of birth lies between the first of January of the earliest birth year and
    today; a year of birth between that year and this one; both, when given, agree.
    """
    if date_of_birth is not None:
        if not bounds.is_plausible_birth_date(date_of_birth, today=today):
            return "implausible_birth_date"
        if birth_year is not None and birth_year != date_of_birth.year:
            return "year_does_not_match_date"
    if birth_year is not None and not bounds.is_plausible_birth_year(birth_year, today=today):
        return "implausible_birth_year"
    return None


def visible_text(value: str | None) -> str:
    """The text without invisible format characters (Unicode Cf) and outer spaces."""
    return strip_invisible(value or "").strip()


NAME_FIELDS = ("name_ar", "name_latin")


def name_problems(*, name_ar: str, name_latin: str) -> list[tuple[str, str]]:
    """What is wrong with the two names, as (field, short code) pairs; empty when nothing.

    A name typed with only invisible characters (zero-width spaces, joiners, direction
    marks) is refused: it looks empty to every reader and would match every other such
    name. At least one of the two names must have something visible.
    """
    names = {"name_ar": name_ar or "", "name_latin": name_latin or ""}
    problems = [
        (field, "name_invisible")
        for field, value in names.items()
        if value.strip() and not visible_text(value)
    ]
    if not problems and not any(visible_text(value) for value in names.values()):
        problems.append(("name_ar", "name_required"))
    return problems


def age_on(
    birth_year: int | None,
    *,
    date_of_birth: datetime.date | None = None,
    on: datetime.date,
) -> int | None:
    """The survivor's age on ``on``, in whole years; ``None`` when it is not known.

    With a date of birth, the years completed on that day. With a year of birth only
    (most records), the age reached during the calendar year of ``on`` (the indicators
    count ages by calendar year). A birth after ``on`` gives ``None``, as no birth at all.
    """
    if date_of_birth is not None:
        if date_of_birth > on:
            return None
        had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
        return on.year - date_of_birth.year - (0 if had_birthday else 1)
    if birth_year is None or birth_year > on.year:
        return None
    return on.year - birth_year


def is_presumed_child(
    birth_year: int | None,
    *,
    date_of_birth: datetime.date | None = None,
    on: datetime.date,
) -> bool:
    """Whether the survivor is treated as a child on ``on``: under eighteen, or of an
    unknown age (the presumption of minority: a person whose age is not known is
    protected as a child until shown otherwise)."""
    age = age_on(birth_year, date_of_birth=date_of_birth, on=on)
    return age is None or age < ADULT_AGE


def compact_document_number(number: str) -> str:
    """The form of a document number compared for equality.

    Letters and digits only (no spaces, dashes, dots, slashes, other punctuation nor
    invisible characters), the digits of every script as ASCII digits, in upper case.
    """
    folded = ascii_digits(strip_invisible(number or "")).upper()
    return "".join(ch for ch in folded if ch.isalnum())


def is_document_number(number: str) -> bool:
    """Whether a typed document number has something left to compare once compacted."""
    return bool(normalise(compact_document_number(number)))


def duplicate_reason(*, same_document: bool) -> str:
    """Why two survivors were matched: a shared document outweighs a shared name and year."""
    return DuplicateReason.DOCUMENT if same_document else DuplicateReason.NAME_AND_YEAR


def is_over_check_limit(*, checks_in_window: int, limit: int) -> bool:
    """Whether one more duplicate check would exceed ``limit`` checks in the window."""
    return checks_in_window >= limit


def is_duplicate(
    *,
    name_indexes: set[str],
    birth_year: int | None,
    document_indexes: set[str],
    other_name_indexes: set[str],
    other_birth_year: int | None,
    other_document_indexes: set[str],
) -> bool:
    """Two survivors look like one person: same name and year of birth, or same document."""
    names = {value for value in name_indexes if value}
    other_names = {value for value in other_name_indexes if value}
    same_name_and_year = (
        birth_year is not None and birth_year == other_birth_year and bool(names & other_names)
    )
    documents = {value for value in document_indexes if value}
    return same_name_and_year or bool(documents & {v for v in other_document_indexes if v})


# Purposes for which a consent must name its recipient agency, and the kind it must be.
RECIPIENT_REQUIRED = frozenset({ConsentPurpose.REFERRAL.value, ConsentPurpose.EMBASSY.value})
EMBASSY_KIND = "embassy"


def consent_recipient_problem(*, purpose: str, recipient_kind: str | None) -> str | None:
    """Why a (purpose, recipient) pair is not acceptable, as a short code, or ``None``."""
    if purpose in RECIPIENT_REQUIRED and recipient_kind is None:
        return "recipient_required"
    if purpose == ConsentPurpose.EMBASSY and recipient_kind != EMBASSY_KIND:
        return "recipient_not_embassy"
    return None


def consent_stands(
    *, given_on: datetime.date, withdrawn_on: datetime.date | None, on: datetime.date
) -> bool:
    """A consent covers ``on`` from the day it is given until the day it is withdrawn.

    This is the one consent rule; ``selectors.standing_consents`` is its query form.
    """
    return given_on <= on and (withdrawn_on is None or withdrawn_on > on)


def open_consent_covers(purpose: str) -> bool:
    """Whether a consent naming no recipient covers every recipient for ``purpose``.

    It does, except for an embassy: only a consent naming that very embassy counts.
    """
    return purpose != ConsentPurpose.EMBASSY


def withdrawal_problem(
    *, given_on: datetime.date, withdrawn_on: datetime.date | None, on: datetime.date
) -> str | None:
    """Why a consent cannot be withdrawn on ``on``, as a short code, or ``None``."""
    if withdrawn_on is not None:
        return "already_withdrawn"
    if on < given_on:
        return "before_given"
    return None
