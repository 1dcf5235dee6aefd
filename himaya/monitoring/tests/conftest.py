"""Fixtures shared by the monitoring app's tests."""

import datetime
from decimal import Decimal

import pytest

from himaya.monitoring.models import DailyValue
from himaya.monitoring.tests.samples import VALUES_DAY as DAY


@pytest.fixture
def values() -> None:
    """Identified victims on two days: 12 in all, 9 women, 3 men (a small cell)."""
    for day, total in ((DAY - datetime.timedelta(days=1), 8), (DAY, 12)):
        rows = [("", "", "", "", total), ("sex", "female", "أنثى", "Female", total - 3)]
        rows += [("sex", "male", "ذكر", "Male", 3), ("gov", "EG-C", "القاهرة", "Cairo", total)]
        for dimension, member, arabic, english, n in rows:
            DailyValue.objects.create(
                indicator="identified_victims",
                day=day,
                cell=f"{dimension}={member}" if dimension else "",
                dimension=dimension,
                member=member,
                member_ar=arabic,
                member_en=english,
                numerator=Decimal(n),
                value=Decimal(n),
            )
