import pytest

from himaya.justice import demo
from himaya.justice.models import ChargeAgainstSurvivor, CriminalProceeding, Hearing
from himaya.referrals.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_the_demo_records_two_proceedings_and_a_dropped_charge_once(case_worker) -> None:
    first = CaseFactory(case_worker=case_worker)
    CaseFactory(case_worker=case_worker, lead_agency=first.lead_agency)
    assert demo.seed() == "2 criminal proceedings and 1 charges created"
    assert demo.seed() == "0 criminal proceedings and 0 charges created"
    assert CriminalProceeding.objects.count() == 2
    assert Hearing.objects.count() == 3
    with_money = CriminalProceeding.objects.get(compensation_received__isnull=False)
    assert with_money.hearings.count() == 3
    assert ChargeAgainstSurvivor.objects.get().result == "dropped"


def test_the_demo_without_cases_records_nothing(db: None) -> None:
    assert demo.seed() == "no demo cases: nothing recorded"
    assert CriminalProceeding.objects.count() == 0
