"""The CTDC import of the global dataset into the statistical store."""

import csv
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from himaya.audit.models import AuditEvent
from himaya.exchange.actions import import_ctdc
from himaya.exchange.models import StatisticalRecord
from himaya.survivors.models import Survivor

pytestmark = pytest.mark.django_db

# The shared reference data sit beside the project's checkout (../shared/data/ctdc).
DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "ctdc"
GLOBAL = DATA / "ctdc_global_dataset_2018_k11.csv"
SAMPLE = DATA / "ctdc_sample_1000.csv"

needs_data = pytest.mark.skipif(not GLOBAL.exists(), reason="the CTDC dataset is not here")


def direct_form(row: dict[str, str]) -> str:
    """The UNODC form of a row, read straight from the flags of the CSV."""
    if row["isSexAndLabour"] == "1" or (
        row["isSexualExploit"] == "1" and row["isForcedLabour"] == "1"
    ):
        return "mixed_sexual_exploitation_and_forced_labour"
    if row["isSexualExploit"] == "1":
        return "sexual_exploitation"
    if row["isForcedLabour"] == "1":
        return "forced_labour"
    if row["isForcedMarriage"] == "1":
        return "forced_marriage"
    if row["isOrganRemoval"] == "1":
        return "organ_removal"
    if row["isOtherExploit"] == "1" or row["isForcedMilitary"] == "1":
        return "other_purposes"
    return "unknown"


@needs_data
def test_the_global_dataset_imports_with_the_counts_of_the_csv_and_twice_changes_nothing() -> None:
    with open(GLOBAL, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    run = import_ctdc(path=GLOBAL)

    assert run.rows_read == len(rows) == 47102
    assert run.rows_rejected == 0
    assert run.rows_imported == 47102
    assert StatisticalRecord.objects.count() == 47102
    stored = StatisticalRecord.objects
    by_gender = Counter(stored.values_list("gender", flat=True))
    assert by_gender == Counter(row["gender"] for row in rows)
    assert by_gender["Female"] == 33850 and by_gender["Male"] == 12997
    assert Counter(stored.values_list("form", flat=True)) == Counter(direct_form(r) for r in rows)
    assert Counter(stored.values_list("year", flat=True)) == Counter(
        int(r["yearOfRegistration"]) if r["yearOfRegistration"] else None for r in rows
    )
    assert Survivor.objects.count() == 0

    again = import_ctdc(path=GLOBAL)

    assert again.rows_imported == 0
    assert again.rows_already_present == 47102
    assert StatisticalRecord.objects.count() == 47102
    assert AuditEvent.objects.filter(action="exchange.statistics_imported").count() == 2


@needs_data
def test_a_file_with_broken_rows_imports_the_rest_and_reports_each_with_its_line(
    tmp_path: Path,
) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:21]
    broken = [header, *body[:5], "twenty-ten" + body[5][4:], *body[6:10]]
    broken.append(body[10].replace('"Female"', '"Female"', 1) + ",extra")
    broken.append("2012," + ",".join([""] * 3))
    broken += body[11:20]
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")

    run = import_ctdc(path=path)

    assert run.rows_rejected == 3
    assert [r["line"] for r in run.rejections] == [7, 12, 13]
    assert "yearOfRegistration" in run.rejections[0]["reason"]
    assert run.rows_imported == 18
    assert StatisticalRecord.objects.count() == 18


@needs_data
def test_the_command_imports_a_file_and_says_what_it_did(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("import_ctdc", str(SAMPLE), "--no-progress")

    out = capsys.readouterr().out
    assert "read 1000, imported 1000, already present 0, rejected 0" in out
    assert StatisticalRecord.objects.count() == 1000
