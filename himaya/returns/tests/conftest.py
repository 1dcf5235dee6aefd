import datetime
from collections.abc import Iterator

import pytest
import time_machine

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases.models import Case
from himaya.returns.tests.factories import CaseFactory

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def case(agency_a: Agency, case_worker: User) -> Case:
    """A case of agency A for an adult Sudanese survivor."""
    return CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        survivor__nationality="SD",
        survivor__birth_year=1995,
    )
