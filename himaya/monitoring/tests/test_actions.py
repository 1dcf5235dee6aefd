"""Computing is idempotent, a backfill equals day-by-day computing, dirty days are
computed again."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from himaya.cases.models import Case, IdentificationDecision
from himaya.monitoring import selectors
from himaya.monitoring.actions import (
    Computed,
    compute_indicators,
    mark_dirty,
    process_dirty_days,
    refresh_for_day,
)
from himaya.monitoring.models import DailyValue, DirtyDay
from himaya.monitoring.tests.samples import DAYS, make_dataset

pytestmark = pytest.mark.django_db


def decide_possible(case: Case, day: datetime.date) -> None:
    IdentificationDecision.objects.create(
        case=case,
        status="possible",
        decided_on=day,
        deciding_agency=case.lead_agency,
        decided_by=case.case_worker,
        grounds="أسباب معقولة",
    )


def snapshot() -> list[tuple[object, ...]]:
    return sorted(
        DailyValue.objects.values_list(
            "indicator", "day", "cell", "numerator", "denominator", "value"
        )
    )


def test_computing_twice_writes_what_computing_once_did_and_a_backfill_equals_each_day() -> None:
    make_dataset(seed=3)
    compute_indicators(start=DAYS[0], end=DAYS[-1])
    once = snapshot()
    compute_indicators(start=DAYS[0], end=DAYS[-1])
    assert snapshot() == once
    DailyValue.objects.all().delete()
    for day in DAYS:
        call_command("compute_indicators", "--date", day.isoformat())
    assert snapshot() == once


def test_a_dirty_day_is_computed_again_after_its_data_changed() -> None:
    data = make_dataset(seed=5)
    day = DAYS[2]
    refresh_for_day(day)
    before = DailyValue.objects.get(indicator="possible_victims", day=day, cell="").numerator
    case = data.cases[0]
    decide_possible(case, day)
    mark_dirty(day)
    mark_dirty(day)
    assert DirtyDay.objects.count() == 1
    assert process_dirty_days() == [day]
    after = DailyValue.objects.get(indicator="possible_victims", day=day, cell="").numerator
    assert after == before + 1
    assert DirtyDay.objects.count() == 0
    # The cohort of the day is without a service three days later, unless it has one.
    later = DailyValue.objects.filter(
        indicator="no_service_72h", day=day + datetime.timedelta(days=3), cell=""
    )
    assert later.exists()


def test_only_the_named_indicators_are_replaced() -> None:
    day = datetime.date(2026, 2, 1)
    compute_indicators(start=day, end=day)
    DailyValue.objects.filter(indicator="free_beds").update(numerator=Decimal(99))
    compute_indicators(start=day, end=day, codes=["screenings"])
    assert DailyValue.objects.get(indicator="free_beds", cell="").numerator == Decimal(99)


def stored_rows() -> dict[tuple[str, datetime.date, str], tuple[object, ...]]:
    columns = ("pk", "indicator", "day", "cell", "numerator", "denominator", "value")
    return {
        (indicator, day, cell): (pk, *figures)
        for pk, indicator, day, cell, *figures in DailyValue.objects.values_list(*columns)
    }


def test_computing_unchanged_data_again_writes_nothing_and_keeps_the_edition() -> None:
    make_dataset(seed=3)
    first = compute_indicators(start=DAYS[0], end=DAYS[-1])
    assert first.changed == first.values == DailyValue.objects.count() > 0
    before, edition = stored_rows(), selectors.edition()
    assert compute_indicators(start=DAYS[0], end=DAYS[-1]) == Computed(first.values, 0)
    assert stored_rows() == before  # the same rows, not rewritten ones
    assert selectors.edition() == edition


def test_after_a_change_only_the_moved_values_are_written_and_equal_a_fresh_computation() -> None:
    data = make_dataset(seed=5)
    day = DAYS[2]
    compute_indicators(start=DAYS[0], end=DAYS[-1])
    before, edition = stored_rows(), selectors.edition()
    case = data.cases[0]
    decide_possible(case, day)
    again = compute_indicators(start=DAYS[0], end=DAYS[-1])
    after = stored_rows()
    moved = {key for key in after if key not in before or after[key][1:] != before[key][1:]}
    assert ("possible_victims", day, "") in moved
    assert again.changed == len(moved) + len(before.keys() - after.keys())
    assert 0 < again.changed < again.values
    # Every value that did not move is the row that was there, untouched.
    assert all(after[key] == before[key] for key in after.keys() - moved)
    assert selectors.edition() != edition
    DailyValue.objects.all().delete()
    compute_indicators(start=DAYS[0], end=DAYS[-1])
    fresh = stored_rows()
    assert {key: row[1:] for key, row in after.items()} == {
        key: row[1:] for key, row in fresh.items()
    }


def test_a_value_no_longer_computed_is_removed() -> None:
    make_dataset(seed=3)
    day = DAYS[1]
    compute_indicators(start=day, end=day)
    stray = DailyValue.objects.create(
        indicator="screenings",
        day=day,
        cell="sex=unknown-member",
        dimension="sex",
        member="unknown-member",
        numerator=Decimal(4),
        value=Decimal(4),
    )
    outside = DailyValue.objects.create(
        indicator="screenings", day=DAYS[3], cell="", numerator=Decimal(7), value=Decimal(7)
    )
    assert compute_indicators(start=day, end=day).changed == 1
    assert not DailyValue.objects.filter(pk=stray.pk).exists()
    assert DailyValue.objects.get(pk=outside.pk).numerator == Decimal(7)


def test_the_command_says_how_many_values_it_wrote(capsys: pytest.CaptureFixture[str]) -> None:
    make_dataset(seed=3)
    day = DAYS[1]
    call_command("compute_indicators", "--date", day.isoformat())
    values = DailyValue.objects.filter(day=day).count()
    call_command("compute_indicators", "--date", day.isoformat())
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"{values} values from {day} to {day}, {values} written or removed",
        f"{values} values from {day} to {day}, 0 written or removed",
    ]
