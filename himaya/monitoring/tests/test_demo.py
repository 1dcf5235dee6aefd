import datetime

import pytest
from django.utils import timezone

from himaya.cases.tests.factories import CaseFactory
from himaya.monitoring import demo
from himaya.monitoring.indicators import REGISTRY
from himaya.monitoring.models import DailyValue

pytestmark = pytest.mark.django_db


def test_the_demo_computes_every_indicator_for_its_days_and_again_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(demo, "DEMO_DAYS", 5)
    demo.seed()
    assert DailyValue.objects.filter(cell="").count() == 5 * len(REGISTRY)
    before = sorted(DailyValue.objects.values_list("indicator", "day", "cell", "numerator"))
    demo.seed()
    assert sorted(DailyValue.objects.values_list("indicator", "day", "cell", "numerator")) == before


def test_the_demo_computes_from_the_first_recorded_day_of_its_data() -> None:
    today = timezone.localdate()
    first = today - datetime.timedelta(days=200)
    CaseFactory(first_contact_on=first, identified_on=first)
    demo.seed()
    days = DailyValue.objects.filter(indicator="screenings", cell="").values_list("day", flat=True)
    assert min(days) == first
    assert max(days) == today
    assert len(days) == 201


def test_the_demo_computes_at_most_two_years_back() -> None:
    today = timezone.localdate()
    ancient = today - datetime.timedelta(days=2000)
    CaseFactory(first_contact_on=ancient, identified_on=ancient)
    demo.seed()
    days = DailyValue.objects.filter(indicator="screenings", cell="").values_list("day", flat=True)
    assert min(days) == today - datetime.timedelta(days=demo.LONGEST_DAYS - 1)
