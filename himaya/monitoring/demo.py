"""The monitoring part of the demo: the indicators of the last 90 days, computed from the
other apps' demo data (the demo runs after them)."""

import datetime

from django.utils import timezone

from himaya.monitoring.actions import compute_indicators

DEMO_DAYS = 90


def seed() -> str:
    """Compute the last 90 days (idempotent: computing again replaces the values)."""
    today = timezone.localdate()
    written = compute_indicators(start=today - datetime.timedelta(days=DEMO_DAYS - 1), end=today)
    return f"{written} daily values over {DEMO_DAYS} days"
