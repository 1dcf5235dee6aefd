"""Pure rules of grants: tranche schedules, their periods, the release rule."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.core import bounds
from himaya.grants.models import GrantPhase

# The longest title of a grant (its column).
MAX_TITLE_LENGTH = 200


def parse_tranches(text: str) -> list[tuple[date, Decimal]]:
    """Lines of ``YYYY-MM-DD amount``; raises ValueError on the first bad line."""
    tranches: list[tuple[date, Decimal]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = line.replace(",", "").split()
        if len(parts) != 2:
            raise ValueError(number)
        try:
            due_on = date.fromisoformat(parts[0])
            amount = Decimal(parts[1]).quantize(Decimal("0.01"))
        except (ValueError, InvalidOperation) as exc:
            raise ValueError(number) from exc
        tranches.append((due_on, amount))
    return tranches


def schedule_errors(
    *,
    amount: Decimal,
    starts_on: date,
    ends_on: date,
    tranches: list[tuple[date, Decimal]],
    phases: list[str],
) -> list[str | Promise]:
    """Why a grant's schedule is not acceptable (empty when it is)."""
    errors: list[str | Promise] = []
    if ends_on <= starts_on:
        errors.append(_("The grant must end after it starts."))
    if not phases or any(phase not in GrantPhase.values for phase in phases):
        errors.append(_("Choose at least one phase among those the Ministry funds."))
    if not tranches:
        errors.append(_("A grant needs at least one tranche."))
        return errors
    if any(value <= 0 for _due, value in tranches):
        errors.append(_("Every tranche must be greater than zero."))
    if sum((value for _due, value in tranches), Decimal(0)) != amount:
        errors.append(_("The tranches must add up to the amount of the grant."))
    dues = [due for due, _value in tranches]
    if dues != sorted(dues) or len(set(dues)) != len(dues):
        errors.append(_("Tranche due dates must follow one another."))
    if any(due < starts_on or due > ends_on for due in dues):
        errors.append(_("Every tranche must fall due within the grant period."))
    return errors


def grant_bound_errors(
    *,
    title: str,
    services: str,
    starts_on: date,
    ends_on: date,
    tranches: list[tuple[date, Decimal]],
    today: date,
) -> list[str | Promise]:
    """Why a grant's typed values are out of bounds (empty when they are within them)."""
    problems = [
        bounds.text_problem(title.strip(), what=_("The title"), max_length=MAX_TITLE_LENGTH),
        bounds.text_problem(services.strip(), what=_("The services")),
        bounds.plan_date_problem(starts_on, what=_("The start date"), today=today),
        bounds.plan_date_problem(ends_on, what=_("The end date"), today=today),
    ]
    errors: list[str | Promise] = [problem for problem in problems if problem is not None]
    if len(tranches) > bounds.MAX_ITEMS_PER_REQUEST:
        errors.append(
            _("A grant has at most %(count)s tranches.") % {"count": bounds.MAX_ITEMS_PER_REQUEST}
        )
    return errors


def report_bound_errors(
    *, narrative: str, people_served: int, services_delivered: int
) -> list[str | Promise]:
    """Why an NGO's report is out of bounds (empty when it is within them)."""
    problems = [
        bounds.text_problem(narrative.strip(), what=_("The narrative")),
        bounds.count_problem(people_served, what=_("The number of people served")),
        bounds.count_problem(services_delivered, what=_("The number of services delivered")),
    ]
    return [problem for problem in problems if problem is not None]


def period_problem(start: date, end: date, *, today: date) -> str | Promise | None:
    """A statement period: plausible dates, the end not before the start."""
    for value, what in ((start, _("The start of the period")), (end, _("The end of the period"))):
        problem = bounds.plan_date_problem(value, what=what, today=today)
        if problem is not None:
            return problem
    if end < start:
        return _("The end comes before the start.")
    return None


def tranche_periods(dues: list[date], ends_on: date) -> list[tuple[date, date]]:
    """The period funded by each tranche: from its due date to the day before the next,
    the last one to the end of the grant."""
    periods = []
    for index, due in enumerate(dues):
        end = dues[index + 1] - timedelta(days=1) if index + 1 < len(dues) else ends_on
        periods.append((due, end))
    return periods


def may_release(*, sequence: int, previous_released: bool, previous_report: str | None) -> bool:
    """The first tranche needs no report; a later one needs the previous tranche released
    and the report on its period approved."""
    if sequence == 1:
        return True
    return previous_released and previous_report == "approved"
