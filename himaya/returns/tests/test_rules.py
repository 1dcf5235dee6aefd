"""The pure rules of returns: reflection dates, the status table, approval, follow-ups."""

from datetime import date

import pytest

from himaya.returns import rules
from himaya.returns.models import TRANSITIONS, AssessmentPlace, ReturnStatus

BOTH = [AssessmentPlace.EGYPT, AssessmentPlace.DESTINATION]


def test_a_period_of_ninety_days_ends_on_its_ninetieth_day() -> None:
    assert rules.reflection_ends_on(date(2026, 1, 1), 90) == date(2026, 3, 31)


def test_a_period_of_one_day_ends_the_day_it_starts() -> None:
    assert rules.reflection_ends_on(date(2026, 1, 1), 1) == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 3, 16), False),
        (date(2026, 3, 17), True),
        (date(2026, 3, 31), True),
        (date(2026, 4, 1), False),
    ],
    ids=["before-warning", "first-warning-day", "last-day", "after-end"],
)
def test_the_warning_starts_fourteen_days_before_the_end(today: date, expected: bool) -> None:
    assert rules.reflection_ends_soon(ends_on=date(2026, 3, 31), today=today, warning_days=14) == (
        expected
    )


def test_follow_ups_fall_at_three_six_and_twelve_months_after_arrival() -> None:
    assert rules.follow_up_schedule(date(2026, 1, 15)) == [
        (3, date(2026, 4, 15)),
        (6, date(2026, 7, 15)),
        (12, date(2027, 1, 15)),
    ]


def test_a_follow_up_after_an_arrival_at_month_end_falls_on_the_shorter_months_last_day() -> None:
    assert rules.follow_up_schedule(date(2026, 11, 30))[0] == (3, date(2027, 2, 28))


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(f, t) for f in ReturnStatus.values for t in ReturnStatus.values],
    ids=[f"{f}-{t}" for f in ReturnStatus.values for t in ReturnStatus.values],
)
def test_only_the_transitions_of_the_table_are_allowed(from_status: str, to_status: str) -> None:
    allowed = {
        ("planned", "approved"),
        ("planned", "cancelled"),
        ("approved", "travelled"),
        ("approved", "cancelled"),
        ("travelled", "completed"),
    }
    assert rules.can_move(from_status, to_status) == ((from_status, to_status) in allowed)
    assert set(TRANSITIONS) == set(ReturnStatus.values)


def test_a_travel_date_inside_the_reflection_period_is_refused() -> None:
    period = (date(2026, 3, 1), date(2026, 5, 29))
    assert rules.travel_date_problem(date(2026, 5, 29), reflection=period) is not None
    assert rules.travel_date_problem(date(2026, 5, 30), reflection=period) is None
    assert rules.travel_date_problem(date(2026, 4, 1), reflection=None) is None


def test_approval_needs_the_choice_both_assessments_and_the_end_of_the_reflection() -> None:
    problems = rules.approval_problems(
        chose_return=None,
        assessed_places=[AssessmentPlace.EGYPT],
        today=date(2026, 5, 1),
        reflection=(date(2026, 3, 1), date(2026, 5, 29)),
        travel_planned_on=date(2026, 5, 15),
    )
    assert [field for field, _message in problems] == [
        "chose_return",
        "risk",
        "reflection",
        "travel_planned_on",
    ]


def test_a_refused_choice_blocks_the_approval() -> None:
    problems = rules.approval_problems(
        chose_return=False,
        assessed_places=BOTH,
        today=date(2026, 6, 15),
        reflection=None,
        travel_planned_on=date(2026, 7, 1),
    )
    assert [field for field, _message in problems] == ["chose_return"]


def test_nothing_blocks_an_approval_that_meets_every_condition() -> None:
    assert (
        rules.approval_problems(
            chose_return=True,
            assessed_places=BOTH,
            today=date(2026, 6, 15),
            reflection=(date(2026, 3, 1), date(2026, 5, 29)),
            travel_planned_on=date(2026, 7, 1),
        )
        == []
    )


def test_a_follow_up_is_overdue_only_when_its_day_passed_without_a_contact() -> None:
    assert rules.is_overdue(due_on=date(2026, 6, 1), done_on=None, today=date(2026, 6, 2))
    assert not rules.is_overdue(due_on=date(2026, 6, 1), done_on=None, today=date(2026, 6, 1))
    assert not rules.is_overdue(
        due_on=date(2026, 6, 1), done_on=date(2026, 6, 3), today=date(2026, 6, 10)
    )
