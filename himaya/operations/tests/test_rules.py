import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaya.operations import rules

NOW = datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("about_child", "danger", "signs", "expected"),
    [
        (True, False, True, rules.EMERGENCY),
        (False, True, True, rules.EMERGENCY),
        (True, True, False, rules.EMERGENCY),
        (False, False, True, rules.URGENT),
        (False, False, False, rules.NORMAL),
    ],
)
def test_a_child_or_a_person_in_immediate_danger_is_an_emergency(
    about_child: bool, danger: bool, signs: bool, expected: str
) -> None:
    assert (
        rules.triage(about_child=about_child, immediate_danger=danger, trafficking_signs=signs)
        == expected
    )


def test_the_response_deadline_follows_the_configured_minutes_of_each_level() -> None:
    assert rules.respond_by(NOW, rules.EMERGENCY) == NOW + datetime.timedelta(minutes=15)
    assert rules.respond_by(NOW, rules.URGENT) == NOW + datetime.timedelta(hours=2)
    assert rules.respond_by(NOW, rules.NORMAL) == NOW + datetime.timedelta(days=1)
    assert rules.respond_by(NOW, rules.EMERGENCY, {"emergency": 5}) == NOW + datetime.timedelta(
        minutes=5
    )


@pytest.mark.parametrize(
    ("waited", "expected"), [(0, 0), (14, 0), (15, 1), (29, 1), (30, 2), (45, 3), (600, 3)]
)
def test_an_alert_climbs_one_level_for_each_period_waited(waited: int, expected: int) -> None:
    assert (
        rules.escalation_due(
            raised_at=NOW, now=NOW + datetime.timedelta(minutes=waited), minutes=15, levels=3
        )
        == expected
    )


def test_a_rise_is_above_the_mean_plus_three_deviations_and_at_least_five() -> None:
    history = [1, 0] * 14  # mean 0.5, deviation 0.5: threshold 2
    rise = rules.identification_rise(5, history)
    assert rise is not None
    assert (rise.mean, rise.deviation, rise.threshold) == (0.5, 0.5, 2.0)
    assert rules.identification_rise(4, history) is None  # below the minimum
    assert rules.identification_rise(8, [0, 9] * 14) is None  # 4.5 + 3 × 4.5 = 18
    assert rules.identification_rise(19, [0, 9] * 14) is not None
    assert rules.identification_rise(5, [5] * 28) is None  # no rise at all


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=28, max_size=28))
def test_a_count_no_higher_than_the_mean_of_the_history_is_never_a_rise(
    history: list[int],
) -> None:
    assert rules.identification_rise(sum(history) // len(history), history) is None


def test_a_shelter_is_near_capacity_from_nine_beds_in_ten() -> None:
    assert rules.near_capacity(10, 9)
    assert not rules.near_capacity(10, 8)
    assert not rules.near_capacity(0, 0)
