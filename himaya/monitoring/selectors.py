"""Reads of the monitoring app: only the daily values and the declared indicators, never
the case tables. Small cells are suppressed for every reader who may not see identity."""

import csv
import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connections
from django.db.models import DateField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import get_language

from himaya.core.prepared import PreparedValues
from himaya.core.typing import AnyUser
from himaya.monitoring import rules
from himaya.monitoring.indicators import Indicator, all_indicators
from himaya.monitoring.models import DailyValue, Edition, IndicatorSetting

DATA_DIR = Path(__file__).resolve().parent / "data"
SEE_SMALL_CELLS = "survivors.view_identity"


def suppress_below() -> int:
    """Cells of fewer people than this are not shown (``HIMAYA_SUPPRESS_BELOW``, 5)."""
    return int(getattr(settings, "HIMAYA_SUPPRESS_BELOW", 5))


def sees_small_cells(user: AnyUser) -> bool:
    return bool(user.has_perm(SEE_SMALL_CELLS))


@dataclass(frozen=True)
class Thresholds:
    target: Decimal | None
    warning: Decimal | None
    critical: Decimal | None
    version: int


def thresholds(items: list[Indicator]) -> dict[str, Thresholds]:
    """The target and thresholds in force for each indicator (one query)."""
    stored = {
        s.indicator: s
        for s in IndicatorSetting.objects.filter(indicator__in=[i.code for i in items])
    }
    found = {}
    for item in items:
        setting = stored.get(item.code)
        if setting is None:
            found[item.code] = Thresholds(item.target, item.warning, item.critical, 0)
        else:
            found[item.code] = Thresholds(
                setting.target, setting.warning, setting.critical, setting.version
            )
    return found


@dataclass
class Point:
    day: datetime.date
    cell: str
    dimension: str
    member: str
    label: str
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    suppressed: bool


class Row(NamedTuple):
    """A stored daily value as read for the pages (no model instance)."""

    day: datetime.date
    cell: str
    dimension: str
    member: str
    member_ar: str
    member_en: str
    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None


ROW_FIELDS = Row._fields


def _label(row: Row, arabic: bool) -> str:
    if not row.dimension:
        return ""
    return row.member_ar if arabic else row.member_en


def _in_arabic() -> bool:
    return (get_language() or "ar").startswith("ar")


def _suppressed_cells(item: Indicator, rows: list[Row]) -> set[tuple[datetime.date, str]]:
    """The (day, cell) pairs to hide: primary and secondary suppression per day and
    disaggregation, on the figure that counts people."""
    if item.suppress_on is None:
        return set()
    threshold = suppress_below()
    on_numerator = item.suppress_on == "numerator"

    def basis(row: Row) -> Decimal:
        figure = row.numerator if on_numerator else row.denominator
        return figure if figure is not None else Decimal(0)

    totals: dict[datetime.date, Decimal] = {}
    rows_by: defaultdict[tuple[datetime.date, str], dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        if row.dimension:
            rows_by[(row.day, row.dimension)][row.member] = basis(row)
        else:
            totals[row.day] = basis(row)
    hidden = {
        (day, "") for day, total in totals.items() if rules.primary_suppressed(total, threshold)
    }
    for (day, dimension), cells in rows_by.items():
        total = totals.get(day, sum(cells.values(), Decimal(0)))
        for member in rules.suppress_row(total, cells, threshold):
            hidden.add((day, f"{dimension}={member}"))
    return hidden


def _points(item: Indicator, rows: list[Row], small: bool) -> list[Point]:
    hidden = set() if small else _suppressed_cells(item, rows)
    arabic = _in_arabic()
    points = []
    for row in rows:
        concealed = bool(hidden) and (row.day, row.cell) in hidden
        points.append(
            Point(
                day=row.day,
                cell=row.cell,
                dimension=row.dimension,
                member=row.member,
                label=_label(row, arabic),
                numerator=None if concealed else row.numerator,
                denominator=None if concealed else row.denominator,
                value=None if concealed else row.value,
                suppressed=concealed,
            )
        )
    return points


def values(
    item: Indicator,
    *,
    start: datetime.date,
    end: datetime.date,
    dimension: str = "",
    small: bool,
) -> list[Point]:
    """The total and (with ``dimension``) its members for every stored day of the period,
    suppressed unless the reader sees small cells (``small``). One query."""
    queryset = DailyValue.objects.filter(indicator=item.code, day__gte=start, day__lte=end)
    if dimension:
        queryset = queryset.filter(dimension__in=["", dimension])
    else:
        queryset = queryset.filter(dimension="")
    rows = [
        Row(*found)
        for found in queryset.order_by("day", "dimension", "member").values_list(*ROW_FIELDS)
    ]
    return _points(item, rows, small)


class Totals(NamedTuple):
    """Each indicator's daily totals over a period, as the cards use them: every day's value
    as a float (the spark lines), and the days asked as exact points (the figures shown and
    their changes). A hidden total is ``None`` in the first and a suppressed point in the
    second."""

    floats: dict[str, dict[datetime.date, float | None]]
    exact: dict[str, dict[datetime.date, Point]]


def totals(
    items: list[Indicator],
    *,
    start: datetime.date,
    end: datetime.date,
    exact_days: Collection[datetime.date] = (),
    small: bool,
) -> Totals:
    """Each indicator's daily totals over the period (one query), suppressed unless the
    reader sees small cells (``small``).

    A total has no members, so only the figures are read, and a total is hidden on its
    own when it is small (there is no other cell of its row to hide with it). The rows are
    read as the database gives them: the ORM's conversions (a date and three decimals
    per row, a month of 28 indicators) cost more than the rest of the cards, and only the
    figures of ``exact_days`` are shown as decimals; the spark lines draw floats."""
    # A total is the one cell without a disaggregation: read through the index by
    # indicator, disaggregation and day, the rows of the totals only.
    found_rows = (
        DailyValue.objects.filter(
            indicator__in=[i.code for i in items], dimension="", day__gte=start, day__lte=end
        )
        .order_by()
        .values_list("indicator", "day", "numerator", "denominator", "value")
    )
    compiler = found_rows.query.get_compiler(found_rows.db)
    sql, params = compiler.as_sql()
    converted = compiler.get_converters(
        [column[0] for column in compiler.select[: compiler.col_count]]
    )
    connection = connections[found_rows.db]

    def exact(position: int, raw: Any) -> Any:
        functions, expression = converted.get(position, ((), None))
        for function in functions:
            raw = function(raw, expression, connection)
        return raw

    floats: dict[str, dict[datetime.date, float | None]] = {item.code: {} for item in items}
    points: dict[str, dict[datetime.date, Point]] = {item.code: {} for item in items}
    basis = {
        item.code: None if item.suppress_on is None else item.suppress_on == "numerator"
        for item in items
    }
    threshold = None if small else suppress_below()
    wanted = set(exact_days)
    days: dict[Any, datetime.date] = {}  # each day as the database gives it, converted once
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    for code, raw_day, numerator, denominator, value in fetched:
        day = days.get(raw_day)
        if day is None:
            day = days[raw_day] = exact(1, raw_day)
        on_numerator = basis[code]
        concealed = False
        if threshold is not None and on_numerator is not None:
            figure = numerator if on_numerator else denominator
            concealed = figure is not None and rules.primary_suppressed(figure, threshold)
        if concealed:
            floats[code][day] = None
        else:
            floats[code][day] = None if value is None else float(value)
        if day in wanted:
            points[code][day] = (
                Point(day, "", "", "", "", None, None, None, True)
                if concealed
                else Point(
                    day,
                    "",
                    "",
                    "",
                    "",
                    exact(2, numerator),
                    None if denominator is None else exact(3, denominator),
                    None if value is None else exact(4, value),
                    False,
                )
            )
    return Totals(floats, points)


# What a missing last day is read as inside the query (SQLite's many-argument ``max``
# gives nothing when one of its arguments is nothing; PostgreSQL's ``GREATEST`` skips it).
_NO_DAY = datetime.date(1, 1, 1)


def _latest_query(_key: int) -> "QuerySet[DailyValue, dict[str, Any]]":
    last_of = [
        Coalesce(
            Subquery(
                DailyValue.objects.filter(indicator=item.code, dimension="")
                .order_by("-day")
                .values("day")[:1]
            ),
            Value(_NO_DAY),
            output_field=DateField(),
        )
        for item in all_indicators()
    ]
    latest = Greatest(*last_of) if len(last_of) > 1 else last_of[0]
    return DailyValue.objects.order_by().annotate(latest=latest).values("latest")[:1]


# Composed once per process (28 subqueries cost more to compose than to run), and on
# PostgreSQL planned once per connection.
_LATEST = PreparedValues(_latest_query, keyed=False)


def latest_day() -> datetime.date | None:
    """The last day with stored values: the latest of each indicator's last total, each
    found by one step down the index by indicator, disaggregation and day, so that the
    cost does not grow with the years of values kept (ordering every indicator's totals
    together read them all)."""
    rows = _LATEST.rows()
    latest = rows[0]["latest"] if rows else None
    return None if latest in (None, _NO_DAY) else latest


@lru_cache(maxsize=1)
def governorate_names() -> dict[str, tuple[str, str]]:
    """Code → (Arabic, English) names of the 27 governorates, from the app's data copy."""
    with (DATA_DIR / "governorates.csv").open(encoding="utf-8") as handle:
        return {row["code"]: (row["name_ar"], row["name_en"]) for row in csv.DictReader(handle)}


def edition() -> str:
    """The token of the values' current edition ("" before anything was computed)."""
    return Edition.objects.filter(pk=1).values_list("token", flat=True).first() or ""
