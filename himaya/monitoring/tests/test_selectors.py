"""The reads of the dashboard: the last day with stored values, found from each
indicator's last total, and every indicator's totals of a period for its card."""

import datetime
from decimal import Decimal

import pytest

from himaya.accounts.models import User
from himaya.monitoring import selectors
from himaya.monitoring.indicators import get_indicator
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


def total(
    indicator: str,
    day: datetime.date,
    numerator: str,
    denominator: str | None,
    figure: str | None,
) -> None:
    DailyValue.objects.create(
        indicator=indicator,
        day=day,
        numerator=Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
        value=None if figure is None else Decimal(figure),
    )


FIRST = datetime.date(2026, 5, 1)
SECOND = datetime.date(2026, 5, 2)


@pytest.fixture
def month_totals() -> None:
    """A share (screenings positive, hidden below 5 screenings) and a count (identified
    victims, hidden below 5 people), with a total of a breakdown and a day outside."""
    total("screenings_positive", FIRST, "3", "4", "75.00")
    total("screenings_positive", SECOND, "7", "9", "77.78")
    total("identified_victims", FIRST, "12", None, "12.00")
    total("identified_victims", SECOND, "0", None, "0.00")
    total("identified_victims", FIRST + datetime.timedelta(days=40), "30", None, "30.00")
    DailyValue.objects.create(
        indicator="identified_victims",
        day=SECOND,
        cell="sex=male",
        dimension="sex",
        member="male",
        numerator=Decimal(3),
        value=Decimal(3),
    )


def test_the_totals_give_every_day_as_a_float_and_the_days_asked_as_the_stored_decimals(
    personas: dict[str, User], month_totals: None
) -> None:
    items = [get_indicator("screenings_positive"), get_indicator("identified_victims")]
    found = selectors.totals(
        items,
        start=FIRST,
        end=SECOND,
        exact_days=[SECOND],
        small=selectors.sees_small_cells(personas["supervisor"]),
    )
    assert found.floats == {
        "screenings_positive": {FIRST: 75.0, SECOND: 77.78},
        "identified_victims": {FIRST: 12.0, SECOND: 0.0},
    }
    assert found.exact == {
        "screenings_positive": {
            SECOND: selectors.Point(
                SECOND, "", "", "", "", Decimal("7.00"), Decimal("9.00"), Decimal("77.78"), False
            )
        },
        "identified_victims": {
            SECOND: selectors.Point(
                SECOND, "", "", "", "", Decimal("0.00"), None, Decimal("0.00"), False
            )
        },
    }
    stored = DailyValue.objects.get(indicator="screenings_positive", day=SECOND, cell="")
    point = found.exact["screenings_positive"][SECOND]
    assert (point.numerator, point.denominator, point.value) == (
        stored.numerator,
        stored.denominator,
        stored.value,
    )
    assert str(point.value) == str(stored.value)  # the same places as the ORM gives


def test_a_small_total_is_hidden_from_a_reader_who_may_not_see_small_cells(
    personas: dict[str, User], month_totals: None
) -> None:
    items = [get_indicator("screenings_positive"), get_indicator("identified_victims")]
    found = selectors.totals(
        items,
        start=FIRST,
        end=SECOND,
        exact_days=[FIRST, SECOND],
        small=selectors.sees_small_cells(personas["analyst"]),
    )
    # Four screenings are too few (the share counts on its denominator); zero people is not.
    assert found.floats["screenings_positive"] == {FIRST: None, SECOND: 77.78}
    assert found.exact["screenings_positive"][FIRST] == selectors.Point(
        FIRST, "", "", "", "", None, None, None, True
    )
    assert found.floats["identified_victims"] == {FIRST: 12.0, SECOND: 0.0}
    assert found.exact["identified_victims"][SECOND].suppressed is False
