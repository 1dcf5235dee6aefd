"""Pure rules of returns: the reflection period's dates, the status table, the conditions
of an approval and the follow-up schedule after arrival. No database here."""

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from himaya.core.errors import Message
from himaya.returns.models import TRANSITIONS, AssessmentPlace

# The recovery and reflection period in days, unless ``HIMAYA_REFLECTION_DAYS`` says
# otherwise. The legal duration is configurable and not verified.
DEFAULT_REFLECTION_DAYS = 90
# How many days before the period ends the worklist warns (``HIMAYA_REFLECTION_WARNING_DAYS``).
DEFAULT_WARNING_DAYS = 14
# Contacts with the survivor after arrival, in months.
FOLLOW_UP_MONTHS: tuple[int, ...] = (3, 6, 12)
# The longest extension granted at once, in days.
MAX_EXTENSION_DAYS = 365


def reflection_ends_on(starts_on: date, days: int) -> date:
    """The last day of a period of ``days`` days starting on ``starts_on`` (both counted)."""
    return starts_on + timedelta(days=max(days, 1) - 1)


def is_inside_reflection(day: date, *, starts_on: date, ends_on: date) -> bool:
    return starts_on <= day <= ends_on


def reflection_ends_soon(*, ends_on: date, today: date, warning_days: int) -> bool:
    """The period is still running and ends within ``warning_days`` days."""
    return today <= ends_on <= today + timedelta(days=warning_days)


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def add_months(day: date, months: int) -> date:
    """The same day ``months`` months later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_schedule(arrived_on: date) -> list[tuple[int, date]]:
    """(months, due date) of each contact after arrival: at 3, 6 and 12 months."""
    return [(months, add_months(arrived_on, months)) for months in FOLLOW_UP_MONTHS]


def is_overdue(*, due_on: date, done_on: date | None, today: date) -> bool:
    return done_on is None and due_on < today


def travel_date_problem(
    travel_on: date | None, *, reflection: tuple[date, date] | None
) -> Message | None:
    """Why a travel date is refused: it falls inside the reflection period."""
    if travel_on is None or reflection is None:
        return None
    ends_on = reflection[1]
    if travel_on <= ends_on:
        return _(
            "No return can be arranged inside the reflection period: travel is possible "
            "from %(day)s."
        ) % {"day": (ends_on + timedelta(days=1)).isoformat()}
    return None


def approval_problems(
    *,
    chose_return: bool | None,
    assessed_places: Iterable[str],
    today: date,
    reflection: tuple[date, date] | None,
    travel_planned_on: date | None,
) -> list[tuple[str, Message]]:
    """Why a return plan cannot be approved, as (field, reason) pairs (empty: it can).

    The survivor chose to return after the options were explained; both risk assessments
    (in Egypt and at the place of return) are recorded; the reflection period is over on
    the day of approval and on the travel date.
    """
    problems: list[tuple[str, Message]] = []
    if chose_return is not True:
        problems.append(
            (
                "chose_return",
                _("The survivor's informed choice to return must be recorded first."),
            )
        )
    places = set(assessed_places)
    if AssessmentPlace.EGYPT not in places or AssessmentPlace.DESTINATION not in places:
        problems.append(
            (
                "risk",
                _(
                    "Both risk assessments, in Egypt and at the place of return, must be "
                    "recorded first."
                ),
            )
        )
    if reflection is not None and today <= reflection[1]:
        problems.append(
            (
                "reflection",
                _("No return can be approved inside the reflection period: it ends on %(day)s.")
                % {"day": reflection[1].isoformat()},
            )
        )
    travel = travel_date_problem(travel_planned_on, reflection=reflection)
    if travel is not None:
        problems.append(("travel_planned_on", travel))
    return problems
