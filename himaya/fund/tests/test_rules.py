from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from himaya.fund.rules import (
    balances_from_sums,
    fiscal_year_of,
    money,
    needs_second_approval,
    sniff_document,
)

amounts = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)


def test_fiscal_year_runs_from_first_of_july_to_thirtieth_of_june() -> None:
    assert fiscal_year_of(date(2025, 7, 1)) == (date(2025, 7, 1), date(2026, 6, 30), "2025/26")
    assert fiscal_year_of(date(2026, 6, 30)) == (date(2025, 7, 1), date(2026, 6, 30), "2025/26")
    assert fiscal_year_of(date(2026, 7, 1))[2] == "2026/27"
    assert fiscal_year_of(date(2099, 12, 31))[2] == "2099/00"


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2200, 12, 31)))
def test_every_day_falls_inside_its_fiscal_year(day: date) -> None:
    start, end, _label = fiscal_year_of(day)
    assert start <= day <= end
    assert (start.month, start.day, end.month, end.day) == (7, 1, 6, 30)


def test_money_keeps_two_places() -> None:
    assert money("10") == Decimal("10.00")
    assert money(Decimal("0.005")) == Decimal("0.01")


@given(amounts, amounts, amounts, amounts)
def test_balances_always_add_up_to_the_allocation(
    allocation: Decimal, commitment: Decimal, release: Decimal, reversal: Decimal
) -> None:
    payment = commitment  # everything committed was paid
    b = balances_from_sums(
        allocation=allocation,
        commitment=commitment,
        release=release,
        payment=payment,
        reversal=reversal,
    )
    assert b.committed + b.paid + b.available == b.allocated


def test_a_reversal_returns_the_payment_to_the_available_balance() -> None:
    paid = balances_from_sums(
        allocation=Decimal(1000),
        commitment=Decimal(300),
        release=Decimal(0),
        payment=Decimal(300),
        reversal=Decimal(0),
    )
    reversed_ = balances_from_sums(
        allocation=Decimal(1000),
        commitment=Decimal(300),
        release=Decimal(0),
        payment=Decimal(300),
        reversal=Decimal(300),
    )
    assert (paid.paid, paid.available) == (Decimal("300.00"), Decimal("700.00"))
    assert (reversed_.paid, reversed_.available) == (Decimal("0.00"), Decimal("1000.00"))


def test_second_approval_is_needed_beyond_either_limit() -> None:
    def check(amount: int, already: int) -> bool:
        return needs_second_approval(
            amount=Decimal(amount),
            per_request=Decimal(3000),
            per_survivor_year=Decimal(5000),
            survivor_year_total=Decimal(already),
        )

    assert check(3000, 0) is False
    assert check(3001, 0) is True
    assert check(2000, 3000) is False
    assert check(2001, 3000) is True
    assert (
        needs_second_approval(
            amount=Decimal(10**6),
            per_request=None,
            per_survivor_year=None,
            survivor_year_total=Decimal(0),
        )
        is False
    )


def test_documents_are_recognised_by_their_first_bytes_only() -> None:
    assert sniff_document(b"%PDF-1.7\n") == ("application/pdf", "pdf")
    assert sniff_document(b"\x89PNG\r\n\x1a\n....") == ("image/png", "png")
    assert sniff_document(b"\xff\xd8\xff\xe0") == ("image/jpeg", "jpg")
    assert sniff_document(b"MZ\x90\x00") is None
    assert sniff_document(b"<html>%PDF-") is None
