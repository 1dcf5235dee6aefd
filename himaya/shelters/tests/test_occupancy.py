import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from himaya.accounts.models import User
from himaya.cases.models import Case
from himaya.shelters import actions, selectors
from himaya.shelters.models import DailyOccupancy, Shelter

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(case: Case, case_worker: User, shelter: Shelter) -> Shelter:
    """A mother admitted on 1 Nov with her infant, discharged on 11 Nov (10 nights)."""
    with time_machine.travel("2026-11-01 18:00 +0200", tick=False):
        stay = actions.admit_to_shelter(
            case=case, shelter=shelter, by=case_worker, children_birth_years=[2026]
        )
    with time_machine.travel("2026-11-11 10:00 +0200", tick=False):
        actions.discharge_stay(
            stay=stay, destination="independent", by=case_worker, expected_version=stay.version
        )
    return shelter


def test_record_occupancy_counts_survivors_children_and_beds(history: Shelter) -> None:
    call_command("record_occupancy", "--date", "2026-11-05", stdout=open("/dev/null", "w"))  # noqa: SIM115
    whole = DailyOccupancy.objects.get(on=dt.date(2026, 11, 5), unit__isnull=True)
    assert (whole.beds, whole.occupied, whole.survivors, whole.children) == (5, 2, 1, 1)
    units = DailyOccupancy.objects.filter(on=dt.date(2026, 11, 5), unit__isnull=False)
    assert sorted((u.unit.label, u.beds, u.occupied) for u in units) == [
        ("أمهات وأطفال", 3, 2),
        ("نساء", 2, 0),
    ]


def test_the_night_of_leaving_is_not_occupied(history: Shelter) -> None:
    call_command(
        "record_occupancy",
        "--from",
        "2026-10-31",
        "--to",
        "2026-11-12",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    occupied = dict(DailyOccupancy.objects.filter(unit__isnull=True).values_list("on", "survivors"))
    assert occupied[dt.date(2026, 10, 31)] == 0
    assert occupied[dt.date(2026, 11, 1)] == 1
    assert occupied[dt.date(2026, 11, 10)] == 1
    assert occupied[dt.date(2026, 11, 11)] == 0
    assert sum(occupied.values()) == 10


def test_recording_twice_changes_nothing(history: Shelter) -> None:
    for _ in range(2):
        call_command(
            "record_occupancy",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-03",
            stdout=open("/dev/null", "w"),  # noqa: SIM115
        )
    assert DailyOccupancy.objects.count() == 3 * 3  # 3 nights × (shelter + 2 units)


def test_record_occupancy_refuses_an_inverted_range() -> None:
    with pytest.raises(CommandError):
        call_command("record_occupancy", "--from", "2026-11-05", "--to", "2026-11-01")


def test_length_of_stay_counts_the_stays_that_ended(history: Shelter) -> None:
    figures = selectors.length_of_stay(since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 30))
    assert figures == {"stays": 1, "average_nights": 10.0, "longest_nights": 10}


def test_national_occupancy_sums_shelters(history: Shelter) -> None:
    call_command("record_occupancy", "--date", "2026-11-02", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert selectors.national_occupancy(since=dt.date(2026, 11, 2), until=dt.date(2026, 11, 2)) == [
        {"on": dt.date(2026, 11, 2), "beds": 5, "occupied": 2, "survivors": 1, "children": 1}
    ]


def test_unit_history_lists_each_unit_per_night(history: Shelter) -> None:
    call_command(
        "record_occupancy",
        "--from",
        "2026-11-04",
        "--to",
        "2026-11-05",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    rows = (
        DailyOccupancy.objects.filter(shelter=history, unit__isnull=False)
        .select_related("unit")
        .order_by("-on", "unit__label")
    )
    assert [(r.on.day, r.unit.label, r.occupied) for r in rows] == [
        (5, "أمهات وأطفال", 2),
        (5, "نساء", 0),
        (4, "أمهات وأطفال", 2),
        (4, "نساء", 0),
    ]
