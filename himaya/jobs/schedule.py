"""Schedules read on the country's clock.

Huey runs in UTC (``utc=True``: the timestamps it hands to a periodic task's schedule are
naive UTC), and its ``crontab`` has no time zone. ``local_crontab`` converts the timestamp
to ``settings.TIME_ZONE`` (Africa/Cairo, with its summer time) before matching, so "01:00"
is one o'clock in Cairo in every season.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from huey import crontab


def local_crontab(
    minute: str = "*",
    hour: str = "*",
    day: str = "*",
    month: str = "*",
    day_of_week: str = "*",
) -> Callable[[datetime], bool]:
    """Like ``huey.crontab``, matched against the local time of ``settings.TIME_ZONE``."""
    matches = crontab(
        minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, strict=True
    )

    def validate(timestamp: datetime) -> bool:
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=UTC)
        local = timestamp.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None)
        return bool(matches(local))

    return validate
