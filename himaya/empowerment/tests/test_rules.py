"""The pure rules: eligibility with its explanations, the follow-up schedule, arithmetic."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from himaya.cases.models import Phase
from himaya.empowerment import rules
from himaya.empowerment.rules import Applicant, EligibilityRules, check_eligibility
from himaya.survivors.models import Sex

MASTOURA = EligibilityRules(
    allowed_sexes=frozenset({"female"}),
    min_age=21,
    max_age=60,
    requires_reintegration=True,
)
TAKAFUL = EligibilityRules(min_age=18, household_roles=frozenset({"head", "spouse"}))


def applicant(**overrides: object) -> Applicant:
    values: dict = {
        "sex": "female",
        "age": 30,
        "household_role": "head",
        "case_phase": "reintegration",
    }
    values.update(overrides)
    return Applicant(**values)


def ar(label: object) -> str:
    """A label of another app in Arabic (its catalogue owns the word)."""
    with override("ar"):
        return str(label)


def reason(decision: rules.Decision, rule: str) -> rules.Reason:
    return next(r for r in decision.reasons if r.rule == rule)


def test_a_woman_of_thirty_in_reintegration_is_eligible_for_mastoura_with_every_reason() -> None:
    decision = check_eligibility(MASTOURA, applicant())
    assert decision.eligible is True
    assert [r.rule for r in decision.reasons] == ["sex", "age", "household_role", "phase"]
    assert all(r.passed for r in decision.reasons)
    assert reason(decision, "sex").text_en == "Sex Female: the programme accepts Female."
    female = ar(Sex.FEMALE.label)
    assert reason(decision, "sex").text_ar == f"الجنس {female}: يقبل البرنامج {female}."
    assert reason(decision, "age").text_en == "Age 30 is within the programme's ages (21 to 60)."
    assert (
        reason(decision, "age").text_ar
        == "العمر 30 ضمن الأعمار التي يقبلها البرنامج (من 21 إلى 60)."
    )
    assert reason(decision, "phase").text_en == (
        "The case is in the Reintegration phase, as the programme requires."
    )
    assert reason(decision, "phase").text_ar == (
        f"الحالة في مرحلة {ar(Phase.REINTEGRATION.label)}، كما يشترط البرنامج."
    )


def test_sex_rule_refuses_a_man_for_mastoura_and_says_why_in_both_languages() -> None:
    decision = check_eligibility(MASTOURA, applicant(sex="male"))
    assert decision.eligible is False
    assert [r.rule for r in decision.failed] == ["sex"]
    assert decision.failed[0].text_en == (
        "The programme accepts only Female; the survivor is recorded as Male."
    )
    assert decision.failed[0].text_ar == (
        f"يقبل البرنامج فقط: {ar(Sex.FEMALE.label)}؛ والناجي/ة مسجَّل بوصفه {ar(Sex.MALE.label)}."
    )


def test_age_rule_refuses_below_the_minimum_age() -> None:
    decision = check_eligibility(MASTOURA, applicant(age=19))
    assert [r.rule for r in decision.failed] == ["age"]
    assert decision.failed[0].text_en == "Age 19 is below the programme's minimum age of 21."
    assert decision.failed[0].text_ar == "العمر 19 أقل من الحد الأدنى لعمر البرنامج وهو 21."


def test_age_rule_refuses_above_the_maximum_age() -> None:
    decision = check_eligibility(MASTOURA, applicant(age=61))
    assert [r.rule for r in decision.failed] == ["age"]
    assert decision.failed[0].text_en == "Age 61 is above the programme's maximum age of 60."
    assert decision.failed[0].text_ar == "العمر 61 أعلى من الحد الأقصى لعمر البرنامج وهو 60."


def test_age_rule_refuses_an_unknown_age_when_the_programme_has_a_limit() -> None:
    decision = check_eligibility(MASTOURA, applicant(age=None))
    assert [r.rule for r in decision.failed] == ["age"]
    assert decision.failed[0].text_en == (
        "The survivor's year of birth is not recorded, and the programme has an age limit."
    )
    assert decision.failed[0].text_ar == "سنة ميلاد الناجي/ة غير مسجَّلة، وللبرنامج حد للعمر."


def test_household_role_rule_refuses_a_daughter_for_takaful() -> None:
    decision = check_eligibility(TAKAFUL, applicant(household_role="child"))
    assert [r.rule for r in decision.failed] == ["household_role"]
    assert decision.failed[0].text_en == (
        "The programme accepts only Head of household or breadwinner, Spouse of the head of "
        "household; the survivor's household role is Son or daughter of the household."
    )
    assert decision.failed[0].text_ar == (
        "يقبل البرنامج فقط: ربّ الأسرة أو عائلها، زوج ربّ الأسرة أو زوجته؛ "
        "ودور الناجي/ة في الأسرة: ابن أو ابنة في الأسرة."
    )


def test_household_role_rule_accepts_a_woman_breadwinner_for_takaful() -> None:
    decision = check_eligibility(TAKAFUL, applicant())
    assert decision.eligible is True
    assert reason(decision, "household_role").text_en == (
        "Household role Head of household or breadwinner: the programme accepts Head of "
        "household or breadwinner, Spouse of the head of household."
    )


def test_phase_rule_refuses_a_case_still_in_assistance() -> None:
    decision = check_eligibility(MASTOURA, applicant(case_phase="assistance"))
    assert [r.rule for r in decision.failed] == ["phase"]
    assert decision.failed[0].text_en == (
        "The programme requires the case to be in reintegration or follow-up; "
        "it is in the Assistance phase."
    )
    assert decision.failed[0].text_ar == (
        "يشترط البرنامج أن تكون الحالة في مرحلة إعادة الإدماج أو المتابعة؛ "
        f"وهي في مرحلة {ar(Phase.ASSISTANCE.label)}."
    )


def test_phase_rule_accepts_follow_up() -> None:
    assert check_eligibility(MASTOURA, applicant(case_phase="follow_up")).eligible is True


def test_a_programme_without_rules_explains_that_it_is_open_to_all() -> None:
    decision = check_eligibility(EligibilityRules(), applicant(sex="male", age=None))
    assert decision.eligible is True
    assert [r.text_en for r in decision.reasons] == [
        "The programme is open to every sex.",
        "The programme has no age limit.",
        "The programme is open to every household role.",
        "The programme accepts cases in any phase.",
    ]
    assert [r.text_ar for r in decision.reasons] == [
        "البرنامج مفتوح لجميع الأجناس.",
        "لا يوجد حد للعمر في البرنامج.",
        "البرنامج مفتوح لجميع الأدوار في الأسرة.",
        "يقبل البرنامج الحالات في أي مرحلة.",
    ]


@given(
    sex=st.sampled_from(["female", "male", "other", "unknown"]),
    age=st.one_of(st.none(), st.integers(0, 100)),
    role=st.sampled_from(["head", "spouse", "child", "other", "alone"]),
    phase=st.sampled_from(
        ["identification", "protection", "assistance", "reintegration", "follow_up"]
    ),
)
def test_eligible_exactly_when_no_rule_fails(
    sex: str, age: int | None, role: str, phase: str
) -> None:
    decision = check_eligibility(MASTOURA, Applicant(sex, age, role, phase))
    expected = (
        sex == "female"
        and age is not None
        and 21 <= age <= 60
        and phase in ("reintegration", "follow_up")
    )
    assert decision.eligible is expected
    assert decision.eligible is (decision.failed == ())


def test_follow_up_schedule_has_six_monthly_then_six_quarterly_visits() -> None:
    assert rules.follow_up_schedule(date(2026, 1, 31)) == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 10, 31),
        date(2027, 1, 31),
        date(2027, 4, 30),
        date(2027, 7, 31),
        date(2027, 10, 31),
        date(2028, 1, 31),
    ]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)))
def test_follow_up_schedule_always_has_twelve_increasing_visits_ending_at_two_years(
    start: date,
) -> None:
    schedule = rules.follow_up_schedule(start)
    assert len(schedule) == 12
    assert schedule == sorted(schedule)
    assert schedule[-1] == rules.add_months(start, 24)


@pytest.mark.parametrize(
    ("due_on", "done_on", "overdue"),
    [
        (date(2026, 3, 1), None, True),
        (date(2026, 3, 2), None, False),
        (date(2026, 3, 3), None, False),
        (date(2026, 3, 1), date(2026, 3, 1), False),
    ],
)
def test_a_visit_is_overdue_only_after_its_due_date_and_when_not_done(
    due_on: date, done_on: date | None, overdue: bool
) -> None:
    assert rules.is_overdue(due_on=due_on, done_on=done_on, today=date(2026, 3, 2)) is overdue


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 1, 31), date(2026, 2, 28), 1),
        (date(2026, 1, 15), date(2026, 7, 14), 5),
        (date(2026, 1, 15), date(2026, 7, 15), 6),
        (date(2026, 1, 15), date(2025, 7, 15), 0),
    ],
)
def test_full_months_between_counts_whole_months(start: date, end: date, months: int) -> None:
    assert rules.full_months_between(start, end) == months


def test_share_is_withheld_below_five_people() -> None:
    assert rules.share(3, 4) is None
    assert rules.share(0, 0) is None
    assert rules.share(2, 3) is None
    assert rules.share(4, 6) == Decimal("66.7")
    assert rules.share(5, 5) == Decimal("100.0")


def test_amount_within_range() -> None:
    assert rules.amount_within_range(Decimal("4000"), Decimal("4000"), Decimal("20000"))
    assert not rules.amount_within_range(Decimal("3999.99"), Decimal("4000"), Decimal("20000"))
    assert not rules.amount_within_range(Decimal("20000.01"), Decimal("4000"), Decimal("20000"))
    assert rules.amount_within_range(None, Decimal("4000"), Decimal("20000"))
