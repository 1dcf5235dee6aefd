"""Pure rules of the survivors app (no database)."""

import datetime
import re

from himaya.survivors.models import ConsentPurpose

ADULT_AGE = 18
_DOCUMENT_SEPARATORS = re.compile(r"[\s\-./]+")


def birth_year_from_age(age: int, *, today: datetime.date) -> int:
    """The year of birth that an age (in whole years) given today points to."""
    if age < 0 or age > 120:
        raise ValueError("age out of range")
    return today.year - age


def age_in(birth_year: int | None, *, year: int) -> int | None:
    """Age reached during ``year`` (the indicators count ages by calendar year)."""
    if birth_year is None:
        return None
    return year - birth_year


def is_child(birth_year: int | None, *, today: datetime.date) -> bool | None:
    """Under eighteen during this calendar year; ``None`` when the age is not known."""
    age = age_in(birth_year, year=today.year)
    return None if age is None else age < ADULT_AGE


def compact_document_number(number: str) -> str:
    """The form of a document number compared for equality: no spaces, dashes, dots."""
    return _DOCUMENT_SEPARATORS.sub("", number).upper()


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
    """A consent covers ``on`` from the day it is given until the day it is withdrawn."""
    return given_on <= on and (withdrawn_on is None or withdrawn_on > on)


def withdrawal_problem(
    *, given_on: datetime.date, withdrawn_on: datetime.date | None, on: datetime.date
) -> str | None:
    """Why a consent cannot be withdrawn on ``on``, as a short code, or ``None``."""
    if withdrawn_on is not None:
        return "already_withdrawn"
    if on < given_on:
        return "before_given"
    return None
