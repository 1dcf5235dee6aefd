"""The centre's rules without the database: triage, response deadlines, escalation, and the
statistical rule for an unusual rise in identifications."""

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

EMERGENCY = "emergency"
URGENT = "urgent"
NORMAL = "normal"

# Minutes to respond by triage level (``settings.HIMAYA_OPERATIONS_RESPONSE_MINUTES``).
DEFAULT_RESPONSE_MINUTES: dict[str, int] = {EMERGENCY: 15, URGENT: 120, NORMAL: 24 * 60}
# Minutes an open alert waits before each step of escalation.
DEFAULT_ESCALATION_MINUTES = 15
ESCALATION_LEVELS = 3

# An unusual rise: today's count above the mean plus this many standard deviations of
# the previous days, and at least this many.
RISE_HISTORY_DAYS = 28
RISE_SIGMAS = 3
RISE_MINIMUM = 5


def triage(*, about_child: bool, immediate_danger: bool, trafficking_signs: bool = True) -> str:
    """A report about a child, or a person in immediate danger, is an emergency; any other
    report with signs of trafficking is urgent; the rest is normal."""
    if about_child or immediate_danger:
        return EMERGENCY
    return URGENT if trafficking_signs else NORMAL


def respond_by(
    received_at: datetime.datetime, level: str, minutes: Mapping[str, int] | None = None
) -> datetime.datetime:
    """The deadline for the first response to a report of triage ``level``."""
    table = {**DEFAULT_RESPONSE_MINUTES, **(minutes or {})}
    return received_at + datetime.timedelta(minutes=table[level])


def allowed(transitions: Mapping[str, frozenset[str]], current: str, target: str) -> bool:
    return target in transitions.get(current, frozenset())


def escalation_due(
    *,
    raised_at: datetime.datetime,
    now: datetime.datetime,
    minutes: int,
    levels: int = ESCALATION_LEVELS,
) -> int:
    """The escalation level an unacknowledged alert should have reached: one more level
    for each ``minutes`` waited, up to ``levels``."""
    if minutes <= 0:
        return levels
    waited = (now - raised_at).total_seconds() / 60
    return max(0, min(levels, int(waited // minutes)))


@dataclass(frozen=True)
class Rise:
    today: int
    mean: float
    deviation: float
    threshold: float


def identification_rise(
    today: int,
    history: Sequence[int],
    *,
    sigmas: float = RISE_SIGMAS,
    minimum: int = RISE_MINIMUM,
) -> Rise | None:
    """Whether ``today``'s count rises beyond the governorate's own recent history.

    ``history`` holds the counts of the previous days (``RISE_HISTORY_DAYS`` of them,
    zeros included). The rule: today's count is above the mean plus ``sigmas`` population
    standard deviations of the history, and at least ``minimum``. The minimum keeps a
    governorate with almost no identifications from alarming over two or three.
    """
    if today < minimum:
        return None
    days = len(history)
    mean = sum(history) / days if days else 0.0
    variance = sum((n - mean) ** 2 for n in history) / days if days else 0.0
    deviation = math.sqrt(variance)
    threshold = mean + sigmas * deviation
    if today <= threshold:
        return None
    return Rise(today=today, mean=mean, deviation=deviation, threshold=threshold)


def near_capacity(beds: int, occupied: int, share: float = 0.9) -> bool:
    """A shelter is near capacity when at least ``share`` of its beds in service are taken."""
    return beds > 0 and occupied >= beds * share


def change(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return current - previous
