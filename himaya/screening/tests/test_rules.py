"""The screening decision rule, on its own (no database)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaya.screening import rules
from himaya.screening.models import Outcome, outcome_for
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


TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("birth_year", "age_at_recruitment", "recruited_on", "child"),
    [
        (None, None, None, True),  # unknown age: presumed a child
        (2009, None, None, True),  # estimated 17 today
        (2008, None, None, False),  # 18 this year
        (2001, None, None, False),  # 25
        (2007, 16, None, True),  # recruited at 16, 19 today
        (2007, None, dt.date(2023, 5, 1), True),  # 16 on the day of recruitment
        (2001, 25, None, False),
        (None, 20, None, False),  # the age at recruitment decides, not the unknown birth
        (None, None, dt.date(2023, 5, 1), True),  # a date without a birth year says nothing
        (1990, None, dt.date(2020, 1, 1), False),
    ],
    ids=[
        "unknown age",
        "estimated 17",
        "18",
        "25",
        "recruited at 16 but 19 today",
        "recruited on a date at 16 but 19 today",
        "recruited at 25",
        "recruited at 20, birth unknown",
        "recruitment date, birth unknown",
        "recruited at 30 by date",
    ],
)
def test_the_child_set_and_rule_follow_the_age_at_recruitment(
    birth_year: int | None,
    age_at_recruitment: int | None,
    recruited_on: dt.date | None,
    child: bool,
) -> None:
    assert (
        rules.child_at_recruitment(
            birth_year=birth_year,
            age_at_recruitment=age_at_recruitment,
            recruited_on=recruited_on,
            today=TODAY,
        )
        is child
    )


@pytest.mark.parametrize(
    ("positive", "child", "outcome"),
    [
        (("EX",), True, Outcome.CHILD_PROTECTION),
        (("EX", "CD", "VD"), True, Outcome.CHILD_PROTECTION),
        (("EX",), False, Outcome.EXPLOITATION),
        (("DR", "EX"), True, Outcome.INDICATED),
        ((), True, Outcome.NOT_INDICATED),
    ],
)
def test_a_child_exploited_is_never_a_labour_rights_case(
    positive: tuple[str, ...], child: bool, outcome: Outcome
) -> None:
    decision = rules.Decision(
        finding=rules.combine(positive, child=child),
        child_rule=child,
        dimensions=(),
        rule_version=rules.RULE_VERSION,
    )
    assert outcome_for(decision) == outcome


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
