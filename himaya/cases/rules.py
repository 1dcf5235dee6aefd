"""Pure rules of cases: phase transitions, phase dates, four eyes, the place of
exploitation. No database here."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

from himaya.cases.models import (
    CARE_PLAN_TRANSITIONS,
    IDENTIFICATION_TRANSITIONS,
    TRANSFER_TRANSITIONS,
    TRANSITIONS,
    DeadlineKind,
    IdentificationStatus,
    Phase,
    RiskLevel,
)

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


# --- the worklist ------------------------------------------------------------------------

# A risk assessment is reviewed within these days of the last one: every 30 days while the
# risk is high or critical, every 90 otherwise.
RISK_REVIEW_DAYS: dict[str, int] = {
    RiskLevel.CRITICAL: 30,
    RiskLevel.HIGH: 30,
    RiskLevel.MEDIUM: 90,
    RiskLevel.LOW: 90,
}
# A case never assessed is assessed within a week of identification (or first contact).
FIRST_RISK_ASSESSMENT_DAYS = 7
# A case has an approved care plan within a week of identification (or first contact).
CARE_PLAN_DAYS = 7
# A case is new on the worklist for a week after identification or assignment.
NEW_DAYS = 7

# Risk levels in order, for sorting (0: never assessed).
RISK_RANKS: dict[str, int] = {
    "": 0,
    RiskLevel.LOW: 1,
    RiskLevel.MEDIUM: 2,
    RiskLevel.HIGH: 3,
    RiskLevel.CRITICAL: 4,
}
HIGH_RISK_RANK = RISK_RANKS[RiskLevel.HIGH]

# When two actions fall due the same day, the first of this order is shown.
_KIND_ORDER = {kind: n for n, kind in enumerate(DeadlineKind.values)}


class Section(IntEnum):
    """The sections of the worklist, most urgent first."""

    OVERDUE = 0
    HIGH_RISK = 1
    NEW = 2
    REST = 3


@dataclass(frozen=True)
class WorklistState:
    """The columns of a case that order the worklist."""

    next_action: str
    next_due_on: date | None
    risk_level: str
    risk_rank: int
    new_until: date | None


def risk_review_due(*, level: str, assessed_on: date | None, start: date) -> date:
    """When the risk is to be (re)assessed: after the last assessment by its level's
    interval, or within a week of ``start`` for a case never assessed."""
    if assessed_on is None or not level:
        return start + timedelta(days=FIRST_RISK_ASSESSMENT_DAYS)
    return assessed_on + timedelta(days=RISK_REVIEW_DAYS.get(level, max(RISK_REVIEW_DAYS.values())))


def care_plan_due(*, has_approved_plan: bool, start: date) -> date | None:
    """When an approved care plan is due: a week after ``start``, none once approved."""
    return None if has_approved_plan else start + timedelta(days=CARE_PLAN_DAYS)


def new_until(*, identified_on: date | None, assigned_on: date | None) -> date | None:
    """The last day a case counts as new: a week after identification or assignment."""
    latest = max((day for day in (identified_on, assigned_on) if day is not None), default=None)
    return None if latest is None else latest + timedelta(days=NEW_DAYS)


def next_action(deadlines: Iterable[tuple[str, date]]) -> tuple[str, date] | None:
    """The earliest of the deadlines (kind, due date); on the same day, by kind order."""
    return min(
        deadlines,
        key=lambda deadline: (deadline[1], _KIND_ORDER.get(deadline[0], len(_KIND_ORDER))),
        default=None,
    )


def worklist_state(
    *,
    phase: str,
    first_contact_on: date,
    identified_on: date | None,
    assigned_on: date | None,
    latest_risk: tuple[str, date] | None,
    has_approved_plan: bool,
    deadlines: Iterable[tuple[str, date]],
) -> WorklistState:
    """The worklist columns of a case from what it holds; a closed case has no action."""
    level = latest_risk[0] if latest_risk else ""
    rank = RISK_RANKS.get(level, 0)
    if phase == Phase.CLOSED:
        return WorklistState("", None, level, rank, None)
    start = identified_on or first_contact_on
    due = [
        *deadlines,
        (
            DeadlineKind.RISK_REVIEW.value,
            risk_review_due(
                level=level, assessed_on=latest_risk[1] if latest_risk else None, start=start
            ),
        ),
    ]
    plan_due = care_plan_due(has_approved_plan=has_approved_plan, start=start)
    if plan_due is not None:
        due.append((DeadlineKind.CARE_PLAN.value, plan_due))
    kind, due_on = next_action(due) or ("", None)
    return WorklistState(
        next_action=kind,
        next_due_on=due_on,
        risk_level=level,
        risk_rank=rank,
        new_until=new_until(identified_on=identified_on, assigned_on=assigned_on),
    )


def worklist_section(
    *, next_due_on: date | None, risk_rank: int, new_until: date | None, today: date
) -> Section:
    """The section a case falls in today: overdue, high or critical risk, new, the rest."""
    if next_due_on is not None and next_due_on < today:
        return Section.OVERDUE
    if risk_rank >= HIGH_RISK_RANK:
        return Section.HIGH_RISK
    if new_until is not None and new_until >= today:
        return Section.NEW
    return Section.REST


def first_name(name: str) -> str:
    """The first word of a name ("" for none)."""
    words = name.split()
    return words[0] if words else ""


# --- the identification decision --------------------------------------------------------

# The decisions only a supervisor of the lead agency records; a case worker records that
# there are reasonable grounds (possible victim).
SUPERVISOR_DECISIONS = frozenset(
    {
        IdentificationStatus.IDENTIFIED,
        IdentificationStatus.NOT_VICTIM,
        IdentificationStatus.WITHDRAWN,
    }
)
# Days from a reasonable-grounds decision to the conclusive decision, when the setting
# ``HIMAYA_CONCLUSIVE_DECISION_DAYS`` is absent: a project standard, not a legal limit.
CONCLUSIVE_DECISION_DAYS = 90


def can_decide_identification(from_status: str, to_status: str) -> bool:
    """Whether the identification table allows this decision after the current one."""
    return to_status in IDENTIFICATION_TRANSITIONS.get(from_status, frozenset())


def identification_choices(from_status: str, *, is_supervisor: bool) -> list[str]:
    """The decisions a person may record now, in the order of ``IdentificationStatus``."""
    allowed = IDENTIFICATION_TRANSITIONS.get(from_status, frozenset())
    return [
        status
        for status in IdentificationStatus.values
        if status in allowed and (is_supervisor or status not in SUPERVISOR_DECISIONS)
    ]


def conclusive_decision_due(*, status: str, decided_on: date | None, days: int) -> date | None:
    """When the conclusive decision is due: ``days`` after reasonable grounds, none in any
    other status."""
    if status != IdentificationStatus.POSSIBLE or decided_on is None:
        return None
    return decided_on + timedelta(days=days)


def is_identification_overdue(
    *, status: str, decided_on: date | None, days: int, today: date
) -> bool:
    """A possible victim still waiting for the conclusive decision after its due date."""
    due = conclusive_decision_due(status=status, decided_on=decided_on, days=days)
    return due is not None and due < today


# --- transfers ------------------------------------------------------------------------

# The kinds of agency that lead cases and so may receive one: a design choice of the
# system, not a fact of the law (``settings.HIMAYA_CASE_AGENCY_KINDS`` may replace it).
CASE_AGENCY_KINDS = frozenset({"directorate", "shelter", "ngo"})


def transfer_can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSFER_TRANSITIONS.get(from_status, frozenset())


def transfer_target_problem(
    *,
    from_agency_id: int,
    to_agency_id: int,
    to_agency_kind: str,
    to_agency_active: bool,
    case_agency_kinds: frozenset[str] = CASE_AGENCY_KINDS,
) -> str | None:
    """Why a case cannot go to this agency (``same``, ``inactive``, ``kind``), or None."""
    if from_agency_id == to_agency_id:
        return "same"
    if not to_agency_active:
        return "inactive"
    if to_agency_kind not in case_agency_kinds:
        return "kind"
    return None


def is_technology_facilitated(*, exploited_online: bool, platform_count: int) -> bool:
    """A case is technology-facilitated when a platform was used in it or the exploitation
    took place online."""
    return exploited_online or platform_count > 0
