"""A list as a file: CSV and XLSX written the same way for every list page.

A cell that a spreadsheet would read as a formula (text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written with a leading apostrophe, so that opening an
export never runs what someone typed into a record. Numbers stay numbers; dates are written
as ISO dates; an XLSX sheet reads right to left in Arabic.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

import xlsxwriter
from django.utils import timezone
from django.utils.translation import get_language

from himaya.core.exports import XLSX

Cell = str | int | Decimal | datetime.date | None
CSV = "text/csv; charset=utf-8"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """The text as a spreadsheet shows it without evaluating it."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _plain(value: Cell | float) -> str | int | float | Decimal:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read Arabic right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(header)) for header in headers])
    for row in rows:
        # An amount as stored, with its two decimal places ("1500.00", never "1500.0").
        writer.writerow(
            [f"{value:f}" if isinstance(value, Decimal) else value for value in map(_plain, row)]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(title[:31] or "export")
    if (get_language() or "ar").startswith("ar"):
        sheet.right_to_left()
    bold = book.add_format({"bold": True})
    # Amounts are numbers shown with two decimal places and thousands separators.
    amount = book.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, [neutralise(str(header)) for header in headers], bold)
    for number, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            value = _plain(cell)
            if isinstance(value, Decimal):
                sheet.write_number(number, column, float(value), amount)
            elif isinstance(value, int | float):
                sheet.write_number(number, column, value)
            elif value:
                sheet.write_string(number, column, value)
    sheet.set_column(0, max(len(headers) - 1, 0), 20)
    book.close()
    return buffer.getvalue()


__all__ = ["CSV", "XLSX", "Cell", "csv_bytes", "neutralise", "xlsx_bytes"]
