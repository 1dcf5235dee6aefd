import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.tests.factories import AgencyFactory, governorate
from himaya.cases.models import Case, Phase
from himaya.empowerment import rules
from himaya.empowerment.models import (
    ActivityType,
    Enrolment,
    EnrolmentStatus,
    HouseholdRole,
    Programme,
    ProgrammeKind,
    Project,
    Visit,
)
from himaya.survivors.tests.factories import SurvivorFactory


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = Case

    survivor = factory.SubFactory(SurvivorFactory)
    lead_agency = factory.SubFactory(AgencyFactory)
    case_worker = factory.SubFactory(UserFactory)
    phase = Phase.REINTEGRATION
    first_contact_on = datetime.date(2025, 1, 5)


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    slug = factory.Sequence(lambda n: f"programme-{n}")
    name_ar = factory.Sequence(lambda n: f"برنامج {n}")
    name_en = factory.Sequence(lambda n: f"Programme {n}")
    kind = ProgrammeKind.LOAN
    managing_agency = factory.SubFactory(AgencyFactory)
    amount_min = Decimal("1000.00")
    amount_max = Decimal("20000.00")


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    programme = factory.SubFactory(ProgrammeFactory)
    case = factory.SubFactory(CaseFactory)
    household_role = HouseholdRole.HEAD
    case_phase = Phase.REINTEGRATION
    status = EnrolmentStatus.REFERRED
    referred_on = datetime.date(2026, 1, 10)
    referred_by = factory.SelfAttribute("case.case_worker")


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    enrolment = factory.SubFactory(EnrolmentFactory, status=EnrolmentStatus.ACTIVE)
    activity_type = ActivityType.SEWING
    started_on = datetime.date(2026, 2, 1)
    amount = Decimal("8000.00")
    governorate = factory.LazyFunction(governorate)
    baseline_income = Decimal("500.00")

    @factory.post_generation
    def with_visits(obj: Project, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:
            Visit.objects.bulk_create(
                Visit(project=obj, number=n, due_on=due)
                for n, due in enumerate(rules.follow_up_schedule(obj.started_on), start=1)
            )
