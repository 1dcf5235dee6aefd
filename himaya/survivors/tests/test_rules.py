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
    assert rules.is_presumed_child(2008, on=TODAY) is False
    assert rules.is_presumed_child(2009, on=TODAY) is True


def test_a_person_of_unknown_age_is_presumed_a_child() -> None:
    assert rules.is_presumed_child(None, on=TODAY) is True
    assert rules.age_on(None, on=TODAY) is None


def test_age_from_a_year_of_birth_is_the_age_reached_during_the_year() -> None:
    assert rules.age_on(2001, on=TODAY) == 25
    assert rules.age_on(2001, on=datetime.date(2026, 1, 1)) == 25


def test_age_from_a_date_of_birth_counts_completed_years() -> None:
    born = datetime.date(2008, 12, 15)
    assert rules.age_on(2008, date_of_birth=born, on=TODAY) == 17
    assert rules.age_on(2008, date_of_birth=born, on=datetime.date(2026, 12, 15)) == 18
    assert rules.is_presumed_child(2008, date_of_birth=born, on=TODAY) is True


def test_a_birth_after_the_day_gives_no_age() -> None:
    assert rules.age_on(2027, on=TODAY) is None
    assert rules.age_on(None, date_of_birth=datetime.date(2027, 1, 1), on=TODAY) is None
    assert rules.is_presumed_child(2027, on=TODAY) is True


def test_a_consent_stands_from_the_day_given_until_the_day_withdrawn() -> None:
    given = datetime.date(2026, 3, 1)
    withdrawn = datetime.date(2026, 6, 1)
    assert not rules.consent_stands(
        given_on=given, withdrawn_on=None, on=given - datetime.timedelta(1)
    )
    assert rules.consent_stands(given_on=given, withdrawn_on=None, on=given)
    assert rules.consent_stands(
        given_on=given, withdrawn_on=withdrawn, on=datetime.date(2026, 5, 31)
    )
    assert not rules.consent_stands(given_on=given, withdrawn_on=withdrawn, on=withdrawn)


def test_a_consent_naming_no_recipient_never_covers_an_embassy() -> None:
    assert rules.open_consent_covers("referral") is True
    assert rules.open_consent_covers("embassy") is False


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


@pytest.mark.parametrize(
    ("typed", "compact"),
    [
        ("A-١٢٣ ٤٥", "A12345"),
        ("a۱۲۳۴۵", "A12345"),
        ("A\u200b123\u2060-45", "A12345"),
        ("\u202aA12345\u202c", "A12345"),
        ("A#123*45", "A12345"),
    ],
)
def test_document_numbers_are_compacted_whatever_their_digits_and_invisible_marks(
    typed: str, compact: str
) -> None:
    assert rules.compact_document_number(typed) == compact


@pytest.mark.parametrize("typed", ["", "  ", "\u200b", "- . /", "\u200c\u200d-"])
def test_a_document_number_with_nothing_to_compare_is_not_a_number(typed: str) -> None:
    assert not rules.is_document_number(typed)


@given(st.text(max_size=30))
def test_compacting_any_text_twice_changes_nothing(number: str) -> None:
    once = rules.compact_document_number(number)
    assert rules.compact_document_number(once) == once


@pytest.mark.parametrize(
    ("name_ar", "name_latin", "problems"),
    [
        ("فاطمة", "", []),
        ("", "Fatma", []),
        ("", "", [("name_ar", "name_required")]),
        ("  ", "", [("name_ar", "name_required")]),
        ("\u200b", "", [("name_ar", "name_invisible")]),
        ("\u200b", "Fatma", [("name_ar", "name_invisible")]),
        ("فاطمة", "\u202a\u202c", [("name_latin", "name_invisible")]),
        (
            "\u2066 \u2069",
            "\ufeff",
            [("name_ar", "name_invisible"), ("name_latin", "name_invisible")],
        ),
        ("فا\u200bطمة", "", []),
    ],
)
def test_name_problems(name_ar: str, name_latin: str, problems: list[tuple[str, str]]) -> None:
    assert rules.name_problems(name_ar=name_ar, name_latin=name_latin) == problems


MID_JUNE = datetime.date(2026, 6, 15)


@pytest.mark.parametrize(
    ("date_of_birth", "birth_year", "problem"),
    [
        (None, None, None),
        (datetime.date(1900, 1, 1), None, None),
        (MID_JUNE, 2026, None),
        (datetime.date(1, 1, 1), None, "implausible_birth_date"),
        (datetime.date(9999, 12, 31), None, "implausible_birth_date"),
        (datetime.date(2026, 6, 16), None, "implausible_birth_date"),
        (datetime.date(1899, 12, 31), 1899, "implausible_birth_date"),
        (datetime.date(2000, 1, 1), 2001, "year_does_not_match_date"),
        (None, 1899, "implausible_birth_year"),
        (None, 2027, "implausible_birth_year"),
        (None, 2100, "implausible_birth_year"),
        (None, 1900, None),
    ],
)
def test_birth_problem(
    date_of_birth: datetime.date | None, birth_year: int | None, problem: str | None
) -> None:
    assert (
        rules.birth_problem(date_of_birth=date_of_birth, birth_year=birth_year, today=MID_JUNE)
        == problem
    )


@pytest.mark.parametrize(
    ("age", "problem"), [(0, None), (120, None), (-1, "implausible_age"), (121, "implausible_age")]
)
def test_age_problem_and_the_year_it_gives(age: int, problem: str | None) -> None:
    assert rules.age_problem(age, today=MID_JUNE) == problem
    if problem is None:
        assert rules.birth_year_from_age(age, today=MID_JUNE) == 2026 - age
    else:
        with pytest.raises(ValueError):
            rules.birth_year_from_age(age, today=MID_JUNE)


def test_the_check_limit_counts_the_checks_already_made() -> None:
    assert not rules.is_over_check_limit(checks_in_window=29, limit=30)
    assert rules.is_over_check_limit(checks_in_window=30, limit=30)


@pytest.mark.parametrize(
    ("consented", "policy", "record_level", "counted"),
    [
        (True, "aggregates", True, True),
        (True, "excluded", True, True),
        (True, "excluded", False, True),
        (False, "aggregates", False, True),
        (False, "aggregates", True, False),
        (False, "excluded", False, False),
        (False, "excluded", True, False),
    ],
)
def test_statistics_use_a_survivors_data_only_as_consent_and_the_law_allow(
    consented: bool, policy: str, record_level: bool, counted: bool
) -> None:
    assert (
        rules.counts_in_statistics(consented=consented, policy=policy, record_level=record_level)
        is counted
    )
