from collections.abc import Callable

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.cases.models import Case
from himaya.shelters.models import Shelter
from himaya.shelters.tests.factories import CaseFactory, make_shelter, make_unit


@pytest.fixture
def shelter(db: None) -> Shelter:
    """A Cairo shelter with one women's unit (2 beds) and a mother-and-child unit."""
    shelter = make_shelter("EG-C", name_en="Cairo Test Shelter", name_ar="دار القاهرة")
    make_unit(shelter, label="نساء", beds=2)
    make_unit(
        shelter,
        label="أمهات وأطفال",
        beds=2,
        cots=1,
        accepts_adolescents=True,
        accepts_mothers_with_children=True,
    )
    return shelter


@pytest.fixture
def shelter_staff(make_persona: Callable[..., User], shelter: Shelter) -> User:
    return make_persona(Role.SHELTER_STAFF, shelter.agency, "shelter_staff_test")


@pytest.fixture
def case(agency_a: Agency, case_worker: User) -> Case:
    return CaseFactory(lead_agency=agency_a, case_worker=case_worker)
