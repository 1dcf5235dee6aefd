from collections.abc import Callable

import pytest

from himaya.accounts.models import User
from himaya.agencies import demo as agencies_demo
from himaya.agencies.models import Agency, Role
from himaya.shelters import demo, selectors
from himaya.shelters.models import Bed, DailyOccupancy, Shelter, Stay
from himaya.shelters.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_demo_builds_shelters_stays_and_history_and_a_second_run_creates_nothing(
    make_persona: Callable[..., User],
) -> None:
    agencies_demo.seed()
    lead = Agency.objects.get(name_en=agencies_demo.CAIRO_DIRECTORATE)
    case_worker = make_persona(Role.CASE_WORKER, lead, "demo_case_worker")
    for _ in range(12):
        CaseFactory(lead_agency=lead, case_worker=case_worker)

    first = demo.seed()
    counts = (Shelter.objects.count(), Bed.objects.count(), Stay.objects.count())
    history = DailyOccupancy.objects.count()
    second = demo.seed()

    assert counts[0] == len(demo.SHELTERS)
    assert counts[2] > 0
    assert "0 shelter agencies, 0 shelters, 0 beds and 0 stays created" in second
    assert first != second
    assert (Shelter.objects.count(), Bed.objects.count(), Stay.objects.count()) == counts
    assert DailyOccupancy.objects.count() == history
    assert DailyOccupancy.objects.filter(unit__isnull=True).values("on").distinct().count() == 90
    assert (
        Stay.objects.filter(status="open").values("bed").distinct().count()
        == Stay.objects.filter(status="open").count()
    )
    # Every demo stay was admitted by someone the admission rule lets admit that case
    # into that shelter.
    for stay in Stay.objects.filter(survivor__isnull=False).select_related(
        "admitted_by", "case", "shelter"
    ):
        assert selectors.may_admit(stay.admitted_by, case=stay.case, shelter=stay.shelter)


def test_the_demo_houses_no_case_whose_worker_may_not_admit_it(
    make_persona: Callable[..., User],
) -> None:
    agencies_demo.seed()
    lead = Agency.objects.get(name_en=agencies_demo.CAIRO_DIRECTORATE)
    elsewhere = make_persona(Role.CASE_WORKER, None, "worker_of_another_agency")
    for _ in range(6):
        CaseFactory(lead_agency=lead, case_worker=elsewhere)

    demo.seed()

    assert Stay.objects.count() == 0
