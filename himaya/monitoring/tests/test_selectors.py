"""The last day with stored values, found from each indicator's last total."""

import datetime
from decimal import Decimal

import pytest

from himaya.monitoring import selectors
from himaya.monitoring.models import DailyValue

pytestmark = pytest.mark.django_db


def value(indicator: str, day: datetime.date, cell: str = "", dimension: str = "") -> None:
    DailyValue.objects.create(
        indicator=indicator,
        day=day,
        cell=cell,
        dimension=dimension,
        member=cell.partition("=")[2],
        numerator=Decimal(1),
        value=Decimal(1),
    )


def test_with_no_values_there_is_no_last_day() -> None:
    assert selectors.latest_day() is None


def test_the_last_day_is_the_latest_total_of_any_indicator() -> None:
    value("screenings", datetime.date(2026, 5, 1))
    value("screenings", datetime.date(2026, 5, 3))
    value("free_beds", datetime.date(2026, 5, 9))
    value("identified_victims", datetime.date(2026, 4, 30))
    assert selectors.latest_day() == datetime.date(2026, 5, 9)


def test_a_breakdown_or_an_indicator_no_longer_declared_does_not_make_a_last_day() -> None:
    value("screenings", datetime.date(2026, 5, 1))
    value("screenings", datetime.date(2026, 6, 1), cell="sex=female", dimension="sex")
    value("withdrawn_indicator", datetime.date(2026, 7, 1))
    assert selectors.latest_day() == datetime.date(2026, 5, 1)
    DailyValue.objects.filter(day=datetime.date(2026, 5, 1)).delete()
    assert selectors.latest_day() is None
