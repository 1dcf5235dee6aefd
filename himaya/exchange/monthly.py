"""The monthly national report: the month's figures of identification, shelters, the
fund, empowerment and grants, each with its change from the month before, key
indicators charted over twelve months, as a PDF in Arabic and in English.

Every figure is read from the indicators' stored daily values (``monitoring.DailyValue``),
never from the case tables: a flow (people identified, amounts paid) is the sum of the
month's days, a stock (free beds, projects running) its last stored day, a share
(shelter occupancy) the month's numerators over its denominators. The report is kept
and handed to every reader allowed to see it, so small numbers of people are always
hidden, as the dashboard hides them from readers who may not see identities (primary
and secondary suppression, ``HIMAYA_SUPPRESS_BELOW``). Aggregates only: no survivor
and no code appears in it.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.audit.actions import record_event
from himaya.core.errors import Forbidden, Invalid
from himaya.core.pdf import render_pdf
from himaya.exchange.charts import Bar, bar_chart
from himaya.exchange.models import MonthlyReport
from himaya.monitoring import rules
from himaya.monitoring.figures import shown, signed
from himaya.monitoring.indicators import (
    AGE,
    DIMENSIONS,
    FORM,
    NATIONALITY,
    SEX,
    Indicator,
    get_indicator,
)
from himaya.monitoring.models import DailyValue
from himaya.monitoring.selectors import suppress_below

TEMPLATE = "exchange/pdf/monthly_report.html"
PRODUCE = "exchange.produce_monthly_report"
VIEW = "monitoring.view_dashboard"
LANGUAGES = ("ar", "en")
MONTHS_CHARTED = 12

# How a month is made of its days.
SUM = "sum"  # a flow: the days added up
LAST = "last"  # a stock: the last stored day of the month
RATIO = "ratio"  # a share: the month's numerators over its denominators


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    lines: tuple[tuple[str, str], ...]  # (indicator code, how the month is made)


SECTIONS = (
    Section(
        "identification",
        _("Identification"),
        (
            ("screenings", SUM),
            ("possible_victims", SUM),
            ("identified_victims", SUM),
            ("children_identified", SUM),
        ),
    ),
    Section(
        "shelters",
        _("Shelters"),
        (("shelter_occupancy", RATIO), ("shelters_above_90", LAST), ("free_beds", LAST)),
    ),
    Section(
        "fund",
        _("Fund"),
        (("payment_requests", SUM), ("amount_requested", SUM), ("amount_paid", SUM)),
    ),
    Section("empowerment", _("Empowerment"), (("enrolments", SUM), ("projects_running", LAST))),
    Section("grants", _("Grants"), (("tranches_released", SUM),)),
)
HOW = {code: how for section in SECTIONS for code, how in section.lines}
KEY_INDICATORS = ("identified_victims", "children_identified", "shelter_occupancy", "amount_paid")
BREAKDOWN_INDICATOR = "identified_victims"
BREAKDOWN_DIMENSIONS = (SEX, AGE, NATIONALITY, FORM)

_MONTH = re.compile(r"(\d{4})-(\d{2})")


# --- months (pure) ----------------------------------------------------------------------------


def parse_month(text: str) -> datetime.date:
    """The first day of the month written ``YYYY-MM``; ValueError otherwise."""
    found = _MONTH.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"not a month in the form YYYY-MM: {text!r}")
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError(f"not a month in the form YYYY-MM: {text!r}")
    return datetime.date(year, month, 1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month ``count`` months after (before, if negative) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


def previous_month(today: datetime.date) -> datetime.date:
    """The month before the one of ``today`` (the month the scheduler reports)."""
    return add_months(today.replace(day=1), -1)


def month_code(month: datetime.date) -> str:
    return month.strftime("%Y-%m")


# --- figures (pure) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """An indicator's figure for a month (none when no day of it is stored)."""

    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None
    hidden: bool


Day = tuple[datetime.date, Decimal, Decimal | None]


def month_figure(item: Indicator, how: str, days: list[Day], threshold: int) -> Figure | None:
    """The month made of its stored ``days`` (day, numerator, denominator) as ``how``
    says, hidden when the figure that counts people is too small to publish."""
    if not days:
        return None
    if how == LAST:
        _day, numerator, denominator = max(days, key=lambda row: row[0])
    else:
        numerator = sum((row[1] for row in days), Decimal(0))
        given = [row[2] for row in days if row[2] is not None]
        denominator = sum(given, Decimal(0)) if given else None
    value = rules.value_of(item.unit, numerator, denominator)
    hidden = False
    if item.suppress_on is not None:
        basis = numerator if item.suppress_on == "numerator" else denominator
        hidden = rules.primary_suppressed(basis or Decimal(0), threshold)
    return Figure(numerator, denominator, None if hidden else value, hidden)


def change_of(current: Figure | None, previous: Figure | None) -> Decimal | None:
    """The change from the month before; none when either month is missing or hidden
    (a published change and one published month would give the hidden one away)."""
    if current is None or previous is None or current.hidden or previous.hidden:
        return None
    return rules.trend(current.value, previous.value)


# --- what the report says ---------------------------------------------------------------------


def _series(
    codes: list[str], first: datetime.date, last: datetime.date
) -> dict[tuple[str, datetime.date], list[Day]]:
    """The stored daily totals of ``codes`` from ``first`` to ``last``, by indicator and
    month (one query on the daily values)."""
    found: defaultdict[tuple[str, datetime.date], list[Day]] = defaultdict(list)
    rows = DailyValue.objects.filter(
        indicator__in=codes, cell="", day__gte=first, day__lte=last
    ).values_list("indicator", "day", "numerator", "denominator")
    for code, day, numerator, denominator in rows.order_by():
        found[(code, day.replace(day=1))].append((day, numerator, denominator))
    return found


def _breakdown(item: Indicator, month: datetime.date, total: Figure | None) -> list[dict[str, Any]]:
    """The month's members of each disaggregation shown, summed over its days (one
    query), with small cells hidden row by row."""
    threshold = suppress_below()
    rows = (
        DailyValue.objects.filter(
            indicator=item.code,
            day__gte=month,
            day__lte=month_end(month),
            dimension__in=BREAKDOWN_DIMENSIONS,
        )
        .values("dimension", "member")
        .annotate(n=Sum("numerator"), name_ar=Max("member_ar"), name_en=Max("member_en"))
        .order_by()
    )
    by_dimension: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_dimension[row["dimension"]].append(row)
    tables = []
    for dimension in BREAKDOWN_DIMENSIONS:
        members = by_dimension.get(dimension, [])
        if not members:
            continue
        cells = {row["member"]: row["n"] for row in members}
        base = total.numerator if total is not None else sum(cells.values(), Decimal(0))
        hidden = rules.suppress_row(base, cells, threshold)
        shown_rows = sorted(
            (row for row in members if row["member"] not in hidden),
            key=lambda row: (-row["n"], row["member"]),
        )
        hidden_rows = sorted(
            (row for row in members if row["member"] in hidden), key=lambda row: row["member"]
        )
        tables.append(
            {
                "dimension": dimension,
                "rows": [
                    {
                        "ar": row["name_ar"] or row["member"],
                        "en": row["name_en"] or row["member"],
                        "n": None if row["member"] in hidden else row["n"],
                    }
                    for row in shown_rows + hidden_rows
                ],
            }
        )
    return tables


def gather(month: datetime.date) -> dict[str, Any]:
    """What the report of ``month`` says (language-neutral figures)."""
    threshold = suppress_below()
    first = add_months(month, 1 - MONTHS_CHARTED)
    months = [add_months(first, n) for n in range(MONTHS_CHARTED)]
    before = add_months(month, -1)
    items = {code: get_indicator(code) for code in HOW}
    known = {code: item for code, item in items.items() if item is not None}
    days = _series(list(known), first, month_end(month))
    figures = {
        (code, on): month_figure(item, HOW[code], days.get((code, on), []), threshold)
        for code, item in known.items()
        for on in months
    }
    lines: dict[str, dict[str, Any]] = {}
    for code, item in known.items():
        current, previous = figures[(code, month)], figures[(code, before)]
        lines[code] = {
            "item": item,
            "current": current,
            "previous": previous,
            "change": change_of(current, previous),
            "series": [(on, figures[(code, on)]) for on in months],
        }
    breakdown_item = known.get(BREAKDOWN_INDICATOR)
    return {
        "month": month,
        "previous_month": before,
        "lines": lines,
        "breakdown": (
            _breakdown(breakdown_item, month, figures[(BREAKDOWN_INDICATOR, month)])
            if breakdown_item is not None
            else []
        ),
        "threshold": threshold,
    }


def _figure_text(figure: Figure | None, unit: str) -> str:
    if figure is None:
        return "—"
    if figure.hidden:
        return str(_("hidden (small number)"))
    return shown(figure.value, unit)


def _row(line: dict[str, Any]) -> dict[str, Any]:
    item: Indicator = line["item"]
    return {
        "name": str(item.name),
        "code": item.code,
        "current": _figure_text(line["current"], item.unit),
        "previous": _figure_text(line["previous"], item.unit),
        "change": signed(line["change"], item.unit),
    }


def _chart(line: dict[str, Any], month: datetime.date) -> dict[str, Any]:
    item: Indicator = line["item"]
    bars = []
    for on, figure in line["series"]:
        amount: Decimal | None = None if figure is None else figure.value
        bars.append(
            Bar(
                label=on.strftime("%m/%y"),
                value=None if amount is None else float(amount),
                shown="" if amount is None else shown(amount, item.unit),
                hidden=bool(figure and figure.hidden),
                current=on == month,
            )
        )
    return {"name": str(item.name), "code": item.code, "svg": bar_chart(bars)}


def context_of(data: dict[str, Any], language: str) -> dict[str, Any]:
    """The template's context in ``language`` (called with that language active)."""
    lines = data["lines"]
    month: datetime.date = data["month"]
    arabic = language == "ar"
    return {
        "month": month,
        "previous_month": data["previous_month"],
        "key_rows": [_row(lines[code]) for code in KEY_INDICATORS if code in lines],
        "charts": [_chart(lines[code], month) for code in KEY_INDICATORS if code in lines],
        "sections": [
            {
                "key": section.key,
                "title": str(section.title),
                "rows": [_row(lines[code]) for code, _how in section.lines if code in lines],
            }
            for section in SECTIONS
        ],
        "breakdown": [
            {
                "title": str(DIMENSIONS[table["dimension"]]),
                "rows": [
                    {
                        "label": row["ar"] if arabic else row["en"],
                        "n": None if row["n"] is None else shown(row["n"], rules.COUNT),
                    }
                    for row in table["rows"]
                ],
            }
            for table in data["breakdown"]
        ],
        "breakdown_name": str(lines[BREAKDOWN_INDICATOR]["item"].name)
        if BREAKDOWN_INDICATOR in lines
        else "",
        "threshold": data["threshold"],
        "arabic": arabic,
    }


class _Reader(AnonymousUser):
    """The reader named in the footer: the person who asked, or the scheduler."""

    def __init__(self, username: str) -> None:
        self.reader = username

    def get_username(self) -> str:
        return self.reader


def render(month: datetime.date, language: str, data: dict[str, Any], reader: str) -> bytes:
    request = HttpRequest()
    request.user = _Reader(reader)
    with translation.override(language):
        return render_pdf(request, TEMPLATE, context_of(data, language))


def check_month(month: datetime.date) -> None:
    """A month not begun yet has no figures: refused."""
    if month > timezone.localdate().replace(day=1):
        raise Invalid(_("This month has not begun yet."), field="month")


@transaction.atomic
def produce_monthly_report(*, month: datetime.date, by: User | None = None) -> MonthlyReport:
    """Write (or write again) the report of ``month`` in both languages; ``by`` is the
    person who asked (none: the scheduler or the command line)."""
    if by is not None and not by.has_perm(PRODUCE):
        raise Forbidden(_("You may not make the monthly national report."))
    month = month.replace(day=1)
    check_month(month)
    data = gather(month)
    reader = by.get_username() if by is not None else "himaya"
    report, _created = MonthlyReport.objects.update_or_create(
        month=month,
        defaults={
            "pdf_ar": render(month, "ar", data, reader),
            "pdf_en": render(month, "en", data, reader),
            "produced_by": by,
        },
    )
    record_event(
        action="exchange.monthly_report_produced",
        actor=by,
        object_type="exchange.monthlyreport",
        object_code=month_code(month),
        actor_username="" if by is not None else "scheduler",
    )
    return report
