"""The fund statement as an XLSX workbook (right-to-left in Arabic)."""

import io
from datetime import date
from typing import Any

import xlsxwriter
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from himaya.fund.rules import Balances


def statement_xlsx(rows: list[dict[str, Any]], *, start: date, end: date) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("Fund statement")[:31])
    if (get_language() or "ar").startswith("ar"):
        sheet.right_to_left()
    bold = book.add_format({"bold": True})
    amount = book.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, [_("Fund statement"), f"{start.isoformat()} – {end.isoformat()}"], bold)
    headers = [
        _("Budget line"),
        _("Code"),
        _("Fiscal year"),
        _("Movement"),
        _("Payment request"),
        _("Date"),
        _("Amount (EGP)"),
        _("Allocated"),
        _("Committed"),
        _("Paid"),
        _("Available"),
    ]
    sheet.write_row(2, 0, headers, bold)
    r = 3

    def balance_row(label: str, line: Any, balances: Balances) -> None:
        nonlocal r
        sheet.write_row(r, 0, [line.name, line.code, line.fiscal_year.label, label], bold)
        for col, value in enumerate(
            [balances.allocated, balances.committed, balances.paid, balances.available], start=7
        ):
            sheet.write_number(r, col, float(value), amount)
        r += 1

    for row in rows:
        line = row["line"]
        balance_row(_("Opening balance"), line, row["opening"])
        for entry in row["movements"]:
            sheet.write_row(
                r,
                0,
                [
                    line.name,
                    line.code,
                    line.fiscal_year.label,
                    entry.get_kind_display(),
                    entry.request.code if entry.request else "",
                    entry.occurred_at.date().isoformat(),
                ],
            )
            sheet.write_number(r, 6, float(entry.amount), amount)
            r += 1
        balance_row(_("Closing balance"), line, row["closing"])
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 10, 16)
    book.close()
    return buffer.getvalue()
