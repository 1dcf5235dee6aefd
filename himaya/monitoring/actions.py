"""Writes of the monitoring app: the daily values (computed, idempotent), the days to
compute again, and the targets and thresholds an administrator of indicators sets."""

import datetime
import uuid
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.permissions import CAPABILITIES
from himaya.audit.actions import record_event
from himaya.core.errors import Forbidden, Invalid, NotFound
from himaya.core.locking import ConcurrentEditError, save_with_version
from himaya.monitoring import rules
from himaya.monitoring.indicators import Days, Indicator, all_indicators, get_indicator
from himaya.monitoring.models import (
    DailyValue,
    DirtyDay,
    Edition,
    IndicatorSetting,
    IndicatorSettingChange,
)

MANAGE_INDICATORS = "monitoring.manage_indicators"
VIEW_DASHBOARD = "monitoring.view_dashboard"
assert MANAGE_INDICATORS in CAPABILITIES


def _chosen(codes: list[str] | None) -> list[Indicator]:
    if codes is None:
        return all_indicators()
    chosen = []
    for code in codes:
        item = get_indicator(code)
        if item is None:
            raise Invalid(_("There is no indicator with this code."), field="codes")
        chosen.append(item)
    return chosen


COLUMNS = (
    "indicator",
    "day",
    "cell",
    "dimension",
    "member",
    "member_ar",
    "member_en",
    "numerator",
    "denominator",
    "value",
    "computed_at",
)


def _rows(item: Indicator, days: Days, now: Any) -> list[tuple[Any, ...]]:
    """The rows of ``DailyValue`` for one indicator over the days computed, as tuples in
    ``COLUMNS`` order, ready for the database (``now`` already adapted)."""
    adapt_day = connection.ops.adapt_datefield_value
    code, unit, median = item.code, item.unit, item.median
    cent, value_of = rules.CENT, rules.value_of
    as_is = unit in (rules.COUNT, rules.EGP)
    rows = []
    for day, cells in days.items():
        on = adapt_day(day)
        for dimension, member, member_ar, member_en, numerator, denominator in cells:
            figure = numerator.quantize(cent)
            if median:
                value = figure if denominator else None
            elif as_is:
                value = figure
            else:
                value = value_of(unit, numerator, denominator)
            rows.append(
                (
                    code,
                    on,
                    f"{dimension}={member}" if dimension else "",
                    dimension,
                    member,
                    member_ar[:200],
                    member_en[:200],
                    figure,
                    None if denominator is None else denominator.quantize(cent),
                    value,
                    now,
                )
            )
    return rows


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Insert the rows in one statement run for all of them."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(DailyValue._meta.db_table)
    columns = ", ".join(quote(column) for column in COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        # Identifiers from the model, quoted; values as parameters.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  # quoted model identifiers  # nosec B608
        cursor.executemany(sql, rows)


def new_edition() -> None:
    """Give the values a new edition (inside the transaction that changes them): what was
    drawn from the old one is no longer served. The row is written last, so that it is
    held only until the commit that follows."""
    token = uuid.uuid4().hex
    if Edition.objects.filter(pk=1).update(token=token, changed_at=timezone.now()):
        return
    Edition.objects.bulk_create([Edition(pk=1, token=token)], ignore_conflicts=True)
    Edition.objects.filter(pk=1).update(token=token, changed_at=timezone.now())


# Longer periods are computed and written in parts of this many days, so that memory
# stays bounded on a national backfill.
PART_DAYS = 92

# Writers of the daily values take turns under this PostgreSQL advisory lock (a number of
# the project's own, held until the transaction ends); SQLite has one writer at a time.
VALUES_LOCK = 0x48494D0001


def _take_turn() -> None:
    """Wait until no other transaction writes the daily values: two computations of the
    same day would otherwise both find it empty and insert it twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VALUES_LOCK])


# Rows removed by their ids in batches of this many (SQLite's limit on parameters).
DELETE_BATCH = 500


class Computed(NamedTuple):
    """What a computation did: the values of the period it computed, and how many values
    it wrote (new, or changed since the last computation) or removed (no longer computed)."""

    values: int
    changed: int


def _figures(stored: tuple[Any, ...]) -> tuple[Any, ...]:
    """The stored columns with their figures comparable with computed ``Decimal`` ones:
    SQLite gives a number with cents as a float, whose shortest repr is the number."""
    return tuple(
        Decimal(repr(column)) if isinstance(column, float) else column for column in stored
    )


def _stored(codes: list[str], first: datetime.date, last: datetime.date) -> dict[Any, Any]:
    """The stored values of the period, by (indicator, day in ISO form, cell): their id
    and the columns a computation writes (all but ``computed_at``), read as the database
    gives them (the ORM's conversions of every row would cost more than the comparison
    saves; see ``_figures``). The day is read as text: no date parsed for each row, none
    adapted back for the comparison."""
    stored = (
        DailyValue.objects.filter(day__range=(first, last), indicator__in=codes)
        .annotate(on=Cast("day", CharField()))
        .values_list("pk", "indicator", "on", *COLUMNS[2:-1])
    )
    sql, params = stored.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(row[1], row[2], row[3]): (row[0], row[4:]) for row in cursor.fetchall()}


def _replace(
    codes: list[str], first: datetime.date, last: datetime.date, rows: list[tuple[Any, ...]]
) -> int:
    """Make the stored values of the period those of ``rows``: a changed value is
    removed and written anew, a new one written, one no longer computed removed, and an
    unchanged one left alone. Return how many values were written or removed. The caller
    holds the transaction."""
    _take_turn()
    stored = _stored(codes, first, last)
    fresh: list[tuple[Any, ...]] = []
    gone: list[int] = []
    for row in rows:
        kept = stored.pop((row[0], str(row[1]), row[2]), None)
        if kept is None:
            fresh.append(row)
        elif kept[1] != row[3:-1] and _figures(kept[1]) != row[3:-1]:
            fresh.append(row)
            gone.append(kept[0])
    vanished = [pk for pk, _rest in stored.values()]
    gone.extend(vanished)
    for at in range(0, len(gone), DELETE_BATCH):
        DailyValue.objects.filter(pk__in=gone[at : at + DELETE_BATCH]).delete()
    _insert(fresh)
    return len(fresh) + len(vanished)


def compute_indicators(
    *, start: datetime.date, end: datetime.date, codes: list[str] | None = None
) -> Computed:
    """Compute the values of the indicators (all, or those named) for every day from
    ``start`` to ``end`` included, replacing what was stored: computing twice writes what
    computing once did, and a period gives what its days one by one give. Each indicator
    computes the whole period (up to ``PART_DAYS`` days at a time) with a few aggregate
    queries grouped by day. The stored values are compared with the computed ones in one
    transaction, and only those that differ are written (a recomputation that finds the
    figures unchanged writes nothing and keeps the dashboard's edition)."""
    if end < start:
        raise Invalid(_("The end of the period is before its start."), field="end")
    chosen = _chosen(codes)
    names = [item.code for item in chosen]
    values = changed = 0
    first = start
    while first <= end:
        last = min(end, first + datetime.timedelta(days=PART_DAYS - 1))
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = [row for item in chosen for row in _rows(item, item.compute_range(first, last), now)]
        with transaction.atomic():
            written = _replace(names, first, last, rows)
            if written:
                new_edition()
        values += len(rows)
        changed += written
        first = last + datetime.timedelta(days=1)
    return Computed(values=values, changed=changed)


def refresh_for_day(day: datetime.date, codes: list[str] | None = None) -> Computed:
    """Compute one day again (after a change of its data)."""
    return compute_indicators(start=day, end=day, codes=codes)


def mark_dirty(day: datetime.date) -> None:
    """Note that the data of ``day`` changed, for ``process_dirty_days`` to compute it
    again (one small row per day; marking it twice is marking it once)."""
    DirtyDay.objects.bulk_create([DirtyDay(day=day)], ignore_conflicts=True)


def note_change(action: str, day: datetime.date) -> None:
    """Subscribed to ``core.changes``: a write marks its day to compute again."""
    if rules.moves_indicators(action):
        mark_dirty(day)


# A change on a day also moves the cohort and stock figures of the days just after it
# (served within 24 hours, no service after 72 hours, care plans within 7 days, shelters,
# referrals overdue): those days are computed again with it. The 365-day SDG window of
# later days is settled by the nightly computation.
FOLLOWING_DAYS = 7


def process_dirty_days(*, limit: int = 31) -> list[datetime.date]:
    """Compute again the days marked dirty (oldest first, at most ``limit`` of them) and
    the ``FOLLOWING_DAYS`` after each, up to today; return the days marked that were done.
    A day marked again while it was computed stays marked."""
    started = timezone.now()
    today = timezone.localdate()
    marked = list(DirtyDay.objects.order_by("day")[:limit])
    days: set[datetime.date] = set()
    for dirty in marked:
        days.update(
            dirty.day + datetime.timedelta(days=n)
            for n in range(FOLLOWING_DAYS + 1)
            if n == 0 or dirty.day + datetime.timedelta(days=n) <= today
        )
    # Consecutive days are computed as one period.
    runs: list[list[datetime.date]] = []
    for day in sorted(days):
        if runs and day - runs[-1][-1] == datetime.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        compute_indicators(start=run[0], end=run[-1])
    DirtyDay.objects.filter(pk__in=[d.pk for d in marked], marked_at__lte=started).delete()
    return [dirty.day for dirty in marked]


@transaction.atomic
def change_indicator_setting(
    *,
    code: str,
    target: Decimal | None,
    warning: Decimal | None,
    critical: Decimal | None,
    expected_version: int | None,
    by: User,
) -> IndicatorSetting:
    """Set the target and thresholds of an indicator. ``expected_version`` is the
    version read (none when no setting existed yet); a stale one is refused."""
    if not by.has_perm(MANAGE_INDICATORS):
        raise Forbidden(_("You may not change the indicators' targets and thresholds."))
    item = get_indicator(code)
    if item is None:
        raise NotFound(_("There is no indicator with this code."))
    if (
        warning is not None
        and critical is not None
        and ((critical > warning) if item.higher_is_better else (critical < warning))
    ):
        raise Invalid(
            _("The critical threshold must be further from the target than the warning one."),
            field="critical",
        )
    setting = IndicatorSetting.objects.select_for_update(no_key=True).filter(indicator=code).first()
    if setting is None:
        if expected_version not in (None, 0):
            raise ConcurrentEditError()
        setting = IndicatorSetting.objects.create(
            indicator=code, target=target, warning=warning, critical=critical, updated_by=by
        )
    else:
        setting.target, setting.warning, setting.critical = target, warning, critical
        setting.updated_by = by
        save_with_version(
            setting,
            expected_version=expected_version if expected_version is not None else 0,
            fields=["target", "warning", "critical", "updated_by"],
        )
    IndicatorSettingChange.objects.create(
        setting=setting,
        version=setting.version,
        target=target,
        warning=warning,
        critical=critical,
        changed_by=by,
    )
    record_event(
        action="monitoring.indicator_setting_changed",
        actor=by,
        object_type="monitoring.indicator",
        object_code=code,
        details={
            "target": None if target is None else str(target),
            "warning": None if warning is None else str(warning),
            "critical": None if critical is None else str(critical),
            "version": setting.version,
        },
    )
    new_edition()
    return setting
