import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaya.cases import rules
from himaya.cases.models import TRANSITIONS, CarePlanStatus, Phase

PAIRS = list(itertools.product(Phase.values, repeat=2))


@pytest.mark.parametrize(("from_phase", "to_phase"), PAIRS)
def test_can_move_follows_the_transition_table(from_phase: str, to_phase: str) -> None:
    assert rules.can_move(from_phase, to_phase) is (to_phase in TRANSITIONS[from_phase])


def test_a_closed_case_moves_nowhere() -> None:
    assert not any(rules.can_move(Phase.CLOSED, phase) for phase in Phase.values)


def test_every_open_phase_can_be_closed() -> None:
    assert all(rules.can_move(p, Phase.CLOSED) for p in Phase.values if p != Phase.CLOSED)


def test_only_closing_needs_approval() -> None:
    assert [p for p in Phase.values if rules.closing_needs_approval(p)] == [Phase.CLOSED]


def test_entering_a_phase_sets_its_date_once() -> None:
    first = datetime.date(2026, 1, 5)
    later = datetime.date(2026, 2, 5)
    assert rules.phase_dates_after_move(
        {"protection_started_on": None}, to_phase=Phase.PROTECTION, on=first
    ) == {"protection_started_on": first}
    assert (
        rules.phase_dates_after_move(
            {"protection_started_on": first}, to_phase=Phase.PROTECTION, on=later
        )
        == {}
    )


def test_every_phase_has_a_date_field() -> None:
    assert set(rules.PHASE_DATE_FIELDS) == set(Phase.values)


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_four_eyes_holds_only_for_two_different_people(author: int, decider: int) -> None:
    assert rules.is_four_eyes(author_id=author, decider_id=decider) is (author != decider)


def test_four_eyes_needs_both_people() -> None:
    assert not rules.is_four_eyes(author_id=None, decider_id=1)
    assert not rules.is_four_eyes(author_id=1, decider_id=None)


@pytest.mark.parametrize(
    ("from_status", "to_status", "allowed"),
    [
        (CarePlanStatus.DRAFT, CarePlanStatus.SUBMITTED, True),
        (CarePlanStatus.DRAFT, CarePlanStatus.APPROVED, False),
        (CarePlanStatus.SUBMITTED, CarePlanStatus.APPROVED, True),
        (CarePlanStatus.SUBMITTED, CarePlanStatus.RETURNED, True),
        (CarePlanStatus.RETURNED, CarePlanStatus.SUBMITTED, True),
        (CarePlanStatus.RETURNED, CarePlanStatus.APPROVED, False),
        (CarePlanStatus.APPROVED, CarePlanStatus.RETURNED, False),
    ],
)
def test_care_plan_moves_follow_their_table(
    from_status: str, to_status: str, allowed: bool
) -> None:
    assert rules.care_plan_can_move(from_status, to_status) is allowed


@pytest.mark.parametrize(
    ("country", "is_transnational", "refused"),
    [
        ("EG", False, False),
        ("eg", False, False),
        ("EG", True, False),  # brought into Egypt from abroad
        ("LY", True, False),
        ("LY", False, True),
        ("sa", False, True),
    ],
)
def test_exploitation_abroad_must_be_marked_transnational(
    country: str, is_transnational: bool, refused: bool
) -> None:
    assert (
        rules.must_be_transnational(
            country_of_exploitation=country, is_transnational=is_transnational
        )
        is refused
    )


@pytest.mark.parametrize(
    ("text", "valid"), [("EG", True), ("ly", True), ("EGY", False), ("E1", False), ("", False)]
)
def test_a_country_is_two_letters(text: str, valid: bool) -> None:
    assert rules.is_country_code(text) is valid
