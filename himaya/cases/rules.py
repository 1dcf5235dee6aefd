"""Pure rules of cases: phase transitions, phase dates, four eyes, the place of
exploitation. No database here."""

from datetime import date

from himaya.cases.models import CARE_PLAN_TRANSITIONS, TRANSITIONS, Phase

# The date field set the first time a case enters each phase.
PHASE_DATE_FIELDS: dict[str, str] = {
    Phase.IDENTIFICATION: "identified_on",
    Phase.PROTECTION: "protection_started_on",
    Phase.ASSISTANCE: "assistance_started_on",
    Phase.REINTEGRATION: "reintegration_started_on",
    Phase.FOLLOW_UP: "follow_up_started_on",
    Phase.CLOSED: "closed_on",
}


# The country where the system runs: exploitation anywhere else is abroad.
HOME_COUNTRY = "EG"


def is_country_code(country: str) -> bool:
    """A two-letter ISO 3166 code (letters only, either case)."""
    return len(country) == 2 and country.isascii() and country.isalpha()


def must_be_transnational(*, country_of_exploitation: str, is_transnational: bool) -> bool:
    """Exploitation abroad makes a case transnational: True when the case says otherwise.

    The converse does not hold: a case exploited in Egypt may still be transnational (a
    person brought into Egypt from abroad).
    """
    return country_of_exploitation.upper() != HOME_COUNTRY and not is_transnational


def can_move(from_phase: str, to_phase: str) -> bool:
    """Whether the transition table allows a case to move from one phase to another."""
    return to_phase in TRANSITIONS.get(from_phase, frozenset())


def closing_needs_approval(to_phase: str) -> bool:
    """Closing is never direct: it is requested with a reason and approved by a supervisor."""
    return to_phase == Phase.CLOSED


def phase_dates_after_move(
    current: dict[str, date | None], *, to_phase: str, on: date
) -> dict[str, date | None]:
    """The phase date fields to write when a case enters ``to_phase`` on ``on``.

    A phase entered again (assistance → protection → assistance) keeps its first date;
    the full history is in the phase changes.
    """
    field = PHASE_DATE_FIELDS[to_phase]
    if current.get(field) is None:
        return {field: on}
    return {}


def care_plan_can_move(from_status: str, to_status: str) -> bool:
    return to_status in CARE_PLAN_TRANSITIONS.get(from_status, frozenset())


def is_four_eyes(*, author_id: int | None, decider_id: int | None) -> bool:
    """A decision is valid only when someone other than the author takes it."""
    return author_id is not None and decider_id is not None and author_id != decider_id
