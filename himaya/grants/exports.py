"""The grant statement as an XLSX workbook (right-to-left in Arabic)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from himaya.core.exports import StatementBook
from himaya.grants.models import ReportStatus

TOTALS = ("due_total", "released_total", "released_to_date")


def statement_xlsx(rows: list[dict[str, Any]], *, start: date, end: date) -> bytes:
    book = StatementBook(
        _("Grant statement"),
        start=start,
        end=end,
        headers=[
            _("Grant"),
            _("NGO"),
            _("Amount (EGP)"),
            _("Tranches due in the period"),
            _("Due (EGP)"),
            _("Released in the period (EGP)"),
            _("Released to date (EGP)"),
            _("Reports in the period"),
            _("Reports approved"),
        ],
    )
    for row in rows:
        grant = row["grant"]
        book.add_row(
            [
                grant.code,
                grant.ngo.name,
                grant.amount,
                len(row["due"]),
                *(row[key] for key in TOTALS),
                len(row["reports"]),
                sum(1 for report in row["reports"] if report.status == ReportStatus.APPROVED),
            ]
        )
    totals = [sum((row[key] for row in rows), Decimal(0)) for key in TOTALS]
    book.add_row([_("Total"), None, None, None, *totals], bold=True)
    return book.finish([(0, 1, 32), (2, 8, 18)])
