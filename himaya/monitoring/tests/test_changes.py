"""Writes mark their day for the indicators to be computed again; reads mark nothing."""

import datetime

import pytest
from django.utils import timezone

from himaya.audit.actions import record_event
from himaya.monitoring import rules
from himaya.monitoring.actions import process_dirty_days
from himaya.monitoring.models import DailyValue, DirtyDay

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("action", "moves"),
    [
        ("case.opened", True),
        ("referral.sent", True),
        ("fund.payment_approved", True),
        ("survivor.identity_viewed", False),
        ("survivor.identity_listed", False),
        ("justice.references_read", False),
        ("case.summary_printed", False),
        ("survivor.search", False),
        ("auth.login", False),
    ],
)
def test_only_writes_move_the_indicators(action: str, moves: bool) -> None:
    assert rules.moves_indicators(action) is moves


def test_an_audited_write_marks_today_once_and_a_read_marks_nothing() -> None:
    DirtyDay.objects.all().delete()
    record_event(action="survivor.identity_viewed", object_type="survivors.survivor")
    assert DirtyDay.objects.count() == 0

    record_event(action="case.opened", object_type="cases.case", object_code="CS-1")
    record_event(action="case.moved", object_type="cases.case", object_code="CS-1")
    assert list(DirtyDay.objects.values_list("day", flat=True)) == [timezone.localdate()]


def test_the_marked_day_is_computed_again_and_its_mark_cleared() -> None:
    DirtyDay.objects.all().delete()
    today = timezone.localdate()
    record_event(action="case.opened", object_type="cases.case", object_code="CS-1")

    done = process_dirty_days()

    assert done == [today]
    assert DirtyDay.objects.count() == 0
    assert DailyValue.objects.filter(day=today, indicator="identified_victims", cell="").exists()
    assert not DailyValue.objects.filter(day=today + datetime.timedelta(days=1)).exists()
