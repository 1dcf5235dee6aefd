from decimal import Decimal

import pytest

from himaya.justice import rules

STATUSES = ["reported", "under_investigation", "prosecuted", "tried", "closed"]
ALLOWED = {
    ("reported", "under_investigation"),
    ("reported", "closed"),
    ("under_investigation", "prosecuted"),
    ("under_investigation", "closed"),
    ("prosecuted", "tried"),
    ("prosecuted", "closed"),
    ("tried", "closed"),
}


@pytest.mark.parametrize(
    ("current", "target"),
    [(current, target) for current in STATUSES for target in STATUSES],
    ids=[f"{current}-to-{target}" for current in STATUSES for target in STATUSES],
)
def test_a_proceeding_moves_only_along_its_track(current: str, target: str) -> None:
    assert rules.can_transition(current, target) is ((current, target) in ALLOWED)


def test_the_allowed_targets_follow_the_order_of_the_track() -> None:
    assert rules.allowed_targets("reported") == ["under_investigation", "closed"]
    assert rules.allowed_targets("closed") == []


def test_closing_needs_a_known_outcome() -> None:
    assert rules.closing_needs_outcome("closed", "pending") is True
    assert rules.closing_needs_outcome("closed", "conviction") is False
    assert rules.closing_needs_outcome("tried", "pending") is False


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        (None, None),
        (Decimal("0"), None),
        (Decimal("150000.00"), None),
        (Decimal("-0.01"), "negative"),
        (Decimal("10000000000"), "too_large"),
        (Decimal("1.005"), "cents"),
        (Decimal("NaN"), "too_large"),
    ],
    ids=["none", "zero", "large-award", "negative", "too-large", "three-places", "nan"],
)
def test_money_is_refused_only_when_negative_too_large_or_finer_than_a_piastre(
    amount: Decimal | None, problem: str | None
) -> None:
    assert rules.money_problem(amount) == problem


def test_an_amount_goes_with_its_date() -> None:
    assert rules.amount_and_date_agree(None, None) is True
    assert rules.amount_and_date_agree(Decimal("1"), "2026-01-01") is True
    assert rules.amount_and_date_agree(Decimal("1"), None) is False
    assert rules.amount_and_date_agree(None, "2026-01-01") is False


def test_charge_rules() -> None:
    assert rules.charge_result_needs_date("dropped", None) is True
    assert rules.charge_result_needs_date("pending", None) is False
    assert rules.drop_request_complete(None, "") is True
    assert rules.drop_request_complete("2026-01-01", "") is False
    assert rules.justification_missing(True, " ") is True
    assert rules.justification_missing(False, "") is False


@pytest.mark.parametrize(
    ("kind", "status", "fields", "allowed", "expected"),
    [
        ("police", "accepted", ["justice"], True, True),
        ("prosecution", "accepted", ["sex", "justice"], True, True),
        ("police", "sent", ["justice"], True, False),
        ("police", "completed", ["justice"], True, False),
        ("police", "accepted", ["first_name"], True, False),
        ("police", "accepted", ["justice"], False, False),
        ("embassy", "accepted", ["justice"], True, False),
    ],
    ids=[
        "police-accepted",
        "prosecution-accepted",
        "sent",
        "completed",
        "not-shared",
        "consent-gone",
        "embassy-never",
    ],
)
def test_a_partner_sees_the_justice_record_only_through_an_accepted_shared_referral(
    kind: str, status: str, fields: list[str], allowed: bool, expected: bool
) -> None:
    assert (
        rules.partner_sees_justice(
            agency_kind=kind,
            referral_status=status,
            shared_fields=fields,
            sharing_allowed=allowed,
        )
        is expected
    )
