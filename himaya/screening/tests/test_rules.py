"""The screening decision rule, on its own (no database)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaya.screening import rules
from himaya.screening.rules import Finding, Indicator

# A synthetic catalogue: in every dimension 3 strong, 4 medium and 3 weak indicators.
CATALOGUE = [
    Indicator(code=f"{d}-{s[0].upper()}{n}", dimension=d, strength=s)
    for d in rules.DIMENSIONS
    for s, count in (("strong", 3), ("medium", 4), ("weak", 3))
    for n in range(1, count + 1)
]
CODES = [i.code for i in CATALOGUE]


def yes(*codes: str) -> dict[str, str]:
    return dict.fromkeys(codes, "yes")


@pytest.mark.parametrize(
    ("strong", "medium", "weak", "positive"),
    [
        (0, 0, 0, False),
        (2, 0, 0, True),  # two strong
        (1, 1, 0, True),  # one strong + one medium
        (1, 0, 1, True),  # one strong + one weak
        (0, 3, 0, True),  # three medium
        (0, 2, 1, True),  # two medium + one weak
        (1, 0, 0, False),  # one strong alone is not enough
        (0, 2, 0, False),  # two medium alone are not enough
        (0, 1, 1, False),
        (0, 1, 2, False),
        (0, 0, 1, False),  # weak alone never
        (0, 0, 3, False),
        (0, 0, 50, False),
        (0, 1, 50, False),
        (3, 4, 3, True),
    ],
)
def test_dimension_is_positive_exactly_by_the_four_thresholds(
    strong: int, medium: int, weak: int, positive: bool
) -> None:
    assert rules.dimension_positive(strong, medium, weak) is positive


@pytest.mark.parametrize(
    ("positive", "child", "finding"),
    [
        ((), False, Finding.NOT_INDICATED),
        (("DR", "CR", "VR", "CD", "VD"), False, Finding.NOT_INDICATED),  # no exploitation
        (("EX",), False, Finding.EXPLOITED_NOT_TRAFFICKED),
        (("EX", "CD", "VD"), False, Finding.EXPLOITED_NOT_TRAFFICKED),  # no recruitment
        (("DR", "EX"), False, Finding.DECEIVED_AND_EXPLOITED),
        (("VR", "EX"), False, Finding.DECEIVED_AND_EXPLOITED),
        (("DR", "EX", "CD"), False, Finding.TRAFFICKED),
        (("CR", "EX", "VD"), False, Finding.TRAFFICKED),
        (("VR", "EX", "CD"), False, Finding.TRAFFICKED),
        (("DR", "CR", "VR", "CD", "VD"), True, Finding.NOT_INDICATED),
        (("EX",), True, Finding.EXPLOITED_NOT_TRAFFICKED),
        (("DR", "EX"), True, Finding.TRAFFICKED),  # child: means at destination not required
        (("CR", "EX"), True, Finding.TRAFFICKED),
        (("EX", "CD"), True, Finding.EXPLOITED_NOT_TRAFFICKED),
    ],
)
def test_dimensions_combine_by_the_adult_and_the_child_rule(
    positive: tuple[str, ...], child: bool, finding: Finding
) -> None:
    assert rules.combine(positive, child=child) == finding


def test_weak_indicators_alone_never_make_any_dimension_positive() -> None:
    weak = [i.code for i in CATALOGUE if i.strength == "weak"]
    decision = rules.decide(CATALOGUE, yes(*weak), child=False)
    assert decision.positive_dimensions == ()
    assert decision.finding == Finding.NOT_INDICATED


def test_one_strong_in_every_dimension_is_not_enough() -> None:
    decision = rules.decide(CATALOGUE, yes(*(f"{d}-S1" for d in rules.DIMENSIONS)), child=False)
    assert decision.positive_dimensions == ()


def test_two_medium_in_every_dimension_are_not_enough() -> None:
    codes = [f"{d}-M{n}" for d in rules.DIMENSIONS for n in (1, 2)]
    assert rules.decide(CATALOGUE, yes(*codes), child=False).positive_dimensions == ()


def test_adult_with_recruitment_exploitation_and_destination_means_is_trafficked() -> None:
    answers = yes("DR-S1", "DR-M1", "EX-S1", "EX-S2", "CD-M1", "CD-M2", "CD-W1")
    decision = rules.decide(CATALOGUE, answers, child=False)
    assert decision.positive_dimensions == ("DR", "EX", "CD")
    assert decision.finding == Finding.TRAFFICKED
    assert decision.rule_version == rules.RULE_VERSION


def test_adult_deceived_and_exploited_without_coercion_at_destination_is_partial() -> None:
    decision = rules.decide(
        CATALOGUE, yes("DR-S1", "DR-W1", "EX-M1", "EX-M2", "EX-M3"), child=False
    )
    assert decision.finding == Finding.DECEIVED_AND_EXPLOITED


def test_the_same_answers_for_a_child_are_trafficking() -> None:
    decision = rules.decide(CATALOGUE, yes("DR-S1", "DR-W1", "EX-M1", "EX-M2", "EX-M3"), child=True)
    assert decision.finding == Finding.TRAFFICKED
    assert decision.child_rule is True


def test_the_decision_lists_the_indicators_of_each_dimension() -> None:
    decision = rules.decide(CATALOGUE, yes("DR-S1", "DR-M1", "EX-W1"), child=False)
    by_dimension = {d.dimension: d for d in decision.dimensions}
    assert by_dimension["DR"].indicators == ("DR-S1", "DR-M1")
    assert (by_dimension["DR"].strong, by_dimension["DR"].medium) == (1, 1)
    assert by_dimension["EX"].indicators == ("EX-W1",)
    assert by_dimension["EX"].positive is False


@pytest.mark.parametrize(
    ("birth_year", "year", "child"),
    [
        (2010, 2026, True),
        (2008, 2026, True),
        (2007, 2026, False),
        (1990, 2026, False),
        (None, 2026, False),
    ],
)
def test_a_person_may_be_a_child_by_year_of_birth_in_doubt(
    birth_year: int | None, year: int, child: bool
) -> None:
    assert rules.may_be_child(birth_year=birth_year, year=year) is child


answer_values = st.sampled_from(["yes", "no", "unknown"])
answer_maps = st.dictionaries(st.sampled_from(CODES), answer_values)


@given(answers=answer_maps, extra=st.sampled_from(CODES), child=st.booleans())
def test_adding_a_yes_never_lowers_the_outcome(
    answers: dict[str, str], extra: str, child: bool
) -> None:
    before = rules.decide(CATALOGUE, answers, child=child)
    after = rules.decide(CATALOGUE, {**answers, extra: "yes"}, child=child)
    assert after.finding >= before.finding
    assert set(before.positive_dimensions) <= set(after.positive_dimensions)


@given(answers=answer_maps, child=st.booleans())
def test_unknown_counts_as_no(answers: dict[str, str], child: bool) -> None:
    as_unknown = rules.decide(CATALOGUE, answers, child=child)
    as_no = rules.decide(
        CATALOGUE, {c: ("no" if a == "unknown" else a) for c, a in answers.items()}, child=child
    )
    left_out = rules.decide(
        CATALOGUE, {c: a for c, a in answers.items() if a != "unknown"}, child=child
    )
    assert as_unknown == as_no == left_out


@given(answers=answer_maps)
def test_the_child_rule_never_gives_less_than_the_adult_rule(answers: dict[str, str]) -> None:
    adult = rules.decide(CATALOGUE, answers, child=False)
    child = rules.decide(CATALOGUE, answers, child=True)
    assert child.finding >= adult.finding
