"""The monitoring part of the demo: the indicators computed from the other apps' demo
data (the demo runs after them), over the days where that data lies."""

import datetime

from django.db.models import Min
from django.utils import timezone

from himaya.cases.models import Case, IdentificationDecision
from himaya.monitoring.actions import compute_indicators
from himaya.screening.models import Screening
from himaya.services.models import ServiceDelivery

DEMO_DAYS = 90
# The demo's records reach back about two years; older days are not computed.
LONGEST_DAYS = 2 * 366


def _first_recorded_day() -> datetime.date | None:
    """The earliest day of a contact, decision, screening or service of the demo."""
    found = [
        Case.objects.aggregate(first=Min("first_contact_on"))["first"],
        IdentificationDecision.objects.aggregate(first=Min("decided_on"))["first"],
        Screening.objects.aggregate(first=Min("screened_on"))["first"],
        ServiceDelivery.objects.aggregate(first=Min("delivered_on"))["first"],
    ]
    days = [day for day in found if day is not None]
    return min(days) if days else None


def seed() -> str:
    """Compute every day from the first recorded one (at least the last ``DEMO_DAYS``
    days, at most ``LONGEST_DAYS``) to today. Idempotent: computing again replaces the
    values."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=DEMO_DAYS - 1)
    first = _first_recorded_day()
    if first is not None:
        start = max(min(start, first), today - datetime.timedelta(days=LONGEST_DAYS - 1))
    computed = compute_indicators(start=start, end=today)
    return f"{computed.values} daily values from {start} to {today}"
