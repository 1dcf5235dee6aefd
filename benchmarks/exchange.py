"""The CTDC import and the k-anonymous export, each against the least a database can do.

1. ``import_ctdc`` of the CTDC global dataset (47,102 rows: every row validated, hashed,
   checked against the store, written in batches) against a plain bulk read of the same
   CSV and one ``bulk_create`` of the same rows without any checks. The store is emptied
   after each round so that every round imports the whole file.
2. the k-anonymous export (CTDC layout, k = 11) of ``size`` generated cases, every survivor
   with a statistics consent, against a plain read of the same columns of the same rows.

Run: ``.venv/bin/python benchmarks/run.py --only exchange --cases 1000000``
(add ``DATABASE_URL=postgres://…`` for PostgreSQL).
"""

import csv
import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.utils import timezone

from himaya.cases.models import Case
from himaya.exchange.actions import export_statistics, import_ctdc
from himaya.exchange.models import StatisticalImport, StatisticalRecord
from himaya.monitoring.generate import generate
from himaya.survivors.models import Consent, ConsentPurpose, Survivor

Compare = Callable[[str, Callable[[], object], Callable[[], object], int], None]
DATASET = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "ctdc"
    / "ctdc_global_dataset_2018_k11.csv"
)


def _empty_store() -> None:
    StatisticalRecord.objects.all().delete()


def _plain_load() -> None:
    """Read the CSV and write its rows in one bulk insert, without any check."""
    run = StatisticalImport.objects.create(file_name="plain", file_sha256="")
    with open(DATASET, encoding="utf-8", newline="") as handle:
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
    _empty_store()


def _import() -> None:
    run = import_ctdc(path=DATASET)
    assert run.rows_imported == run.rows_read - run.rows_rejected
    _empty_store()


def _plain_read() -> int:
    return sum(
        1
        for _row in Case.objects.values_list(
            "id",
            "first_contact_on",
            "country_of_exploitation",
            "survivor__sex",
            "survivor__birth_year",
            "survivor__nationality",
        ).iterator(chunk_size=5000)
    )


def run(size: int, rounds: int, compare: Compare, compare_cost: Compare) -> None:
    if DATASET.exists():
        compare_cost(
            "CTDC import of the global dataset vs a plain read and bulk insert of its rows",
            _plain_load,
            _import,
            max(1, rounds // 2),
        )
    else:
        print(f"  (skipped the import: {DATASET} is not here)")

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
    print(f"  ({Case.objects.count()} cases, {timezone.localdate()})")
    result = export_statistics(by=None, purpose="benchmark", k=11)
    print(f"  (export: {result.report})")
    compare_cost(
        f"k-anonymous CTDC export of {size} cases vs a plain read of the same rows",
        _plain_read,
        lambda: export_statistics(by=None, purpose="benchmark", k=11),
        max(1, rounds // 5),
    )
