"""The international tables from Himaya's records and from imported CTDC data."""

import csv
import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.test import override_settings

from himaya.cases.models import Case
from himaya.exchange import actions, selectors
from himaya.exchange.rules import TABLE_NAMES
from himaya.survivors.models import Sex

pytestmark = pytest.mark.django_db

# The shared reference data sit beside the project's checkout (../shared/data/ctdc).
SAMPLE = (
    Path(__file__).resolve().parents[3].parent / "shared" / "data" / "ctdc" / "ctdc_sample_1000.csv"
)


@pytest.fixture
def victims(make_case: Callable[..., Case]) -> None:
    for _ in range(7):
        make_case(forms=("sexual_exploitation.prostitution",), birth_year=2010)
    for _ in range(6):
        make_case(forms=("forced_labour",), sex=Sex.MALE, nationality="SD")
    make_case(forms=("organ_removal",), sex=Sex.MALE)


@override_settings(STATISTICS_WITHOUT_CONSENT="aggregates", HIMAYA_SUPPRESS_BELOW=5)
def test_victims_by_form_counts_each_survivor_once_and_hides_small_cells(victims: None) -> None:
    table = actions.build_table("victims_by_form")

    assert table.columns == ("year", "form", "victims")
    assert ("2026", "sexual_exploitation", 7) in table.rows
    # One small cell alone would be read off the total: the next smallest hides with it.
    assert ("2026", "forced_labour", None) in table.rows
    assert ("2026", "organ_removal", None) in table.rows
    assert table.suppressed == 2
    assert sum(row[2] or 0 for row in table.rows) == 7


@override_settings(STATISTICS_WITHOUT_CONSENT="aggregates")
def test_sdg_16_2_2_is_per_100000_of_the_governorates_population(victims: None) -> None:
    table = actions.build_table("sdg_16_2_2", suppress=False)

    assert table.columns == ("year", "series", "sex", "age", "victims", "per_100k")
    population = selectors.national_population()
    assert population > 100_000_000
    row = next(r for r in table.rows if r[1] == "VC_HTF_DETVSX")
    assert row[:5] == ("2026", "VC_HTF_DETVSX", "FEMALE", "Y0T17", 7)
    assert row[5] == f"{7 * 100_000 / population:.2f}"


@override_settings(STATISTICS_WITHOUT_CONSENT="aggregates")
def test_citizenship_is_domestic_or_foreign(victims: None) -> None:
    table = actions.build_table("victims_by_citizenship", suppress=False)

    assert set(table.rows) == {("2026", "domestic", 8), ("2026", "foreign", 6)}


@override_settings(STATISTICS_WITHOUT_CONSENT="excluded")
def test_without_the_aggregates_policy_only_consenting_survivors_count(
    make_case: Callable[..., Case],
) -> None:
    for _ in range(6):
        make_case()
    for _ in range(4):
        make_case(consent=False)

    table = actions.build_table("victims_by_year", suppress=False)

    assert table.rows == [("2026", 6)]


@pytest.mark.skipif(not SAMPLE.exists(), reason="the CTDC sample is not here")
def test_every_table_prints_from_imported_ctdc_data_in_ctdc_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    actions.import_ctdc(path=SAMPLE)
    with open(SAMPLE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    for name in TABLE_NAMES:
        call_command("export_table", name, "--source", "ctdc")
        out = capsys.readouterr().out
        header = out.splitlines()[0].split(",")
        assert header[-1] == ("per_100k" if name == "sdg_16_2_2" else "victims")

    call_command("export_table", "victims_by_sex_age", "--source", "ctdc")
    printed = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    females_2016_adults = sum(
        1
        for r in rows
        if r["gender"] == "Female"
        and r["yearOfRegistration"] == "2016"
        and r["majorityStatus"] == "Adult"
    )
    line = next(
        p
        for p in printed
        if p["year"] == "2016" and p["sex"] == "Female" and p["age_group"] == "Adult"
    )
    assert line["victims"] == str(females_2016_adults)

    path = tmp_path / "years.xlsx"
    call_command(
        "export_table",
        "victims_by_year",
        "--source",
        "ctdc",
        "--format",
        "xlsx",
        "--output",
        str(path),
    )
    book = openpyxl.load_workbook(path)
    assert next(iter(book.worksheets[0].values)) == ("year", "victims")
    assert "Counter-Trafficking Data Collaborative" in str(next(iter(book["notes"].values))[0])
