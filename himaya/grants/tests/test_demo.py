import pytest

from himaya.accounts import demo as accounts_demo
from himaya.agencies import demo as agencies_demo
from himaya.grants import demo
from himaya.grants.models import Grant, GrantReport, Tranche

pytestmark = pytest.mark.django_db


def test_the_demo_grants_are_made_once() -> None:
    agencies_demo.seed()
    accounts_demo.seed()
    demo.seed()
    assert Grant.objects.count() == 2
    assert Tranche.objects.filter(status="released").count() == 3
    assert sorted(GrantReport.objects.values_list("status", flat=True)) == [
        "approved",
        "returned",
        "submitted",
    ]
    demo.seed()
    assert (Grant.objects.count(), Tranche.objects.count(), GrantReport.objects.count()) == (
        2,
        5,
        3,
    )
