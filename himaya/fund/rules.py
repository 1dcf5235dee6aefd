"""Pure rules of the fund: fiscal years, balances, limits, bounds, file types. No database here.

The bounds below are the same for the pages and the API: forms, serializers and actions all
ask these functions, so a value refused on a page is refused through the API too.
"""

import re
import zlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.core.bounds import (
    EARLIEST_RECORD_DATE,
    LATEST_PLAN_DAYS,
    MAX_ITEMS_PER_REQUEST,
    MAX_TEXT_LENGTH,
    is_plausible_plan_date,
)
from himaya.core.exports import fiscal_year_period

# A message for the user: a lazy translation, or one already filled in.
Message = str | Promise

CENT = Decimal("0.01")
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

# The most one payment request may ask for (EGP). Change it here to configure it: forms,
# serializers and actions all read it.
MAX_REQUEST_AMOUNT = Decimal("1000000.00")
# The most one budget line may allocate (EGP), and the highest limit one may set.
MAX_LINE_AMOUNT = Decimal("1000000000.00")
MAX_LIMIT_AMOUNT = Decimal("100000000.00")
# Supporting documents: at most this many in one upload, and on one payment request.
MAX_DOCUMENTS_PER_UPLOAD = min(10, MAX_ITEMS_PER_REQUEST)
MAX_DOCUMENTS_PER_PAYMENT = 20
# A fund statement covers at most this many days.
MAX_STATEMENT_DAYS = 366 * 5

# Who may do what: each operation asks for any one of these capabilities. Views, the API
# and the actions all read them.
SEE_PAYMENTS = ("fund.view_payments", "fund.view_case_payments")
SEE_FUND = ("fund.view_payments",)
REQUEST = ("fund.request_payment",)
DECIDE = ("fund.approve_payment",)
PAY = ("fund.request_payment", "fund.approve_payment")
REVERSE = ("fund.approve_payment",)
ATTACH = ("fund.request_payment", "fund.approve_payment")
# Opening budget lines and deciding on limits.
MANAGE = ("fund.approve_payment",)

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Magic numbers of the accepted supporting documents: (prefix, content type, extension).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", PDF, "pdf"),
    (PNG_SIGNATURE, PNG, "png"),
    (b"\xff\xd8\xff", JPEG, "jpg"),
)


def money(value: Decimal | int | str) -> Decimal:
    """An amount in EGP with exactly two places."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fiscal_year_of(day: date) -> tuple[date, date, str]:
    """Egypt's fiscal year holding ``day``: 1 July to 30 June, labelled ``2025/26``."""
    starts_on, ends_on = fiscal_year_period(day)
    return starts_on, ends_on, f"{starts_on.year}/{ends_on.year % 100:02d}"


def open_fiscal_year_starts(today: date) -> tuple[date, date]:
    """The first days of the fiscal years a budget line may be opened on: this one and the
    next."""
    start, _end, _label = fiscal_year_of(today)
    return start, start.replace(year=start.year + 1)


def line_year_problem(starts_on: date, *, today: date) -> Message | None:
    """A budget line is opened only on the current or the next fiscal year."""
    if starts_on not in open_fiscal_year_starts(today):
        return _("A budget line can be opened only on the current or the next fiscal year.")
    return None


def amount_problem(amount: Decimal, *, maximum: Decimal) -> Message | None:
    """An amount is positive, has at most two places and is at most ``maximum``."""
    if not amount.is_finite():
        return _("Enter a valid amount.")
    if amount <= 0:
        return _("The amount must be greater than zero.")
    if amount > maximum:
        return _("The amount may not exceed %(maximum)s EGP.") % {"maximum": f"{maximum:,.2f}"}
    if amount.quantize(CENT) != amount:
        return _("Enter an amount with at most two decimal places.")
    return None


def text_problem(value: str, *, required: Promise) -> Message | None:
    """Free text: present (``required`` says what is missing) and not longer than the bound."""
    if not value.strip():
        return required
    if len(value) > MAX_TEXT_LENGTH:
        return _("The text may not be longer than %(limit)s characters.") % {
            "limit": MAX_TEXT_LENGTH
        }
    return None


def payment_request_problems(*, amount: Decimal, justification: str) -> dict[str, Message]:
    """What is wrong with the amount and the justification of a payment request, by field."""
    problems: dict[str, Message] = {}
    amount_error = amount_problem(amount, maximum=MAX_REQUEST_AMOUNT)
    if amount_error is not None:
        problems["amount"] = amount_error
    text_error = text_problem(justification, required=_("Explain why the payment is needed."))
    if text_error is not None:
        problems["justification"] = text_error
    return problems


def limit_problem(value: Decimal | None) -> Message | None:
    """A limit is empty (no limit) or a positive amount of at most ``MAX_LIMIT_AMOUNT``."""
    if value is None:
        return None
    if value <= 0:
        return _("A limit must be greater than zero, or left empty.")
    return amount_problem(value, maximum=MAX_LIMIT_AMOUNT)


def period_problem(start: date, end: date, *, today: date) -> Message | None:
    """A statement period: plausible dates, the end after the start, a bounded span."""
    plausible = [is_plausible_plan_date(day, today=today) for day in (start, end)]
    if not all(plausible):
        return _("Choose dates between %(earliest)s and %(latest)s.") % {
            "earliest": EARLIEST_RECORD_DATE.isoformat(),
            "latest": latest_plan_date(today).isoformat(),
        }
    if end < start:
        return _("The end comes before the start.")
    if (end - start).days + 1 > MAX_STATEMENT_DAYS:
        return _("A statement covers at most %(days)s days.") % {"days": MAX_STATEMENT_DAYS}
    return None


def latest_plan_date(today: date) -> date:
    return date.fromordinal(today.toordinal() + LATEST_PLAN_DAYS)


def document_count_problem(*, adding: int, already: int) -> Message | None:
    """Documents come at most ``MAX_DOCUMENTS_PER_UPLOAD`` at a time, and at most
    ``MAX_DOCUMENTS_PER_PAYMENT`` on one payment request."""
    if adding < 1:
        return _("Choose a file to attach.")
    if adding > MAX_DOCUMENTS_PER_UPLOAD:
        return _("Attach at most %(count)s files at a time.") % {"count": MAX_DOCUMENTS_PER_UPLOAD}
    if already + adding > MAX_DOCUMENTS_PER_PAYMENT:
        return _("A payment request holds at most %(count)s documents.") % {
            "count": MAX_DOCUMENTS_PER_PAYMENT
        }
    return None


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


def recognise_document(content: bytes) -> tuple[str, str] | None:
    """The (content type, extension) of a whole document whose structure is sound, or None.

    The first bytes name the claimed type; the structure must then hold to the end: a PDF
    has its header, a cross-reference section reached from ``startxref`` and a final
    ``%%EOF``; a PNG is a chain of chunks with correct CRCs from ``IHDR`` to ``IEND``; a JPEG
    is a chain of segments with a frame header and a scan, up to its end-of-image marker.
    """
    sniffed = sniff_document(content[:16])
    if sniffed is None:
        return None
    check = {PDF: is_pdf, PNG: is_png, JPEG: is_jpeg}[sniffed[0]]
    return sniffed if check(content) else None


_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
# The last lines of a PDF: ``startxref``, the offset of the last cross-reference section,
# ``%%EOF``, then at most end-of-line characters.
_PDF_END = re.compile(rb"startxref\s+(\d{1,10})\s+%%EOF[\s\x00]*\Z")
_PDF_OBJECT = re.compile(rb"\s*\d{1,10}\s+\d{1,5}\s+obj\b")


def is_pdf(content: bytes) -> bool:
    if not _PDF_HEADER.match(content) or b"endobj" not in content:
        return False
    end = _PDF_END.search(content[-1024:])
    if end is None:
        return False
    offset = int(end.group(1))
    if not 8 < offset < len(content):
        return False
    section = content[offset:]
    if section.lstrip().startswith(b"xref"):
        trailer = section.find(b"trailer")
        return trailer >= 0 and b"/Root" in section[trailer:]
    if _PDF_OBJECT.match(section):  # a cross-reference stream (PDF 1.5 and later)
        dictionary = section[: section.find(b"stream")] if b"stream" in section else b""
        return b"/XRef" in dictionary and b"/Root" in dictionary
    return False


def is_png(content: bytes) -> bool:
    if not content.startswith(PNG_SIGNATURE):
        return False
    position, first, image_data = len(PNG_SIGNATURE), True, False
    while position + 12 <= len(content):
        length = int.from_bytes(content[position : position + 4], "big")
        kind = content[position + 4 : position + 8]
        end = position + 12 + length
        if length >= 2**31 or end > len(content) or not kind.isalpha():
            return False
        data = content[position + 8 : position + 8 + length]
        if zlib.crc32(kind + data) != int.from_bytes(content[end - 4 : end], "big"):
            return False
        if first:
            width, height = int.from_bytes(data[:4], "big"), int.from_bytes(data[4:8], "big")
            if kind != b"IHDR" or length != 13 or not width or not height:
                return False
            first = False
        image_data = image_data or kind == b"IDAT"
        if kind == b"IEND":
            return image_data and end == len(content)
        position = end
    return False


# Markers of a frame header (start of frame), which every image has before its first scan.
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def is_jpeg(content: bytes) -> bool:
    """A chain of segments from start to end of image. Bytes after the end-of-image marker
    are allowed: cameras append further images (multi-picture format) and metadata there."""
    size = len(content)
    if not content.startswith(b"\xff\xd8\xff"):
        return False
    position, frame, scanned = 2, False, False
    while position < size:
        if content[position] != 0xFF:
            return False
        while position < size and content[position] == 0xFF:
            position += 1  # fill bytes
        if position >= size:
            return False
        marker = content[position]
        position += 1
        if marker == 0xD9:
            return frame and scanned
        if marker in _JPEG_STANDALONE:
            continue
        if marker in {0x00, 0xD8} or position + 2 > size:
            return False
        length = int.from_bytes(content[position : position + 2], "big")
        if length < 2 or position + length > size:
            return False
        frame = frame or marker in _JPEG_FRAMES
        position += length
        if marker == 0xDA:
            if not frame:
                return False
            scanned = True
            position = _end_of_scan(content, position)
            if position < 0:
                return False
    return False


def _end_of_scan(content: bytes, position: int) -> int:
    """The offset of the marker that ends the entropy-coded data of a scan, or -1."""
    while True:
        found = content.find(b"\xff", position)
        if found < 0 or found + 1 >= len(content):
            return -1
        following = content[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position = found + 2  # a stuffed byte or a restart marker inside the scan
        elif following == 0xFF:
            position = found + 1  # fill bytes before a marker
        else:
            return found
