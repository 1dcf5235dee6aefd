"""Cases for the exchange tests: survivors with and without a statistics consent."""

import datetime
from collections.abc import Callable

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases.models import Case, ExploitationForm
from himaya.cases.tests.factories import CaseFactory
from himaya.survivors.models import ConsentPurpose, Sex
from himaya.survivors.tests.factories import ConsentFactory, SurvivorFactory

PASSWORD = "a long pass phrase 42"


@pytest.fixture
def make_case(agency_a: Agency, case_worker: User) -> Callable[..., Case]:
    def make(
        *,
        consent: bool = True,
        sex: str = Sex.FEMALE,
        birth_year: int = 1999,
        nationality: str = "EG",
        forms: tuple[str, ...] = ("forced_labour",),
        **fields: object,
    ) -> Case:
        survivor = SurvivorFactory(
            registered_by_agency=agency_a,
            registered_by=case_worker,
            sex=sex,
            birth_year=birth_year,
            nationality=nationality,
        )
        if consent:
            ConsentFactory(
                survivor=survivor,
                purpose=ConsentPurpose.STATISTICS,
                given_on=datetime.date(2026, 1, 1),
            )
        case = CaseFactory(
            survivor=survivor, lead_agency=agency_a, case_worker=case_worker, **fields
        )
        case.exploitation_forms.set(ExploitationForm.objects.filter(code__in=forms))
        return case

    return make


@pytest.fixture
def with_password() -> Callable[[User], User]:
    def give(user: User) -> User:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        return user

    return give
