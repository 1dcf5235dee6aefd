"""The indicator catalogue loads exactly the data file; the import command adds sets."""

import csv
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from himaya.audit.models import AuditEvent
from himaya.screening.catalogue import LABOUR_FILE, SEXUAL_FILE
from himaya.screening.models import CatalogueVersion, IndicatorSet, TraffickingIndicator

pytestmark = pytest.mark.django_db


def file_counts() -> Counter[tuple[str, str, str]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for path in (LABOUR_FILE, SEXUAL_FILE):
        with path.open(encoding="utf-8") as handle:
            counts.update(
                (row["set"], row["dimension_code"], row["strength"])
                for row in csv.DictReader(handle)
            )
    return counts


def test_the_migrations_load_the_four_sets_into_the_first_catalogue_version() -> None:
    catalogue = CatalogueVersion.objects.get()
    assert catalogue.label == "ilo-ec-2009"
    sets = {s.code: s for s in IndicatorSet.objects.filter(catalogue=catalogue)}
    assert sorted(sets) == ["A_LAB", "A_SEX", "C_LAB", "C_SEX"]
    assert sets["A_LAB"].for_children is False
    assert sets["C_LAB"].for_children is True
    assert sets["A_LAB"].indicators.count() == 67
    assert sets["C_LAB"].indicators.count() == 65


@pytest.mark.parametrize(
    ("set_code", "per_dimension"),
    [
        ("A_LAB", {"DR": 10, "CR": 10, "VR": 16, "EX": 9, "CD": 15, "VD": 7}),
        ("C_LAB", {"DR": 10, "CR": 10, "VR": 15, "EX": 8, "CD": 15, "VD": 7}),
    ],
)
def test_each_set_has_the_exact_count_per_dimension(
    set_code: str, per_dimension: dict[str, int]
) -> None:
    stored = Counter(
        TraffickingIndicator.objects.filter(indicator_set__code=set_code).values_list(
            "dimension", flat=True
        )
    )
    assert dict(stored) == per_dimension


def test_counts_per_set_dimension_and_strength_equal_the_data_file() -> None:
    stored = Counter(
        TraffickingIndicator.objects.values_list("indicator_set__code", "dimension", "strength")
    )
    assert stored == file_counts()


def test_children_labour_set_has_no_weak_indicator() -> None:
    assert not TraffickingIndicator.objects.filter(
        indicator_set__code="C_LAB", strength="weak"
    ).exists()


def test_every_indicator_has_english_and_arabic_text() -> None:
    assert not TraffickingIndicator.objects.filter(text_en="").exists()
    assert not TraffickingIndicator.objects.filter(text_ar="").exists()
    sample = TraffickingIndicator.objects.get(code="A_LAB-DR-S01")
    assert sample.text_ar == "خداع بشأن طبيعة العمل أو مكانه أو صاحب العمل"


SEXUAL_ROWS = [
    "set,set_label,dimension_code,dimension,dimension_ar_draft,strength,code,indicator_key,"
    "text_en,text_ar_draft,confidence",
    "X_SEX,Adults - trafficking for sexual exploitation,DR,Deceptive recruitment,,strong,"
    "X_SEX-DR-S01,nature_job,Misled about the nature of the job,خداع بشأن طبيعة العمل,test",
    "X_SEX,Adults - trafficking for sexual exploitation,EX,Exploitation,,medium,"
    "X_SEX-EX-M01,bad_living,Bad living conditions,ظروف معيشة سيئة,test",
]


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "set.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_command_adds_a_set_from_a_file_in_the_same_format(tmp_path: Path) -> None:
    path = write(tmp_path, SEXUAL_ROWS)
    call_command("import_indicator_set", str(path), "--catalogue", "ilo-ec-2009")
    imported = IndicatorSet.objects.get(code="X_SEX")
    assert imported.exploitation == "sexual"
    assert imported.for_children is False
    assert list(imported.indicators.values_list("code", "strength")) == [
        ("X_SEX-DR-S01", "strong"),
        ("X_SEX-EX-M01", "medium"),
    ]
    event = AuditEvent.objects.get(action="screening.indicator_sets_imported")
    assert event.details["sets"] == ["X_SEX"]


def test_importing_the_same_file_twice_creates_nothing_more(tmp_path: Path) -> None:
    path = write(tmp_path, SEXUAL_ROWS)
    call_command("import_indicator_set", str(path))
    call_command("import_indicator_set", str(path))
    assert TraffickingIndicator.objects.filter(indicator_set__code="X_SEX").count() == 2
    assert AuditEvent.objects.filter(action="screening.indicator_sets_imported").count() == 1


def test_import_refuses_to_change_a_published_set(tmp_path: Path) -> None:
    call_command("import_indicator_set", str(write(tmp_path, SEXUAL_ROWS)))
    changed = [*SEXUAL_ROWS[:2], SEXUAL_ROWS[2].replace(",medium,", ",strong,")]
    with pytest.raises(CommandError, match="new catalogue version"):
        call_command("import_indicator_set", str(write(tmp_path, changed)))
    assert TraffickingIndicator.objects.get(code="X_SEX-EX-M01").strength == "medium"


def test_import_into_a_new_catalogue_version_keeps_the_old_one(tmp_path: Path) -> None:
    call_command("import_indicator_set", str(LABOUR_FILE), "--catalogue", "ilo-ec-2009-r2")
    assert CatalogueVersion.objects.count() == 2
    assert IndicatorSet.objects.filter(code="A_LAB").count() == 2
    assert TraffickingIndicator.objects.count() == 2 * (67 + 65) + (67 + 65)  # sexual sets once


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (",QQ,", "unknown dimension"),
        (",strong,", "repeated"),
    ],
)
def test_import_rejects_a_malformed_file_and_loads_nothing(
    tmp_path: Path, bad: str, message: str
) -> None:
    rows = list(SEXUAL_ROWS)
    if bad == ",QQ,":
        rows[2] = rows[2].replace(",EX,", ",QQ,")
    else:
        rows[2] = rows[2].replace("X_SEX-EX-M01", "X_SEX-DR-S01")
    with pytest.raises(CommandError, match=message):
        call_command("import_indicator_set", str(write(tmp_path, rows)))
    assert not IndicatorSet.objects.filter(code="X_SEX").exists()
