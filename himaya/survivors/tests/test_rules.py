import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaya.survivors import rules

TODAY = datetime.date(2026, 11, 28)


def test_birth_year_from_age_counts_back_from_this_year() -> None:
    assert rules.birth_year_from_age(17, today=TODAY) == 2009


def test_birth_year_from_age_refuses_impossible_ages() -> None:
    with pytest.raises(ValueError):
        rules.birth_year_from_age(-1, today=TODAY)
    with pytest.raises(ValueError):
        rules.birth_year_from_age(121, today=TODAY)


def test_a_person_born_eighteen_years_ago_is_no_longer_a_child() -> None:
    assert rules.is_child(2008, today=TODAY) is False
    assert rules.is_child(2009, today=TODAY) is True
    assert rules.is_child(None, today=TODAY) is None


def test_document_numbers_compare_without_spaces_dashes_or_case() -> None:
    assert rules.compact_document_number(" a12-345 67.8 ") == "A12345678"


@given(st.text(alphabet="AB12 -./", max_size=20))
def test_compacting_a_document_number_twice_changes_nothing(number: str) -> None:
    once = rules.compact_document_number(number)
    assert rules.compact_document_number(once) == once


def test_same_name_and_birth_year_is_a_duplicate() -> None:
    assert rules.is_duplicate(
        name_indexes={"n1", ""},
        birth_year=1990,
        document_indexes=set(),
        other_name_indexes={"x", "n1"},
        other_birth_year=1990,
        other_document_indexes=set(),
    )


def test_same_name_with_another_birth_year_is_not_a_duplicate() -> None:
    assert not rules.is_duplicate(
        name_indexes={"n1"},
        birth_year=1990,
        document_indexes=set(),
        other_name_indexes={"n1"},
        other_birth_year=1991,
        other_document_indexes=set(),
    )


def test_empty_indexes_never_match_each_other() -> None:
    assert not rules.is_duplicate(
        name_indexes={""},
        birth_year=1990,
        document_indexes={""},
        other_name_indexes={""},
        other_birth_year=1990,
        other_document_indexes={""},
    )


def test_same_document_is_a_duplicate_whatever_the_name() -> None:
    assert rules.is_duplicate(
        name_indexes={"a"},
        birth_year=None,
        document_indexes={"d"},
        other_name_indexes={"b"},
        other_birth_year=2000,
        other_document_indexes={"d"},
    )


@pytest.mark.parametrize(
    ("purpose", "kind", "problem"),
    [
        ("care", None, None),
        ("statistics", None, None),
        ("referral", None, "recipient_required"),
        ("referral", "ngo", None),
        ("embassy", None, "recipient_required"),
        ("embassy", "ngo", "recipient_not_embassy"),
        ("embassy", "embassy", None),
    ],
)
def test_consent_recipient_rules(purpose: str, kind: str | None, problem: str | None) -> None:
    assert rules.consent_recipient_problem(purpose=purpose, recipient_kind=kind) == problem


@given(
    given_on=st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2030, 1, 1)),
    withdrawn_after=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    on=st.dates(min_value=datetime.date(2019, 1, 1), max_value=datetime.date(2031, 1, 1)),
)
def test_a_consent_stands_only_between_giving_and_withdrawal(
    given_on: datetime.date, withdrawn_after: int | None, on: datetime.date
) -> None:
    withdrawn_on = (
        None if withdrawn_after is None else given_on + datetime.timedelta(days=withdrawn_after)
    )
    stands = rules.consent_stands(given_on=given_on, withdrawn_on=withdrawn_on, on=on)
    assert stands == (on >= given_on and (withdrawn_on is None or on < withdrawn_on))


def test_withdrawal_is_refused_twice_or_before_the_consent_was_given() -> None:
    day = datetime.date(2026, 5, 1)
    assert rules.withdrawal_problem(given_on=day, withdrawn_on=day, on=day) == "already_withdrawn"
    assert (
        rules.withdrawal_problem(given_on=day, withdrawn_on=None, on=day - datetime.timedelta(1))
        == "before_given"
    )
    assert rules.withdrawal_problem(given_on=day, withdrawn_on=None, on=day) is None
