from dataclasses import fields, replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaya.shelters import rules
from himaya.shelters.rules import Need, UnitProfile

WOMEN_ADULTS = UnitProfile(
    sex="female",
    accepts_children=False,
    accepts_adolescents=False,
    accepts_adults=True,
    accepts_mothers_with_children=False,
    wheelchair_accessible=False,
    languages=("ar",),
    security_level=1,
)
ADULT_WOMAN = Need(sex="female", age=30)


@pytest.mark.parametrize(
    ("age", "group"),
    [
        (0, "child"),
        (11, "child"),
        (12, "adolescent"),
        (17, "adolescent"),
        (18, "adult"),
        (70, "adult"),
    ],
)
def test_age_groups_have_fixed_bounds(age: int, group: str) -> None:
    assert rules.age_group(age) == group


def test_an_adult_woman_fits_a_womens_unit() -> None:
    assert rules.refusals(WOMEN_ADULTS, ADULT_WOMAN) == []


@pytest.mark.parametrize(
    ("unit_change", "need_change", "reason"),
    [
        ({"sex": "male"}, {}, "sex"),
        ({}, {"sex": "male"}, "sex"),
        ({}, {"sex": "unknown"}, "sex"),
        ({}, {"age": 16}, "age"),
        ({}, {"age": 8}, "age"),
        ({"accepts_adults": False, "accepts_adolescents": True}, {}, "age"),
        ({}, {"children_ages": (0,)}, "children"),
        ({}, {"wheelchair": True}, "wheelchair"),
        ({}, {"language": "am"}, "language"),
        ({}, {"security_level": 2}, "security"),
    ],
)
def test_each_rule_refuses_on_its_own(
    unit_change: dict[str, object], need_change: dict[str, object], reason: str
) -> None:
    unit = replace(WOMEN_ADULTS, **unit_change)  # type: ignore[arg-type]
    need = replace(ADULT_WOMAN, **need_change)  # type: ignore[arg-type]
    assert rules.refusals(unit, need) == [reason]


def test_mixed_units_receive_any_sex() -> None:
    unit = replace(WOMEN_ADULTS, sex="any")
    for sex in ["female", "male", "other", "unknown"]:
        assert rules.is_eligible(unit, replace(ADULT_WOMAN, sex=sex))


def test_a_unit_meeting_every_need_accepts_a_teenage_mother_with_infant() -> None:
    unit = replace(
        WOMEN_ADULTS,
        accepts_adolescents=True,
        accepts_mothers_with_children=True,
        wheelchair_accessible=True,
        languages=("ar", "am"),
        security_level=3,
    )
    need = Need(
        sex="female", age=16, children_ages=(0,), wheelchair=True, language="am", security_level=3
    )
    assert rules.refusals(unit, need) == []


def test_eligibility_has_no_nationality_field() -> None:
    names = {f.name for f in fields(Need)} | {f.name for f in fields(UnitProfile)}
    assert not any("national" in name or "country" in name for name in names)


@given(
    sex=st.sampled_from(["female", "male", "other", "unknown"]),
    age=st.integers(min_value=0, max_value=100),
    children=st.lists(st.integers(min_value=0, max_value=17), max_size=4),
)
def test_an_all_accepting_unit_refuses_nobody(sex: str, age: int, children: list[int]) -> None:
    unit = UnitProfile("any", True, True, True, True, True, ("ar",), 3)
    assert rules.refusals(unit, Need(sex=sex, age=age, children_ages=tuple(children))) == []


@pytest.mark.parametrize(
    ("children", "free_beds", "free_cots", "expected"),
    [
        ((), 1, 0, rules.Allocation(beds=1, cots=0)),
        ((), 0, 3, None),
        ((0,), 1, 1, rules.Allocation(beds=1, cots=1)),
        ((0,), 2, 0, rules.Allocation(beds=2, cots=0)),
        ((0,), 1, 0, None),
        ((5,), 1, 1, None),
        ((0, 1, 6), 3, 1, rules.Allocation(beds=3, cots=1)),
    ],
)
def test_allocation_books_a_bed_for_the_person_and_cots_for_infants(
    children: tuple[int, ...], free_beds: int, free_cots: int, expected: rules.Allocation | None
) -> None:
    need = Need(sex="female", age=25, children_ages=children)
    assert rules.allocation(need, free_beds, free_cots) == expected


def test_haversine_between_cairo_and_aswan_is_about_680_km() -> None:
    assert round(rules.haversine_km(30.0444, 31.2357, 24.0889, 32.8998)) == 682


@given(st.floats(-89, 89), st.floats(-179, 179), st.floats(-89, 89), st.floats(-179, 179))
def test_haversine_is_symmetric_and_never_negative(a: float, b: float, c: float, d: float) -> None:
    there = rules.haversine_km(a, b, c, d)
    assert there >= 0
    assert there == pytest.approx(rules.haversine_km(c, d, a, b), abs=1e-6)


def test_nights_and_occupied_nights_agree() -> None:
    admitted, left = date(2026, 11, 1), date(2026, 11, 4)
    nights = [date(2026, 10, 31 + 0)] + [date(2026, 11, day) for day in range(1, 6)]
    occupied = [night for night in nights if rules.occupies_night(admitted, left, night)]
    assert occupied == [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
    assert rules.nights_between(admitted, left) == len(occupied) == 3


def test_languages_are_parsed_into_codes() -> None:
    assert rules.parse_languages("AR, en ,am,,xx1, ar") == ["ar", "en", "am"]


def test_an_unknown_age_is_a_minor_age_group() -> None:
    assert rules.age_group(None) == rules.AgeGroup.MINOR


def test_new_bed_labels_follow_the_highest_number_used() -> None:
    from himaya.shelters.rules import next_bed_labels

    assert next_bed_labels({"B1", "B3", "C1", "x"}, "B", 2) == ["B4", "B5"]
    assert next_bed_labels(set(), "C", 1) == ["C1"]
    assert next_bed_labels({"B1"}, "B", 0) == []


def test_language_codes_are_checked_and_normalised() -> None:
    from himaya.shelters.rules import invalid_languages, normalise_languages

    assert invalid_languages("ar, en ,am") == []
    assert invalid_languages("ar, English") == ["English"]
    assert normalise_languages("AR، en , am, ar") == "ar,en,am"
