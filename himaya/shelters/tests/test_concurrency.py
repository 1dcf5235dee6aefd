"""Admissions racing for the last beds (PostgreSQL: real row locks, real threads)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases.models import Case
from himaya.shelters import actions
from himaya.shelters.models import Shelter, Stay
from himaya.shelters.tests.factories import CaseFactory, make_shelter, make_unit

ATTEMPTS = 50
FREE_BEDS = 7

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks and concurrency"
    ),
    pytest.mark.django_db(transaction=True),
]


def _admit(
    case_pk: int, shelter_pk: int, user_pk: int, start: threading.Barrier, out: list[str]
) -> None:
    try:
        case = Case.objects.select_related("survivor").get(pk=case_pk)
        shelter = Shelter.objects.select_related("agency").get(pk=shelter_pk)
        user = User.objects.get(pk=user_pk)
        start.wait(timeout=30)
        actions.admit_to_shelter(case=case, shelter=shelter, by=user)
        out.append("admitted")
    except actions.NoBedError:
        out.append("no bed")
    except Exception as exc:
        out.append(f"error: {exc!r}")
    finally:
        connection.close()


def test_fifty_concurrent_admissions_take_exactly_the_free_beds(
    case_worker: User, agency_a: Agency
) -> None:
    shelter = make_shelter("EG-ASN")
    make_unit(shelter, label="نساء ١", beds=4)
    make_unit(shelter, label="نساء ٢", beds=3)
    make_unit(shelter, label="رجال", beds=5, sex="male")  # not eligible: never taken
    cases = [CaseFactory(lead_agency=agency_a, case_worker=case_worker) for _ in range(ATTEMPTS)]
    start = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []
    threads = [
        threading.Thread(target=_admit, args=(c.pk, shelter.pk, case_worker.pk, start, outcomes))
        for c in cases
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(outcomes) == {"admitted": FREE_BEDS, "no bed": ATTEMPTS - FREE_BEDS}
    open_stays = Stay.objects.filter(shelter=shelter, status="open")
    assert open_stays.count() == FREE_BEDS
    assert open_stays.values("bed").distinct().count() == FREE_BEDS
    assert open_stays.values("survivor").distinct().count() == FREE_BEDS
    assert not open_stays.filter(bed__unit__label="رجال").exists()
