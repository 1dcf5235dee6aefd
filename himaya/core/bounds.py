"""Bounds on dates, counts and text that every page and every API route share.

A value outside these bounds is a typing slip or an attack, never a fact about a person:
the rules of each app refuse it with a message, the same way for a form and for the API.
These are pure functions: no database, no request.
"""

from datetime import date, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# People: nobody alive was born before this year.
EARLIEST_BIRTH_YEAR = 1900
# Records of the work itself (screenings, phases, assessments, payments, visits): the
# national referral mechanism keeps no record older than this.
EARLIEST_RECORD_DATE = date(2000, 1, 1)
# Planned dates (deadlines, follow-up visits, fiscal years) lie at most this far ahead.
LATEST_PLAN_DAYS = 366 * 10
# Whole counts typed by a person (people reached, sessions held): far below 2**31, so
# that every database engine stores them.
MAX_COUNT = 1_000_000
# Free text typed into one field (a justification, a reason, a note).
MAX_TEXT_LENGTH = 5_000
# Items sent in one request (documents, rows of a batch).
MAX_ITEMS_PER_REQUEST = 50
# The largest whole number an integer column holds on every database engine: record
# versions, numbers in addresses (tranche, visit) and references typed as numbers.
MAX_INTEGER = 2**31 - 1


def is_plausible_birth_date(value: date, *, today: date) -> bool:
    """A date of birth lies between the earliest birth year and today."""
    return date(EARLIEST_BIRTH_YEAR, 1, 1) <= value <= today


def is_plausible_birth_year(value: int, *, today: date) -> bool:
    return EARLIEST_BIRTH_YEAR <= value <= today.year


def is_plausible_record_date(value: date, *, today: date) -> bool:
    """A date on which something happened: not before the earliest record, not in the future."""
    return EARLIEST_RECORD_DATE <= value <= today


def is_plausible_plan_date(value: date, *, today: date) -> bool:
    """A date something is planned for: not before the earliest record, at most ten years on."""
    return EARLIEST_RECORD_DATE <= value <= today + timedelta(days=LATEST_PLAN_DAYS)


def is_plausible_count(value: int) -> bool:
    return 0 <= value <= MAX_COUNT


def is_plausible_text(value: str, *, max_length: int = MAX_TEXT_LENGTH) -> bool:
    """Free text no longer than the field holds (``MAX_TEXT_LENGTH`` for long text)."""
    return len(value) <= max_length


def latest_plan_date(today: date) -> date:
    return today + timedelta(days=LATEST_PLAN_DAYS)


# --- Refusals in words: ``what`` names the value ("The assessment date"), translated by
# the app that asks. Each answers None when the value is within bounds.

Message = str | Promise


def record_date_problem(value: date | None, *, what: Message, today: date) -> Message | None:
    """Why a date on which something happened is refused (None when it is plausible)."""
    if value is None or is_plausible_record_date(value, today=today):
        return None
    return _("%(what)s must lie between %(earliest)s and today.") % {
        "what": what,
        "earliest": EARLIEST_RECORD_DATE.isoformat(),
    }


def plan_date_problem(value: date | None, *, what: Message, today: date) -> Message | None:
    """Why a planned date (deadline, visit, target) is refused (None when it is plausible)."""
    if value is None or is_plausible_plan_date(value, today=today):
        return None
    return _("%(what)s must lie between %(earliest)s and %(latest)s.") % {
        "what": what,
        "earliest": EARLIEST_RECORD_DATE.isoformat(),
        "latest": latest_plan_date(today).isoformat(),
    }


def text_problem(value: str, *, what: Message, max_length: int = MAX_TEXT_LENGTH) -> Message | None:
    """Why a free text is refused: longer than its field holds (None when it fits)."""
    if is_plausible_text(value, max_length=max_length):
        return None
    return _("%(what)s is too long: at most %(max)s characters.") % {
        "what": what,
        "max": max_length,
    }


def count_problem(value: int, *, what: Message) -> Message | None:
    """Why a whole count typed by a person is refused (None when it is within bounds)."""
    if is_plausible_count(value):
        return None
    return _("%(what)s must be a whole number from 0 to %(max)s.") % {
        "what": what,
        "max": MAX_COUNT,
    }
