"""Pure rules of the fund: fiscal years, balances, limits, file types. No database here."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

# Magic numbers of the accepted supporting documents: (prefix, content type, extension).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def money(value: Decimal | int | str) -> Decimal:
    """An amount in EGP with exactly two places."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fiscal_year_of(day: date) -> tuple[date, date, str]:
    """Egypt's fiscal year holding ``day``: 1 July to 30 June, labelled ``2025/26``."""
    first = day.year if day.month >= 7 else day.year - 1
    return date(first, 7, 1), date(first + 1, 6, 30), f"{first}/{(first + 1) % 100:02d}"


@dataclass(frozen=True)
class Balances:
    allocated: Decimal
    committed: Decimal
    paid: Decimal
    available: Decimal


def balances_from_sums(
    *,
    allocation: Decimal,
    commitment: Decimal,
    release: Decimal,
    payment: Decimal,
    reversal: Decimal,
) -> Balances:
    """Balances from the sum of each kind of movement.

    A commitment reserves money; a release gives it back; a payment turns a commitment
    into money paid; a reversal returns paid money to the available balance.
    """
    committed = commitment - release - payment
    paid = payment - reversal
    return Balances(
        allocated=money(allocation),
        committed=money(committed),
        paid=money(paid),
        available=money(allocation - committed - paid),
    )


def needs_second_approval(
    *,
    amount: Decimal,
    per_request: Decimal | None,
    per_survivor_year: Decimal | None,
    survivor_year_total: Decimal,
) -> bool:
    """True when the request goes beyond a limit: it then needs a second approver.

    ``survivor_year_total`` is what the survivor already has approved or paid in the
    fiscal year, without this request.
    """
    if per_request is not None and amount > per_request:
        return True
    return per_survivor_year is not None and survivor_year_total + amount > per_survivor_year


def sniff_document(head: bytes) -> tuple[str, str] | None:
    """The (content type, extension) of a document from its first bytes, or None."""
    for prefix, content_type, extension in SIGNATURES:
        if head.startswith(prefix):
            return content_type, extension
    return None
