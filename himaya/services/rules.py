"""Pure rules of services: delivery transitions and small-group suppression of feedback."""

from datetime import date, timedelta

from himaya.services.models import TRANSITIONS

# Aggregates of survivor feedback hide groups smaller than this, so that no rating can be
# traced back to one person.
MIN_GROUP_SIZE = 3


def delivery_can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def is_reportable(count: int, *, minimum: int = MIN_GROUP_SIZE) -> bool:
    """Whether a group of ratings is large enough to be shown."""
    return count >= minimum


def week_bounds(today: date) -> tuple[date, date]:
    """Monday and Sunday of the week of ``today``."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)
