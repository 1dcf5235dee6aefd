"""The grant statement as an XLSX workbook (right-to-left in Arabic)."""

import io
from datetime import date
from typing import Any

import xlsxwriter
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def statement_xlsx(rows: list[dict[str, Any]], *, start: date, end: date) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("Grant statement")[:31])
    if (get_language() or "ar").startswith("ar"):
        sheet.right_to_left()
    bold = book.add_format({"bold": True})
    amount = book.add_format({"num_format": "#,##0.00"})
    sheet.write_row(0, 0, [_("Grant statement"), f"{start.isoformat()} – {end.isoformat()}"], bold)
    headers = [
        _("Grant"),
        _("NGO"),
        _("Amount (EGP)"),
        _("Tranches due in the period"),
        _("Due (EGP)"),
        _("Released in the period (EGP)"),
        _("Released to date (EGP)"),
        _("Reports in the period"),
        _("Reports approved"),
    ]
    sheet.write_row(2, 0, headers, bold)
    for r, row in enumerate(rows, start=3):
        grant = row["grant"]
        sheet.write_row(r, 0, [grant.code, grant.ngo.name])
        sheet.write_number(r, 2, float(grant.amount), amount)
        sheet.write_number(r, 3, len(row["due"]))
        sheet.write_number(r, 4, float(row["due_total"]), amount)
        sheet.write_number(r, 5, float(row["released_total"]), amount)
        sheet.write_number(r, 6, float(row["released_to_date"]), amount)
        sheet.write_number(r, 7, len(row["reports"]))
        sheet.write_number(r, 8, sum(1 for report in row["reports"] if report.status == "approved"))
    total_row = 3 + len(rows)
    sheet.write(total_row, 0, _("Total"), bold)
    for col, key in ((4, "due_total"), (5, "released_total"), (6, "released_to_date")):
        sheet.write_number(total_row, col, float(sum(row[key] for row in rows)), amount)
    sheet.set_column(0, 1, 32)
    sheet.set_column(2, 8, 18)
    book.close()
    return buffer.getvalue()
