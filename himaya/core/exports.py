"""Statements as pages and as XLSX workbooks, the same way for every app that keeps money.

``statement_view`` is the whole statement page: a period (the current fiscal year unless
one is given), the rows of that period, and, with ``format=xlsx``, the workbook the app's
``export`` action builds (that action also writes the audit trail). ``StatementBook`` is
the workbook: one sheet, right-to-left in Arabic, the title and the period on the first
row, the headers on the third, amounts as numbers with two places.
"""

import io
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | Decimal | None


def fiscal_year_period(day: date) -> tuple[date, date]:
    """Egypt's fiscal year holding ``day``: 1 July to 30 June."""
    first = day.year if day.month >= 7 else day.year - 1
    return date(first, 7, 1), date(first + 1, 6, 30)


class StatementBook:
    """A one-sheet workbook; ``add_row`` writes text as text, ``Decimal`` as an amount and
    ``int`` as a count, and leaves ``None`` cells empty."""

    FIRST_ROW = 3

    def __init__(self, title: str, *, start: date, end: date, headers: Sequence[str]) -> None:
        self._buffer = io.BytesIO()
        self._book = xlsxwriter.Workbook(self._buffer, {"in_memory": True})
        self._sheet = self._book.add_worksheet(title[:31])
        if (get_language() or "ar").startswith("ar"):
            self._sheet.right_to_left()
        self._bold = self._book.add_format({"bold": True})
        self._amount = self._book.add_format({"num_format": "#,##0.00"})
        self._sheet.write_row(0, 0, [title, f"{start.isoformat()} – {end.isoformat()}"], self._bold)
        self._sheet.write_row(2, 0, list(headers), self._bold)
        self._row = self.FIRST_ROW

    def add_row(self, cells: Sequence[Cell], *, bold: bool = False) -> None:
        for column, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, Decimal):
                self._sheet.write_number(self._row, column, float(value), self._amount)
            elif isinstance(value, int):
                self._sheet.write_number(self._row, column, value)
            else:
                self._sheet.write_string(
                    self._row, column, str(value), self._bold if bold else None
                )
        self._row += 1

    def finish(self, widths: Sequence[tuple[int, int, int]]) -> bytes:
        """The workbook's bytes; ``widths`` holds (first column, last column, width)."""
        for first, last, width in widths:
            self._sheet.set_column(first, last, width)
        self._book.close()
        return self._buffer.getvalue()


def statement_view(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    template: str,
    rows: Callable[[date, date], list[Any]],
    export: Callable[[date, date], bytes],
    filename: str,
    extra: Callable[[date, date], dict[str, Any]] | None = None,
) -> HttpResponse:
    """The statement page of a period; with ``format=xlsx``, its workbook as a download.

    ``form_class`` has ``start`` and ``end`` (and checks them); without ``start`` the period
    is the current fiscal year. An invalid period answers 400 with the form's errors.
    ``extra`` adds figures of the period to the page's context (totals from other apps)."""
    if request.GET.get("start"):
        form = form_class(request.GET)
    else:
        start, end = fiscal_year_period(timezone.localdate())
        form = form_class({"start": start, "end": end})
    if not form.is_valid():
        return render(request, template, {"form": form, "rows": []}, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(export(start, end), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}-{start}-{end}.xlsx"'
        return response
    # ``extra`` is a function giving more context, not QuerySet.extra (bandit B610).
    context = {"form": form, "rows": rows(start, end), **(extra(start, end) if extra else {})}  # nosec B610
    return render(request, template, context)
