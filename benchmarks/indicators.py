"""The daily indicators on a generated national dataset.

``generate_national`` fills the database with ``size`` cases over one year; then three
comparisons, each timed alternately in the same run:

1. every indicator computed for ``days`` days (``compute_indicators``: each indicator
   computes the whole period with a few queries grouped by day, and the values that
   differ from the stored ones are written in one transaction) against one hand-written
   SQL ``GROUP BY``: first over every row the indicators read (one ``UNION ALL`` of
   their eleven sources, grouped by source, day, governorate and sex: the least a
   database can do to read them once), then over the identification decisions of those
   days alone, by day, decision, governorate and sex (the baseline of the earlier runs,
   a few hundred rows). Against the second, timed twice: computed again over the stored
   values (the nightly recomputation of unchanged days: nothing to write), and into an
   empty period (the values of the period removed before each round, untimed: every
   value written). The ratios are printed as they are, and divided by the number of
   indicators (each indicator reads its own tables and writes its own cells, so one
   baseline per indicator is the floor); then where the cost goes: each indicator's
   computation alone, the writing of every value alone, and the comparison with the
   stored values alone.
2. the dashboard page (an analyst, signed in) against a bare view that runs one indexed
   query through the same middleware: what the dashboard itself costs, as served to the
   next reader (its figures kept under the values' edition), drawn afresh (the kept
   figures cleared before each request: the first reader after a new edition when
   nothing drew it before), the first reader of a new edition after the task queue drew
   the opening view and the cards (``figures.warm``), and a view that is never kept (one
   member's trend) drawn beside the kept cards.
3. the refresh after one write (its audit row marks the day; ``process_dirty_days``
   computes it again) against computing that full day directly: the refresh should cost
   one day's computation and no more.

Run: ``.venv/bin/python benchmarks/run.py --only indicators --cases 10000 --indicator-days 30``
(add ``DATABASE_URL=postgres://…`` for PostgreSQL).
"""

import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone

from benchmarks import population
from himaya.agencies.models import Role
from himaya.agencies.permissions import forget_roles
from himaya.audit.actions import record_event
from himaya.cases.models import Case, IdentificationDecision
from himaya.empowerment.models import Enrolment, Project
from himaya.fund.models import PaymentRequest
from himaya.grants.models import Tranche
from himaya.monitoring import figures
from himaya.monitoring.actions import (
    _insert,
    _replace,
    _rows,
    compute_indicators,
    new_edition,
    process_dirty_days,
)
from himaya.monitoring.generate import generate
from himaya.monitoring.indicators import Days, Indicator, all_indicators
from himaya.monitoring.models import DailyValue, DirtyDay
from himaya.referrals.models import Referral
from himaya.returns.models import ReturnPlan
from himaya.screening.models import Screening
from himaya.services.models import ServiceDelivery
from himaya.shelters.models import DailyOccupancy
from himaya.survivors.models import Survivor

Compare = Callable[[str, Callable[[], object], Callable[[], object], int], None]


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    found = Case.objects.filter(code=request.GET.get("code", "")).values_list("id", flat=True)
    return HttpResponse(f"{found.first()}", content_type="text/plain")


urlpatterns = [path("bench-bare/", bare), path("", include(settings.ROOT_URLCONF))]


def _group_by(start: date, end: date) -> list[tuple[object, ...]]:
    decision = IdentificationDecision._meta.db_table
    case = Case._meta.db_table
    survivor = Case._meta.get_field("survivor").related_model._meta.db_table  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT d.decided_on, d.status, c.governorate_of_exploitation_id, s.sex, COUNT(*)
            FROM {decision} d
            JOIN {case} c ON c.id = d.case_id
            JOIN {survivor} s ON s.id = c.survivor_id
            WHERE d.decided_on BETWEEN %s AND %s
            GROUP BY d.decided_on, d.status, c.governorate_of_exploitation_id, s.sex
            """,
            [start, end],
        )
        rows: list[tuple[object, ...]] = cursor.fetchall()
        return rows


def _every_source_group_by(start: date, end: date) -> dict[str, int]:
    """One hand-written SQL ``GROUP BY`` over every row the indicators read: a ``UNION
    ALL`` of the screenings, the decisions of the period and of the year before it (the
    SDG window, which holds the cohorts), the services delivered, the referrals open
    during the period, the payment requests made or paid in it, the enrolments, the
    projects started in the year before it, the tranches, the cases closed, the returns
    and the shelters' nights, each with its case's governorate and its survivor's sex
    where it has them, grouped by source, day, governorate and sex. A moment's day is
    its UTC day on SQLite (a baseline has to read the rows, not to place them to the
    hour). Answers the rows read from each source."""
    table = connection.ops.quote_name
    case, survivor = table(Case._meta.db_table), table(Survivor._meta.db_table)
    on = table("on")
    if connection.vendor == "postgresql":

        def day(column: str) -> str:
            return f"(({column}) AT TIME ZONE %s)::date"

        zone = [settings.TIME_ZONE]
    else:

        def day(column: str) -> str:
            return f"date({column})"

        zone = []
    before = start - timedelta(days=365)
    first = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    last = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()))
    of_case = f"JOIN {case} k ON k.id = x.case_id JOIN {survivor} v ON v.id = k.survivor_id"
    place = "k.governorate_of_exploitation_id, v.sex"
    sources = [
        (
            f"SELECT 'screening' s, x.screened_on d, NULL g, v.sex sx FROM "
            f"{table(Screening._meta.db_table)} x JOIN {survivor} v ON v.id = x.survivor_id "
            "WHERE x.screened_on BETWEEN %s AND %s",
            [start, end],
        ),
        (
            f"SELECT 'decision', x.decided_on, {place} FROM "
            f"{table(IdentificationDecision._meta.db_table)} x {of_case} "
            "WHERE x.decided_on > %s AND x.decided_on <= %s",
            [before, end],
        ),
        (
            f"SELECT 'service', x.delivered_on, {place} FROM "
            f"{table(ServiceDelivery._meta.db_table)} x {of_case} "
            "WHERE x.delivered_on BETWEEN %s AND %s",
            [start, end],
        ),
        (
            f"SELECT 'referral', {day('x.sent_at')}, {place} FROM "
            f"{table(Referral._meta.db_table)} x {of_case} "
            "WHERE x.sent_at < %s AND (x.answered_at IS NULL OR x.answered_at >= %s)",
            [*zone, last, first],
        ),
        (
            f"SELECT 'payment', {day('x.created_at')}, {place} FROM "
            f"{table(PaymentRequest._meta.db_table)} x {of_case} "
            "WHERE (x.created_at >= %s AND x.created_at < %s) "
            "OR (x.paid_at >= %s AND x.paid_at < %s)",
            [*zone, first, last, first, last],
        ),
        (
            f"SELECT 'enrolment', x.decided_on, {place} FROM "
            f"{table(Enrolment._meta.db_table)} x {of_case} "
            "WHERE x.decided_on BETWEEN %s AND %s",
            [start, end],
        ),
        (
            f"SELECT 'project', x.started_on, x.governorate_id, NULL FROM "
            f"{table(Project._meta.db_table)} x WHERE x.started_on BETWEEN %s AND %s",
            [before, end],
        ),
        (
            f"SELECT 'tranche', x.released_on, NULL, NULL FROM "
            f"{table(Tranche._meta.db_table)} x WHERE x.released_on BETWEEN %s AND %s",
            [start, end],
        ),
        (
            f"SELECT 'closed', k.closed_on, {place} FROM {case} k "
            f"JOIN {survivor} v ON v.id = k.survivor_id WHERE k.closed_on BETWEEN %s AND %s",
            [start, end],
        ),
        (
            f"SELECT 'return', x.arrived_on, {place} FROM "
            f"{table(ReturnPlan._meta.db_table)} x {of_case} "
            "WHERE x.arrived_on BETWEEN %s AND %s",
            [start, end],
        ),
        (
            f"SELECT 'night', x.{on}, NULL, NULL FROM {table(DailyOccupancy._meta.db_table)} x "
            f"WHERE x.{on} BETWEEN %s AND %s AND x.unit_id IS NULL",
            [start, end],
        ),
    ]
    union = " UNION ALL ".join(sql for sql, _params in sources)
    read: dict[str, int] = {}
    with connection.cursor() as cursor:
        # Identifiers from the models, quoted; values as parameters.
        cursor.execute(
            f"SELECT s, d, g, sx, COUNT(*) FROM ({union}) u GROUP BY s, d, g, sx",
            [value for _sql, params in sources for value in params],
        )
        for source, _day, _place, _sex, count in cursor.fetchall():
            read[source] = read.get(source, 0) + count
    return read


def _median_cost(
    baseline: Callable[[], object],
    candidate: Callable[[], object],
    rounds: int,
    *,
    setup: Callable[[], object] | None = None,
) -> float:
    """The median of the candidate's cost over the baseline's, timed alternately
    (``setup``, if any, runs untimed before each round)."""
    ratios = []
    for _ in range(rounds):
        if setup is not None:
            setup()
        started = time.perf_counter()
        baseline()
        base = time.perf_counter() - started
        started = time.perf_counter()
        candidate()
        ratios.append((time.perf_counter() - started) / base)
    return statistics.median(ratios)


def _write_only(items: list[Indicator], computed: dict[str, Days], start: date, end: date) -> None:
    """What ``compute_indicators`` does after computing: replace the values in one
    transaction, one ``DELETE`` and one ``executemany``."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [row for item in items for row in _rows(item, computed[item.code], now)]
    with transaction.atomic():
        DailyValue.objects.filter(
            day__range=(start, end), indicator__in=[i.code for i in items]
        ).delete()
        _insert(rows)


def _compare_only(
    items: list[Indicator], computed: dict[str, Days], start: date, end: date
) -> None:
    """What ``compute_indicators`` does after computing when nothing changed: read the
    stored values of the period and compare them with the computed ones."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [row for item in items for row in _rows(item, computed[item.code], now)]
    with transaction.atomic():
        assert _replace([item.code for item in items], start, end, rows) == 0


def _read_values(start: date, end: date) -> int:
    """The stored values of the period read once, as the database gives them, with
    nothing computed or compared: the least that any computation ending with those values
    stored has to produce."""
    stored = DailyValue.objects.filter(day__range=(start, end)).values_list(
        "indicator", "day", "cell", "numerator", "denominator", "value"
    )
    sql, params = stored.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def _own_queries(items: list[Indicator], start: date, end: date) -> list[tuple[str, object]]:
    """The statements the indicators run to compute the period, with their parameters,
    recorded during one computation."""
    recorded: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        recorded.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        for item in items:
            item.compute_range(start, end)
    return recorded


def _replay(recorded: list[tuple[str, object]]) -> int:
    """The indicators' own statements run again as they were, every row fetched and
    nothing done with it: what the database alone costs for what they read."""
    fetched = 0
    with connection.cursor() as cursor:
        for sql, params in recorded:
            cursor.execute(sql, params)
            fetched += len(cursor.fetchall())
    return fetched


def run(size: int, rounds: int, compare: Compare, compare_cost: Compare, *, days: int = 30) -> None:
    until = timezone.localdate()  # a write marks today: the data ends today
    if Case.objects.count() < size:  # a national dataset already there is used as it is
        generate(
            cases=size, seed=7, years=1, until=until, search_tokens=False, report=lambda _: None
        )
    start, end = until - timedelta(days=days - 1), until
    decisions = IdentificationDecision.objects.filter(decided_on__range=(start, end)).count()
    print(f"  ({Case.objects.count()} cases; {decisions} decisions in the {days} days)")

    assert sum(row[-1] for row in _group_by(start, end)) == decisions  # type: ignore[misc]
    items = all_indicators()
    compute_indicators(start=start, end=end)
    few = max(1, rounds // 5)
    read = _every_source_group_by(start, end)
    print(f"  (every source the indicators read: {sum(read.values())} rows, {read})")
    every = _median_cost(
        lambda: _every_source_group_by(start, end),
        lambda: compute_indicators(start=start, end=end),
        few,
    )
    print(
        f"every indicator over {days} days, computed again over the stored values, vs one "
        f"SQL GROUP BY over every row the indicators read: candidate costs {every:.2f}x the "
        f"baseline (median of {few} rounds)"
    )
    again = _median_cost(
        lambda: _group_by(start, end), lambda: compute_indicators(start=start, end=end), few
    )
    print(
        f"every indicator over {days} days, computed again over the stored values, vs one "
        f"SQL GROUP BY over the same decisions: candidate costs {again:.2f}x the baseline "
        f"(median of {few} rounds); per indicator ({len(items)}): {again / len(items):.2f}x"
    )

    def empty_period() -> None:
        DailyValue.objects.filter(day__range=(start, end)).delete()

    afresh = _median_cost(
        lambda: _group_by(start, end),
        lambda: compute_indicators(start=start, end=end),
        few,
        setup=empty_period,
    )
    print(
        f"every indicator over {days} days, into an empty period, vs the same GROUP BY: "
        f"candidate costs {afresh:.2f}x the baseline (median of {few} rounds); "
        f"per indicator: {afresh / len(items):.2f}x"
    )
    values = DailyValue.objects.filter(day__range=(start, end)).count()
    print(f"  ({values} daily values stored)")
    # Two floors, against the same GROUP BY over every row read: the values read once
    # (whatever computes them has to produce them), and the indicators' own statements
    # replayed with nothing done with their rows (what their reads cost the database).
    assert _read_values(start, end) == values
    floor = _median_cost(
        lambda: _every_source_group_by(start, end), lambda: _read_values(start, end), rounds
    )
    recorded = _own_queries(items, start, end)
    fetched = _replay(recorded)
    replayed = _median_cost(
        lambda: _every_source_group_by(start, end), lambda: _replay(recorded), rounds
    )
    print(
        f"  (against the GROUP BY over every row read: the {values} stored values read once, "
        f"nothing computed, {floor:.2f}x; the indicators' own {len(recorded)} statements "
        f"replayed, {fetched} rows fetched and nothing done with them, {replayed:.2f}x)"
    )
    # Where the cost goes: each indicator's computation alone (no writing), then the
    # writing of the values alone, timed alternately with the baseline like the whole.
    runs = rounds
    each = {
        item.code: _median_cost(
            lambda: _group_by(start, end),
            lambda item=item: item.compute_range(start, end),  # type: ignore[misc]
            runs,
        )
        for item in items
    }
    ranked = sorted(each.items(), key=lambda pair: pair[1])
    computed = {item.code: item.compute_range(start, end) for item in items}
    writing = _median_cost(
        lambda: _group_by(start, end), lambda: _write_only(items, computed, start, end), runs
    )
    comparing = _median_cost(
        lambda: _group_by(start, end), lambda: _compare_only(items, computed, start, end), runs
    )
    print(
        f"  (computing alone, per indicator: median {ranked[len(ranked) // 2][1]:.1f}x, "
        f"least {ranked[0][0]} {ranked[0][1]:.1f}x, most {ranked[-1][0]} {ranked[-1][1]:.1f}x, "
        f"all {sum(each.values()):.1f}x; writing the {values} values alone: {writing:.1f}x; "
        f"comparing them with the stored ones alone: {comparing:.1f}x)"
    )

    agency = population.agency("bench-indicators")
    analyst = population.person("bench-indicators-analyst", Role.ANALYST, agency)
    forget_roles(analyst)
    client = Client()
    client.force_login(analyst)
    code = Case.objects.values_list("code", flat=True).first()
    # The pages cache as served (in the process's memory without Redis); tests keep none.
    served_caches = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench"},
    }
    with override_settings(ROOT_URLCONF=__name__, CACHES=served_caches):
        dashboard = client.get("/monitoring/")
        assert dashboard.status_code == 200, dashboard.status_code
        assert client.get(f"/bench-bare/?code={code}").status_code == 200
        compare_cost(
            "dashboard page vs a bare view with one indexed query",
            lambda: client.get(f"/bench-bare/?code={code}"),
            lambda: client.get("/monitoring/"),
            rounds,
        )

        def drawn_afresh() -> object:
            caches["pages"].clear()
            return client.get("/monitoring/")

        compare_cost(
            "dashboard page with its figures drawn afresh vs the same bare view",
            lambda: client.get(f"/bench-bare/?code={code}"),
            drawn_afresh,
            rounds,
        )

        # After a computation that made a new edition, the task queue draws the opening
        # view and the cards for the edition's first readers (with Redis; here the
        # process's own memory stands for it): a new edition and that drawing, untimed,
        # before each round, then the first reader.
        def queue_drew() -> None:
            new_edition()
            assert figures.warm() == 4

        first = _median_cost(
            lambda: client.get(f"/bench-bare/?code={code}"),
            lambda: client.get("/monitoring/"),
            rounds,
            setup=queue_drew,
        )
        print(
            "dashboard page, the first reader of a new edition after the task queue drew "
            f"it, vs the same bare view: candidate costs {first:.2f}x the baseline "
            f"(median of {rounds} rounds)"
        )
        # A member's trend is never kept: its view is drawn on every request, beside the
        # cards of every indicator, which are.
        member = "/monitoring/?indicator=identified_victims&dimension=sex&member=female"
        assert client.get(member).status_code == 200
        compare_cost(
            "dashboard page, one member's trend drawn afresh beside the kept cards, "
            "vs the same bare view",
            lambda: client.get(f"/bench-bare/?code={code}"),
            lambda: client.get(member),
            rounds,
        )

    def refresh_after_one_write() -> None:
        record_event(action="case.updated", object_type="cases.case", object_code=code or "")
        assert DirtyDay.objects.exists()
        process_dirty_days()

    compare_cost(
        "refresh after one write vs computing its whole day",
        lambda: compute_indicators(start=until, end=until),
        refresh_after_one_write,
        rounds,
    )
    # The target of the refresh is also a time (under a second): the median of a few, as
    # measured on this machine (shared, so only a guide).
    took = []
    for _ in range(max(3, rounds)):
        started = time.perf_counter()
        refresh_after_one_write()
        took.append(time.perf_counter() - started)
    print(f"  (the refresh after one write took {statistics.median(took):.2f} s, median)")
