"""Pure rules of economic empowerment: eligibility, the follow-up schedule, outcome arithmetic.

No database here. Eligibility explains itself: every rule gives a reason in words that can
be shown in Arabic and in English.
"""

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override, pgettext

from himaya.cases.models import Phase
from himaya.empowerment.models import HouseholdRole
from himaya.survivors.models import Sex
from himaya.survivors.rules import ADULT_AGE

# Cells (groups of people) smaller than this are never shown on outcome pages.
MIN_CELL = 5
# Technical follow-up: months after the project start at which a visit is due.
FOLLOW_UP_MONTHS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 9, 12, 15, 18, 21, 24)
# Checkpoints of project survival, in months.
SURVIVAL_CHECKPOINTS: tuple[int, ...] = (6, 12, 24)
REINTEGRATION_PHASES = frozenset({Phase.REINTEGRATION.value, Phase.FOLLOW_UP.value})


@dataclass(frozen=True)
class EligibilityRules:
    """A programme's rules; empty collections and ``None`` limits mean "any"."""

    allowed_sexes: frozenset[str] = frozenset()
    min_age: int | None = None
    max_age: int | None = None
    household_roles: frozenset[str] = frozenset()
    requires_reintegration: bool = False


@dataclass(frozen=True)
class Applicant:
    sex: str
    age: int | None
    household_role: str
    case_phase: str
    # The presumption of minority with the latest age assessment
    # (``survivors.selectors.presumed_child``); ``None`` when not known to the caller.
    presumed_child: bool | None = None


def _label(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return pgettext("list separator", ", ").join(_label(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class Reason:
    """The outcome of one rule, in words; ``text`` renders it in the active language."""

    rule: str
    passed: bool
    template: str | Promise
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, language: str | None = None) -> str:
        if language is None:
            return str(self.template) % {k: _label(v) for k, v in self.params.items()}
        with override(language):
            return self.text()

    @property
    def text_ar(self) -> str:
        return self.text("ar")

    @property
    def text_en(self) -> str:
        return self.text("en")


@dataclass(frozen=True)
class Decision:
    eligible: bool
    reasons: tuple[Reason, ...]

    @property
    def failed(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if not reason.passed)


def _labels(choices: type, values: Iterable[str]) -> list[object]:
    known = dict(choices.choices)  # type: ignore[attr-defined]
    return [known.get(value, value) for value in sorted(values)]


def _sex_reason(rules: EligibilityRules, applicant: Applicant) -> Reason:
    if not rules.allowed_sexes:
        return Reason("sex", True, _("The programme is open to every sex."))
    params = {
        "sex": _labels(Sex, [applicant.sex])[0],
        "allowed": _labels(Sex, rules.allowed_sexes),
    }
    if applicant.sex in rules.allowed_sexes:
        return Reason("sex", True, _("Sex %(sex)s: the programme accepts %(allowed)s."), params)
    return Reason(
        "sex",
        False,
        _("The programme accepts only %(allowed)s; the survivor is recorded as %(sex)s."),
        params,
    )


def _age_reason(rules: EligibilityRules, applicant: Applicant) -> Reason:
    low, high, age = rules.min_age, rules.max_age, applicant.age
    if low is None and high is None:
        return Reason("age", True, _("The programme has no age limit."))
    params = {"age": age, "min": low, "max": high}
    if applicant.presumed_child and low is not None and low >= ADULT_AGE:
        return Reason(
            "age",
            False,
            _(
                "The survivor is presumed a child until an age assessment says otherwise, "
                "and the programme is for adults only."
            ),
        )
    if age is None:
        return Reason(
            "age",
            False,
            _("The survivor's year of birth is not recorded, and the programme has an age limit."),
        )
    if low is not None and age < low:
        return Reason(
            "age", False, _("Age %(age)s is below the programme's minimum age of %(min)s."), params
        )
    if high is not None and age > high:
        return Reason(
            "age", False, _("Age %(age)s is above the programme's maximum age of %(max)s."), params
        )
    if low is not None and high is not None:
        return Reason(
            "age",
            True,
            _("Age %(age)s is within the programme's ages (%(min)s to %(max)s)."),
            params,
        )
    if low is not None:
        return Reason(
            "age", True, _("Age %(age)s reaches the programme's minimum age of %(min)s."), params
        )
    return Reason(
        "age",
        True,
        _("Age %(age)s does not exceed the programme's maximum age of %(max)s."),
        params,
    )


def _household_reason(rules: EligibilityRules, applicant: Applicant) -> Reason:
    if not rules.household_roles:
        return Reason("household_role", True, _("The programme is open to every household role."))
    params = {
        "role": _labels(HouseholdRole, [applicant.household_role])[0],
        "allowed": _labels(HouseholdRole, rules.household_roles),
    }
    if applicant.household_role in rules.household_roles:
        return Reason(
            "household_role",
            True,
            _("Household role %(role)s: the programme accepts %(allowed)s."),
            params,
        )
    return Reason(
        "household_role",
        False,
        _("The programme accepts only %(allowed)s; the survivor's household role is %(role)s."),
        params,
    )


def _phase_reason(rules: EligibilityRules, applicant: Applicant) -> Reason:
    phase = _labels(Phase, [applicant.case_phase])[0]
    if not rules.requires_reintegration:
        return Reason("phase", True, _("The programme accepts cases in any phase."))
    if applicant.case_phase in REINTEGRATION_PHASES:
        return Reason(
            "phase",
            True,
            _("The case is in the %(phase)s phase, as the programme requires."),
            {"phase": phase},
        )
    return Reason(
        "phase",
        False,
        _(
            "The programme requires the case to be in reintegration or follow-up; "
            "it is in the %(phase)s phase."
        ),
        {"phase": phase},
    )


def check_eligibility(rules: EligibilityRules, applicant: Applicant) -> Decision:
    """Apply every rule; eligible only when all pass. Each rule explains its outcome."""
    reasons = (
        _sex_reason(rules, applicant),
        _age_reason(rules, applicant),
        _household_reason(rules, applicant),
        _phase_reason(rules, applicant),
    )
    return Decision(eligible=all(reason.passed for reason in reasons), reasons=reasons)


def amount_within_range(amount: Decimal | None, low: Decimal | None, high: Decimal | None) -> bool:
    if amount is None:
        return True
    return (low is None or amount >= low) and (high is None or amount <= high)


# --- The follow-up schedule --------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_schedule(started_on: date) -> list[date]:
    """Visit due dates: monthly for the first six months, then quarterly to two years (12)."""
    return [add_months(started_on, months) for months in FOLLOW_UP_MONTHS]


def is_overdue(*, due_on: date, done_on: date | None, today: date) -> bool:
    return done_on is None and due_on < today


def full_months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` comes first)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


# --- Outcome arithmetic -----------------------------------------------------------------


def suppressed(count: int | None) -> bool:
    """A cell with people but fewer than ``MIN_CELL`` of them is never shown."""
    return count is not None and count < MIN_CELL


def share(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal, or None when the cell must not be shown."""
    if denominator == 0 or suppressed(denominator):
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)


def money(value: Decimal | float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def income_change(baseline: Decimal | None, latest: Decimal | None) -> Decimal | None:
    if baseline is None or latest is None:
        return None
    return money(latest - baseline)
