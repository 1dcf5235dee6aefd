"""The CTDC import and the k-anonymous export, each against the least a database can do.

1. ``import_ctdc`` of the CTDC global dataset (every row validated, hashed, checked
   against the store, written in batches) against a plain bulk load of the same CSV: on
   PostgreSQL one ``COPY … FROM STDIN (FORMAT csv)`` of the file into a table of the same
   shape (one text column per column of the file), elsewhere one ``bulk_create`` of its
   rows without any check. Both stores are emptied after each round, outside the time.
2. the k-anonymous export (CTDC layout, k = 11) of ``size`` generated cases, every survivor
   with a statistics consent, against a plain bulk read of the same rows and columns (the
   cases statistics count, with their survivors' facts and their forms of exploitation):
   on PostgreSQL ``COPY (SELECT …) TO STDOUT``, elsewhere a chunked ``values_list``.

Baseline and candidate run alternately; each line gives both median times and the
candidate's cost as a multiple of the baseline (median, min and max over the rounds).

Run: ``.venv/bin/python benchmarks/run.py --only exchange --cases 1000000``
(add ``DATABASE_URL=postgres://…`` for PostgreSQL).
"""

import csv
import hashlib
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from himaya.cases.models import Case, IdentificationStatus
from himaya.exchange.actions import Export, export_statistics, import_ctdc
from himaya.exchange.models import StatisticalImport, StatisticalRecord
from himaya.exchange.selectors import COUNTED_CASE_COLUMNS
from himaya.monitoring.generate import generate
from himaya.survivors.models import Consent, ConsentPurpose, Survivor
from himaya.survivors.selectors import in_statistics

Compare = Callable[[str, Callable[[], object], Callable[[], object], int], None]
DATASET = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "ctdc"
    / "ctdc_global_dataset_2018_k11.csv"
)
COPY_TABLE = "benchmark_ctdc_copy"


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _alternate(
    name: str,
    baseline: Callable[[], int],
    candidate: Callable[[], int],
    rounds: int,
    *,
    reset: Callable[[], None] = lambda: None,
) -> None:
    """Time ``baseline`` and ``candidate`` alternately, ``reset`` (untimed) after each."""
    base_times: list[float] = []
    cand_times: list[float] = []
    for _ in range(rounds):
        for function, times in ((baseline, base_times), (candidate, cand_times)):
            start = time.perf_counter()
            rows = function()
            times.append(time.perf_counter() - start)
            reset()
        assert rows, "no rows"
    ratios = [c / b for b, c in zip(base_times, cand_times, strict=True)]
    print(
        f"{name}: baseline {statistics.median(base_times):.2f} s, "
        f"candidate {statistics.median(cand_times):.2f} s; "
        f"candidate costs {statistics.median(ratios):.1f}x the baseline "
        f"(median of {rounds} rounds, min {min(ratios):.1f}x, max {max(ratios):.1f}x)",
        flush=True,
    )


# --- The import -----------------------------------------------------------------------


def _header() -> list[str]:
    with open(DATASET, encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def _create_copy_table() -> None:
    columns = ", ".join(f'"{column}" text' for column in _header())
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {COPY_TABLE} ({columns})")


def _copy_load() -> int:
    """The file into a table of its shape, in one ``COPY`` (PostgreSQL)."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with (
            open(DATASET, "rb") as handle,
            raw.copy(f"COPY {COPY_TABLE} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            for block in iter(lambda: handle.read(1 << 20), b""):
                copy.write(block)
        return int(raw.rowcount)


def _bulk_load() -> int:
    """The file's rows in one bulk insert into the store, without any check."""
    run = StatisticalImport.objects.create(file_name="plain", file_sha256="")
    with open(DATASET, encoding="utf-8-sig", newline="") as handle:
        rows = [
            StatisticalRecord(
                row_hash=hashlib.sha256(str(number).encode()).hexdigest(),
                batch=run,
                year=int(row["yearOfRegistration"]) if row["yearOfRegistration"] else None,
                gender=row["gender"],
                values=row,
            )
            for number, row in enumerate(csv.DictReader(handle))
        ]
    StatisticalRecord.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _empty_stores() -> None:
    StatisticalRecord.objects.all().delete()
    StatisticalImport.objects.all().delete()
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {COPY_TABLE}")


def _import() -> int:
    run = import_ctdc(path=DATASET)
    assert run.rows_imported == run.rows_read - run.rows_rejected
    return run.rows_imported


def _benchmark_import(rounds: int) -> None:
    if not DATASET.exists():
        print(f"  (skipped the import: {DATASET} is not here)")
        return
    if _postgresql():
        _create_copy_table()
    baseline = _copy_load if _postgresql() else _bulk_load
    read = baseline()
    _empty_stores()
    run = import_ctdc(path=DATASET)
    print(
        f"  (import: {run.rows_read} rows read, {run.rows_imported} imported, "
        f"{run.rows_rejected} rejected; baseline loads {read} rows)",
        flush=True,
    )
    assert read == run.rows_read
    _empty_stores()
    _alternate(
        "CTDC import of the global dataset vs "
        + ("a COPY of the file into a table of its shape" if _postgresql() else "a bulk insert"),
        baseline,
        _import,
        rounds,
        reset=_empty_stores,
    )


# --- The export -----------------------------------------------------------------------


def _counted() -> QuerySet[Case]:
    """The cases the export considers (before it keeps one per survivor)."""
    return Case.objects.exclude(
        identification_status__in=[IdentificationStatus.NOT_VICTIM, IdentificationStatus.WITHDRAWN]
    ).filter(in_statistics("survivor", on=date.today(), record_level=True))


def _forms() -> QuerySet[Any]:
    through = Case.exploitation_forms.through
    return through.objects.filter(case_id__in=_counted().values("id")).values_list(
        "case_id", "exploitationform__code"
    )


def _copy_read() -> int:
    """The same rows and columns, in ``COPY (SELECT …) TO STDOUT`` (PostgreSQL)."""
    lines = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for queryset in (
            _counted()
            .order_by("survivor_id", "first_contact_on", "id")
            .values(*COUNTED_CASE_COLUMNS),
            _forms(),
        ):
            sql, params = queryset.query.sql_with_params()
            with raw.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
                for block in copy:
                    lines += bytes(block).count(b"\n")
    return lines


def _bulk_read() -> int:
    """The same rows and columns, read in chunks."""
    rows = 0
    for queryset in (
        _counted()
        .order_by("survivor_id", "first_contact_on", "id")
        .values_list(*COUNTED_CASE_COLUMNS),
        _forms(),
    ):
        rows += sum(1 for _row in queryset.iterator(chunk_size=5000))
    return rows


LAST_EXPORT: list[Export] = []


def _export() -> int:
    LAST_EXPORT[:] = [export_statistics(by=None, purpose="benchmark", k=11)]
    return LAST_EXPORT[0].rows


def _benchmark_export(size: int, rounds: int) -> None:
    started = time.perf_counter()
    generate(cases=size, seed=11, years=3, search_tokens=False, report=lambda _: None)
    given = date(2020, 1, 1)
    Consent.objects.bulk_create(
        [
            Consent(
                survivor_id=pk,
                purpose=ConsentPurpose.STATISTICS,
                given_on=given,
                recorded_by_id=by,
            )
            for pk, by in Survivor.objects.values_list("id", "registered_by_id").iterator(
                chunk_size=10000
            )
        ],
        batch_size=5000,
    )
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"  ({Case.objects.count()} cases, {Survivor.objects.count()} survivors, "
        f"generated in {time.perf_counter() - started:.0f} s, {timezone.localdate()})",
        flush=True,
    )
    baseline = _copy_read if _postgresql() else _bulk_read
    print(f"  (baseline reads {baseline()} rows: counted cases and their forms)", flush=True)
    _alternate(
        f"k-anonymous CTDC export of {size} cases vs "
        + ("a COPY of the same rows" if _postgresql() else "a bulk read of the same rows"),
        baseline,
        _export,
        rounds,
    )
    result = LAST_EXPORT[0]
    print(f"  (export: {result.report}; {result.rows} rows, {len(result.content)} bytes)")


def run(size: int, rounds: int, compare: Compare, compare_cost: Compare) -> None:
    _benchmark_import(max(1, rounds))
    _benchmark_export(size, max(1, rounds // 2))
