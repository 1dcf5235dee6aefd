import pytest

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
