from collections.abc import Callable
from dataclasses import dataclass

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.cases.models import Case
from himaya.empowerment.models import Enrolment, EnrolmentStatus, Programme, Project
from himaya.empowerment.tests.factories import (
    CaseFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
)
from himaya.survivors.models import Sex


@pytest.fixture
def officer_agency(db: None) -> Agency:
    from himaya.agencies.tests.factories import AgencyFactory

    return AgencyFactory(name_en="Empowerment Directorate", name_ar="مديرية التمكين")


@pytest.fixture
def officer(make_persona: Callable[..., User], officer_agency: Agency) -> User:
    return make_persona(Role.EMPOWERMENT_OFFICER, officer_agency, "officer")


@pytest.fixture
def mastoura(officer_agency: Agency) -> Programme:
    from decimal import Decimal

    return ProgrammeFactory(
        slug="mastoura-test",
        name_ar="مستورة",
        name_en="Mastoura",
        managing_agency=officer_agency,
        allowed_sexes=[Sex.FEMALE],
        min_age=21,
        max_age=60,
        requires_reintegration=True,
        amount_min=Decimal("4000.00"),
        amount_max=Decimal("20000.00"),
    )


@pytest.fixture
def case_a(agency_a: Agency, case_worker: User) -> Case:
    return CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        survivor__sex=Sex.FEMALE,
        survivor__birth_year=1996,
    )


@dataclass
class World:
    """One programme of the officer's agency and one case of agency A at each stage."""

    programme: Programme
    case: Case
    referred: Enrolment
    enrolled: Enrolment
    active: Enrolment
    project: Project


@pytest.fixture
def world(personas: dict[str, User], agency_a: Agency) -> World:
    officer = personas[Role.EMPOWERMENT_OFFICER]
    agency = officer.memberships.get().agency
    programme = ProgrammeFactory(managing_agency=agency)
    case = CaseFactory(
        lead_agency=agency_a,
        case_worker=personas[Role.CASE_WORKER],
        survivor__sex=Sex.FEMALE,
        survivor__birth_year=1990,
    )
    other_programme = ProgrammeFactory(managing_agency=agency)
    third_programme = ProgrammeFactory(managing_agency=agency)
    referred = EnrolmentFactory(programme=programme, case=case)
    enrolled = EnrolmentFactory(
        programme=other_programme, case=case, status=EnrolmentStatus.ENROLLED
    )
    project = ProjectFactory(enrolment__programme=third_programme, enrolment__case=case)
    return World(programme, case, referred, enrolled, project.enrolment, project)
