import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himaya.core.bounds import MAX_TEXT_LENGTH
from himaya.fund.rules import (
    CENT,
    MAX_DOCUMENTS_PER_PAYMENT,
    MAX_DOCUMENTS_PER_UPLOAD,
    MAX_REQUEST_AMOUNT,
    amount_problem,
    balances_from_sums,
    document_count_problem,
    fiscal_year_of,
    line_year_problem,
    money,
    needs_second_approval,
    payment_request_problems,
    period_problem,
    recognise_document,
    sniff_document,
)
from himaya.fund.tests import samples

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


# Whole documents: the structure must hold to the end, not only the first bytes.


def _pillow(kind: str, **options: object) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, kind, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (samples.pdf(), "application/pdf"),
        (samples.pdf(pages=3) + b"\r\n", "application/pdf"),
        (samples.png(), "image/png"),
        (samples.png(300, 1), "image/png"),
        (samples.jpeg(), "image/jpeg"),
        (samples.jpeg() + b"\xff\xd8 a second picture", "image/jpeg"),
    ],
    ids=["pdf", "pdf of three pages", "png", "wide png", "jpeg", "jpeg with appended data"],
)
def test_complete_documents_are_recognised(content: bytes, expected: str) -> None:
    assert recognise_document(content) is not None
    assert recognise_document(content)[0] == expected  # type: ignore[index]


@pytest.mark.parametrize(
    ("kind", "options"),
    [("PNG", {}), ("JPEG", {}), ("JPEG", {"progressive": True}), ("PDF", {})],
)
def test_documents_written_by_real_software_are_recognised(kind: str, options: dict) -> None:
    assert recognise_document(_pillow(kind, **options)) is not None


def test_a_pdf_with_a_cross_reference_stream_is_recognised() -> None:
    from weasyprint import HTML

    content = HTML(string="<p dir='rtl'>إيصال استلام</p>").write_pdf()
    assert content is not None
    assert recognise_document(content) == ("application/pdf", "pdf")


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-",
        b"%PDF-1.7\n" + b"\x00" * 100 + b"%%EOF",
        samples.pdf().replace(b"/Root", b"/Rout"),
        samples.pdf() + b"trailing junk",
        b"%PDF-1.4\nendobj\nstartxref\n999999\n%%EOF\n",
        b"\x89PNG\r\n\x1a\n",
        samples.png()[:40],
        samples.png() + b"\x00",
        samples.png().replace(b"IDAT", b"IDAX"),
        b"\xff\xd8\xff",
        samples.jpeg().replace(b"\xff\xc0", b"\xff\xe1"),  # no frame header before the scan
        samples.jpeg()[:-2],
        b"",
    ],
)
def test_incomplete_or_forged_documents_are_refused(content: bytes) -> None:
    assert recognise_document(content) is None


def test_a_statement_period_is_plausible_and_bounded() -> None:
    today = date(2026, 3, 15)
    assert period_problem(date(2025, 7, 1), date(2026, 6, 30), today=today) is None
    assert period_problem(date(1, 1, 1), date(9999, 12, 31), today=today) is not None
    assert period_problem(date(2026, 6, 30), date(2025, 7, 1), today=today) is not None
    assert period_problem(date(2000, 1, 1), date(2026, 1, 1), today=today) is not None
    assert period_problem(date(2021, 3, 1), date(2026, 2, 28), today=today) is None


def test_a_budget_line_opens_on_the_current_or_the_next_fiscal_year_only() -> None:
    today = date(2026, 3, 15)
    assert line_year_problem(date(2025, 7, 1), today=today) is None
    assert line_year_problem(date(2026, 7, 1), today=today) is None
    assert line_year_problem(date(2024, 7, 1), today=today) is not None
    assert line_year_problem(date(2027, 7, 1), today=today) is not None


def test_request_amounts_and_justifications_are_bounded() -> None:
    ok = payment_request_problems(amount=MAX_REQUEST_AMOUNT, justification="أدوية")
    assert ok == {}
    too_much = payment_request_problems(
        amount=MAX_REQUEST_AMOUNT + CENT, justification="x" * (MAX_TEXT_LENGTH + 1)
    )
    assert set(too_much) == {"amount", "justification"}
    assert set(payment_request_problems(amount=Decimal("1.001"), justification=" ")) == {
        "amount",
        "justification",
    }
    assert amount_problem(Decimal("NaN"), maximum=MAX_REQUEST_AMOUNT) is not None
    assert amount_problem(Decimal("-1"), maximum=MAX_REQUEST_AMOUNT) is not None


def test_documents_are_bounded_per_upload_and_per_request() -> None:
    assert document_count_problem(adding=MAX_DOCUMENTS_PER_UPLOAD, already=0) is None
    assert document_count_problem(adding=MAX_DOCUMENTS_PER_UPLOAD + 1, already=0) is not None
    assert document_count_problem(adding=1, already=MAX_DOCUMENTS_PER_PAYMENT) is not None
    assert document_count_problem(adding=0, already=0) is not None
