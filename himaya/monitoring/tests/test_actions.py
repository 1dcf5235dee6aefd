"""Computing is idempotent, a backfill equals day-by-day computing, dirty days are
computed again."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from himaya.cases.models import IdentificationDecision
from himaya.monitoring.actions import (
    compute_indicators,
    mark_dirty,
    process_dirty_days,
    refresh_for_day,
)
from himaya.monitoring.models import DailyValue, DirtyDay
from himaya.monitoring.tests.samples import DAYS, make_dataset

pytestmark = pytest.mark.django_db


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
    IdentificationDecision.objects.create(
        case=case,
        status="possible",
        decided_on=day,
        deciding_agency=case.lead_agency,
        decided_by=case.case_worker,
        grounds="أسباب معقولة",
    )
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
