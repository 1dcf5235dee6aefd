"""Indicator arithmetic without the database: values from numerators and denominators,
the status of a value against its thresholds, and small-cell suppression."""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

COUNT = "count"
PERCENT = "percent"
DAYS = "days"
RATE = "per100k"
EGP = "egp"
UNITS = (COUNT, PERCENT, DAYS, RATE, EGP)

CENT = Decimal("0.01")

# Status of a value against its target and thresholds.
GOOD = "good"
WARNING = "warning"
CRITICAL = "critical"
NO_STATUS = "none"


def value_of(unit: str, numerator: Decimal, denominator: Decimal | None) -> Decimal | None:
    """The figure shown: a count or an amount is its numerator; a share, a mean number of
    days or a rate divides by the denominator (none when the denominator is empty)."""
    if unit in (COUNT, EGP):
        return numerator.quantize(CENT)
    if denominator is None or denominator == 0:
        return None
    factor = {PERCENT: Decimal(100), DAYS: Decimal(1), RATE: Decimal(100_000)}[unit]
    return (numerator * factor / denominator).quantize(CENT, rounding=ROUND_HALF_UP)


def status_of(
    value: Decimal | None,
    *,
    warning: Decimal | None,
    critical: Decimal | None,
    higher_is_better: bool,
) -> str:
    """``critical`` past the critical threshold, ``warning`` past the warning one, else
    ``good``; ``none`` without a value or thresholds. "Past" is below for an indicator
    where higher is better and above for one where higher is worse."""
    if value is None or (warning is None and critical is None):
        return NO_STATUS

    def past(threshold: Decimal | None) -> bool:
        if threshold is None:
            return False
        return value < threshold if higher_is_better else value > threshold

    if past(critical):
        return CRITICAL
    if past(warning):
        return WARNING
    return GOOD


def trend(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change from ``previous`` to ``current`` (none when either is missing)."""
    if current is None or previous is None:
        return None
    return current - previous


def primary_suppressed(count: Decimal | int, threshold: int) -> bool:
    """A count of people from 1 to ``threshold - 1`` is too small to publish (zero is)."""
    return 0 < count < threshold


def suppress_row(
    total: Decimal | int, cells: Mapping[str, Decimal | int], threshold: int
) -> set[str]:
    """The members of one disaggregation to hide, given the row's total.

    Primary suppression hides every small cell. When the total is published and exactly
    one cell of the row is hidden, the total minus the published cells would reveal it:
    secondary suppression hides the smallest other cell too (a non-zero one first), so
    that only the sum of two or more hidden cells can be derived.
    """
    hidden = {member for member, count in cells.items() if primary_suppressed(count, threshold)}
    if primary_suppressed(total, threshold) or len(hidden) != 1:
        return hidden
    others = sorted(
        (member for member in cells if member not in hidden),
        key=lambda member: (cells[member] == 0, cells[member], member),
    )
    if others:
        hidden.add(others[0])
    return hidden


# Audit actions that only read, sign in or print: they change no record the indicators
# count, so they mark no day to compute again.
_READ_SUFFIXES = (
    "_viewed",
    "_listed",
    "_read",
    "_printed",
    "_exported",
    "_downloaded",
    "_revealed",
    ".search",
    ".login",
    ".logout",
    ".login_failed",
)


def moves_indicators(action: str) -> bool:
    """Whether an audited action may change what an indicator counts: every write, none
    of the reads."""
    return not action.endswith(_READ_SUFFIXES)


def median(values: list[Decimal]) -> Decimal:
    """The median of ``values`` (the mean of the two middle ones for an even count, as
    ``percentile_cont(0.5)`` gives), to the hundredth; zero for no value."""
    if not values:
        return Decimal(0)
    ordered = sorted(values)
    middle = len(ordered) // 2
    found = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return found.quantize(CENT, rounding=ROUND_HALF_UP)
