"""Statement pages, the same way for every app that keeps money.

``statement_view`` is the whole statement page: a period (the current fiscal year unless
one is given) and the rows of that period. A statement leaves the system only through the
export door (``audit.exports.export_list``), which the app's view opens before this page.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fiscal_year_period(day: date) -> tuple[date, date]:
    """Egypt's fiscal year holding ``day``: 1 July to 30 June."""
    first = day.year if day.month >= 7 else day.year - 1
    return date(first, 7, 1), date(first + 1, 6, 30)


def statement_view(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    template: str,
    rows: Callable[[date, date], list[Any]],
    extra: Callable[[date, date], dict[str, Any]] | None = None,
) -> HttpResponse:
    """The statement page of a period.

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
    # ``extra`` is a function giving more context, not QuerySet.extra (bandit B610).
    context = {"form": form, "rows": rows(start, end), **(extra(start, end) if extra else {})}  # nosec B610
    return render(request, template, context)
