"""The fund statement as an XLSX workbook (right-to-left in Arabic)."""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from himaya.core.exports import StatementBook
from himaya.fund.models import BudgetLine
from himaya.fund.rules import Balances
from himaya.justice.selectors import CompensationTotals


def statement_xlsx(
    rows: list[dict[str, Any]],
    *,
    start: date,
    end: date,
    compensation: CompensationTotals | None = None,
) -> bytes:
    book = StatementBook(
        _("Fund statement"),
        start=start,
        end=end,
        headers=[
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
        ],
    )

    def balance_row(label: str, line: BudgetLine, balances: Balances) -> None:
        book.add_row(
            [
                line.name,
                line.code,
                line.fiscal_year.label,
                label,
                None,
                None,
                None,
                balances.allocated,
                balances.committed,
                balances.paid,
                balances.available,
            ],
            bold=True,
        )

    for row in rows:
        line = row["line"]
        balance_row(_("Opening balance"), line, row["opening"])
        for entry in row["movements"]:
            book.add_row(
                [
                    line.name,
                    line.code,
                    line.fiscal_year.label,
                    entry.get_kind_display(),
                    entry.request.code if entry.request else "",
                    entry.occurred_at.date().isoformat(),
                    entry.amount,
                ]
            )
        balance_row(_("Closing balance"), line, row["closing"])
    if compensation is not None:
        # Compensation ordered by courts to survivors: beside the fund, not from it.
        book.add_row([])
        book.add_row([_("Court compensation in the period")], bold=True)
        book.add_row(
            [
                _("Compensation claimed"),
                None,
                None,
                _("Claims: %(count)s") % {"count": compensation.claims},
                None,
                None,
                compensation.claimed,
            ]
        )
        book.add_row(
            [
                _("Compensation received"),
                None,
                None,
                _("Receipts: %(count)s") % {"count": compensation.receipts},
                None,
                None,
                compensation.received,
            ]
        )
    return book.finish([(0, 0, 36), (1, 10, 16)])
