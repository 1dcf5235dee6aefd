import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaya.services import rules
from himaya.services.models import TRANSITIONS, DeliveryStatus


@pytest.mark.parametrize(("a", "b"), list(itertools.product(DeliveryStatus.values, repeat=2)))
def test_delivery_moves_follow_the_table(a: str, b: str) -> None:
    assert rules.delivery_can_move(a, b) is (b in TRANSITIONS[a])


def test_only_a_planned_service_changes_status() -> None:
    assert TRANSITIONS[DeliveryStatus.DELIVERED] == TRANSITIONS[DeliveryStatus.CANCELLED] == set()


@given(st.integers(min_value=0, max_value=1000))
def test_small_groups_are_not_reportable(count: int) -> None:
    assert rules.is_reportable(count) is (count >= rules.MIN_GROUP_SIZE)


@given(st.dates(min_value=datetime.date(2000, 1, 10), max_value=datetime.date(2100, 1, 1)))
def test_week_bounds_run_monday_to_sunday_around_the_day(day: datetime.date) -> None:
    monday, sunday = rules.week_bounds(day)
    assert monday.weekday() == 0
    assert sunday.weekday() == 6
    assert monday <= day <= sunday
    assert (sunday - monday).days == 6
