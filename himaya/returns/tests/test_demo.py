"""The demo: a foreign survivor's return with its follow-ups, and nothing more on a rerun."""

import pytest

from himaya.accounts import demo as accounts_demo
from himaya.agencies import demo as agencies_demo
from himaya.agencies.models import Agency
from himaya.cases.models import CaseDeadline
from himaya.returns import demo
from himaya.returns.models import ReflectionPeriod, ReturnFollowUp, ReturnPlan, ReturnStatus
from himaya.returns.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_a_return_with_follow_ups_and_is_idempotent() -> None:
    agencies_demo.seed()
    accounts_demo.seed()
    cairo = Agency.objects.get(name_en=agencies_demo.CAIRO_DIRECTORATE)
    for nationality in ("SD", "ER"):
        CaseFactory(
            lead_agency=cairo,
            survivor__nationality=nationality,
            survivor__birth_year=1990,
            phase="assistance",
        )
    assert demo.seed() == "2 reflection periods and 1 return plan created"
    plan = ReturnPlan.objects.get()
    assert plan.status == ReturnStatus.TRAVELLED
    assert list(plan.follow_ups.values_list("months", flat=True)) == [3, 6, 12]
    assert plan.follow_ups.filter(done_on__isnull=False).count() == 1
    assert CaseDeadline.objects.filter(source_code=plan.code, done_at__isnull=True).exists()
    counts = (
        ReflectionPeriod.objects.count(),
        ReturnPlan.objects.count(),
        ReturnFollowUp.objects.count(),
    )
    assert demo.seed() == "returns already present, nothing created"
    assert (
        ReflectionPeriod.objects.count(),
        ReturnPlan.objects.count(),
        ReturnFollowUp.objects.count(),
    ) == counts
