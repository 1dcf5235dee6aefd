"""``manage.py find_duplicates`` on the registry and on a CSV list; the demo pairs."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from himaya.duplicates.models import CandidatePair
from himaya.duplicates.tests.conftest import survivor
from himaya.survivors.models import Survivor

pytestmark = pytest.mark.django_db


def test_the_csv_list_is_scored_without_touching_any_table(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "id,name,birth_year,sex,nationality\n"
        "1,محمد عبد الله حسن,1990,male,EG\n"
        "2,Mohamed Abdallah Hassan,1991,male,EG\n"
        "3,Muhammad Abdullah Hasan,,male,\n"
        "4,Mariam Youssef Ali,1985,female,SD\n"
        "5,,,,\n",
        encoding="utf-8",
    )
    target = tmp_path / "pairs.csv"
    counts = (Survivor.objects.count(), CandidatePair.objects.count())
    call_command(
        "find_duplicates",
        "--input",
        str(source),
        "--output",
        str(target),
        "--no-progress",
        stdout=io.StringIO(),
    )
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert {(row["id_a"], row["id_b"]) for row in rows} == {("1", "2"), ("1", "3"), ("2", "3")}
    assert all(0.8 <= float(row["score"]) <= 1 for row in rows)
    assert (Survivor.objects.count(), CandidatePair.objects.count()) == counts


def test_the_registry_is_scored_from_the_command_line(case_worker: Any, agency_a: Any) -> None:
    survivor(agency_a, case_worker, name_ar="أحمد محمود علي", name_latin="", birth_year=1990)
    survivor(agency_a, case_worker, name_ar="", name_latin="Ahmad Mahmoud Aly", birth_year=1992)
    out = io.StringIO()
    call_command("find_duplicates", "--no-progress", stdout=out)
    assert "1 new" in out.getvalue()
    assert CandidatePair.objects.count() == 1


def test_the_demo_fills_the_review_queue_once(make_persona: Any, agency_a: Any) -> None:
    from himaya.accounts.tests.factories import UserFactory
    from himaya.agencies import demo as agencies_demo
    from himaya.duplicates import demo

    agency_a.name_en = agencies_demo.CAIRO_DIRECTORATE
    agency_a.save()
    UserFactory(username="caseworker")
    assert demo.seed() == "3 pairs created"
    assert demo.seed() == "0 pairs created, 3 in the demo"
    assert all(pair.score >= 0.8 for pair in CandidatePair.objects.all())
