import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from himaya.grants.rules import may_release, parse_tranches, schedule_errors, tranche_periods

START, END = date(2025, 7, 1), date(2026, 6, 30)


def test_tranches_are_read_one_per_line() -> None:
    assert parse_tranches("2025-07-01 100,000\n\n2025-10-01 50000.5\n") == [
        (date(2025, 7, 1), Decimal("100000.00")),
        (date(2025, 10, 1), Decimal("50000.50")),
    ]


@pytest.mark.parametrize("text", ["2025-07-01", "2025-13-01 100", "2025-07-01 abc", "a b c"])
def test_a_bad_tranche_line_is_reported_by_its_number(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_tranches("2025-07-01 10\n" + text)
    assert caught.value.args[0] == 2


def errors(tranches, amount="300", phases=("protection",)) -> list[str]:
    with override("en"):
        return [
            str(e)
            for e in schedule_errors(
                amount=Decimal(amount),
                starts_on=START,
                ends_on=END,
                tranches=[(d, Decimal(v)) for d, v in tranches],
                phases=list(phases),
            )
        ]


def test_a_schedule_whose_tranches_add_up_to_the_grant_is_accepted() -> None:
    assert errors([(date(2025, 7, 1), "100"), (date(2026, 1, 1), "200")]) == []


def test_tranches_that_do_not_add_up_are_refused() -> None:
    assert errors([(date(2025, 7, 1), "100"), (date(2026, 1, 1), "199.99")]) == [
        "The tranches must add up to the amount of the grant."
    ]


def test_tranches_out_of_order_or_outside_the_period_are_refused() -> None:
    assert errors([(date(2026, 1, 1), "100"), (date(2025, 7, 1), "200")]) == [
        "Tranche due dates must follow one another."
    ]
    assert errors([(date(2025, 6, 30), "300")]) == [
        "Every tranche must fall due within the grant period."
    ]
    assert errors([(date(2025, 7, 1), "300")], phases=()) == [
        "Choose at least one phase among those the Ministry funds."
    ]


@given(st.lists(st.integers(min_value=0, max_value=364), min_size=1, max_size=8, unique=True))
def test_tranche_periods_follow_one_another_without_gap(offsets: list[int]) -> None:
    dues = sorted(START + timedelta(days=o) for o in offsets)
    periods = tranche_periods(dues, END)
    assert periods[0][0] == dues[0] and periods[-1][1] == END
    for (_s1, e1), (s2, _e2) in itertools.pairwise(periods):
        assert s2 == e1 + timedelta(days=1)


def test_the_first_tranche_needs_no_report_and_the_next_an_approved_one() -> None:
    assert may_release(sequence=1, previous_released=False, previous_report=None)
    assert not may_release(sequence=2, previous_released=True, previous_report=None)
    assert not may_release(sequence=2, previous_released=True, previous_report="submitted")
    assert not may_release(sequence=2, previous_released=False, previous_report="approved")
    assert may_release(sequence=2, previous_released=True, previous_report="approved")
