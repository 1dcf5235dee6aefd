from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaya.referrals import rules

STATUSES = list(rules.TRANSITIONS)
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


def test_sent_may_be_accepted_declined_or_cancelled() -> None:
    assert rules.TRANSITIONS[rules.SENT] == {rules.ACCEPTED, rules.DECLINED, rules.CANCELLED}


def test_accepted_may_be_completed_or_cancelled() -> None:
    assert rules.TRANSITIONS[rules.ACCEPTED] == {rules.COMPLETED, rules.CANCELLED}


@pytest.mark.parametrize("status", [rules.DECLINED, rules.COMPLETED, rules.CANCELLED])
def test_closed_referrals_never_move_again(status: str) -> None:
    assert all(not rules.can_transition(status, target) for target in STATUSES)


def test_nothing_goes_back_to_sent() -> None:
    assert all(not rules.can_transition(status, rules.SENT) for status in STATUSES)


@given(moments, st.integers(min_value=1, max_value=24 * 30))
def test_deadline_is_the_sending_time_plus_the_response_hours(sent: datetime, hours: int) -> None:
    assert rules.response_deadline(sent, hours) - sent == timedelta(hours=hours)


def test_deadline_refuses_a_zero_response_time() -> None:
    with pytest.raises(ValueError):
        rules.response_deadline(datetime(2026, 1, 1, tzinfo=UTC), 0)


@given(st.sampled_from(STATUSES), moments, st.integers(min_value=-500, max_value=500))
def test_only_an_unanswered_referral_past_its_deadline_is_overdue(
    status: str, deadline: datetime, minutes: int
) -> None:
    now = deadline + timedelta(minutes=minutes)
    assert rules.is_overdue(status=status, respond_by=deadline, now=now) == (
        status == rules.SENT and minutes > 0
    )


def test_embassies_need_the_embassy_consent_and_others_the_referral_one() -> None:
    assert rules.consent_purpose_for("embassy") == "embassy"
    assert rules.consent_purpose_for("ngo") == "referral"
    assert rules.consent_purpose_for("police") == "referral"


@given(st.lists(st.sampled_from(rules.SHAREABLE)))
def test_cleaned_fields_keep_the_fixed_order_without_repeats(fields: list[str]) -> None:
    cleaned = rules.clean_shared_fields(fields)
    assert set(cleaned) == set(fields)
    assert cleaned == [name for name in rules.SHAREABLE if name in cleaned]


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValueError):
        rules.clean_shared_fields(["first_name", "address"])


@given(st.lists(st.sampled_from(rules.SHAREABLE)))
def test_shared_values_hold_exactly_the_picked_fields(fields: list[str]) -> None:
    source = {name: f"value of {name}" for name in rules.SHAREABLE}
    shared = rules.shared_values(fields, source)
    assert [name for name, _value in shared] == rules.clean_shared_fields(fields)
    assert all(value == source[name] for name, value in shared)


@pytest.mark.parametrize(
    ("is_open", "consent", "overridden", "shows"),
    [
        (True, True, False, True),
        (True, False, False, False),
        (True, False, True, True),
        (False, True, False, False),
        (False, False, True, False),
    ],
)
def test_shared_fields_show_only_while_open_and_on_a_standing_basis(
    is_open: bool, consent: bool, overridden: bool, shows: bool
) -> None:
    assert (
        rules.shows_shared_fields(
            is_open=is_open,
            to_embassy=False,
            consent_stands=consent,
            overridden=overridden,
            embassy_refusal=None,
        )
        == shows
    )


@pytest.mark.parametrize(
    ("country", "nationality", "consent", "refusal"),
    [
        ("ET", "ET", True, None),
        (" et ", "ET", True, None),
        ("ET", "ET", False, rules.EMBASSY_NO_CONSENT),
        ("ET", "SD", True, rules.EMBASSY_OTHER_COUNTRY),
        ("ET", "SD", False, rules.EMBASSY_OTHER_COUNTRY),
        ("ET", "", True, rules.EMBASSY_OTHER_COUNTRY),
        ("", "ET", True, rules.EMBASSY_NO_COUNTRY),
        ("", "", True, rules.EMBASSY_NO_COUNTRY),
    ],
)
def test_an_embassy_receives_only_its_own_nationals_who_consented_to_it(
    country: str, nationality: str, consent: bool, refusal: str | None
) -> None:
    assert (
        rules.embassy_refusal(
            embassy_country=country,
            survivor_nationality=nationality,
            consent_for_this_embassy=consent,
            survivor_protected=False,
        )
        == refusal
    )


@pytest.mark.parametrize(
    ("country", "nationality", "consent"),
    [("ET", "ET", True), ("ET", "ET", False), ("ET", "SD", True), ("", "ET", True)],
)
def test_no_embassy_receives_a_survivor_under_international_protection(
    country: str, nationality: str, consent: bool
) -> None:
    assert (
        rules.embassy_refusal(
            embassy_country=country,
            survivor_nationality=nationality,
            consent_for_this_embassy=consent,
            survivor_protected=True,
        )
        == rules.EMBASSY_PROTECTED
    )


@given(
    is_open=st.booleans(),
    consent=st.booleans(),
    overridden=st.booleans(),
    refusal=st.sampled_from(
        [
            None,
            rules.EMBASSY_NO_CONSENT,
            rules.EMBASSY_OTHER_COUNTRY,
            rules.EMBASSY_NO_COUNTRY,
            rules.EMBASSY_PROTECTED,
        ]
    ),
)
def test_an_embassy_sees_shared_fields_only_while_open_and_the_embassy_rule_holds(
    is_open: bool, consent: bool, overridden: bool, refusal: str | None
) -> None:
    """Neither a consent for the referral purpose nor an override counts for an embassy."""
    assert rules.shows_shared_fields(
        is_open=is_open,
        to_embassy=True,
        consent_stands=consent,
        overridden=overridden,
        embassy_refusal=refusal,
    ) == (is_open and refusal is None)


@pytest.mark.parametrize(
    ("full", "first"),
    [("فاطمة أحمد حسن", "فاطمة"), ("  Amina  Ali ", "Amina"), ("", ""), (None, "")],
)
def test_first_name_is_the_first_word(full: str | None, first: str) -> None:
    assert rules.first_name(full) == first
