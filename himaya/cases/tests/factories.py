import datetime

import factory
from factory.django import DjangoModelFactory

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.models import (
    CarePlan,
    CarePlanGoal,
    Case,
    ClosureReason,
    ClosureRequest,
    IdentificationChannel,
    Phase,
    RecruitmentChannel,
    RiskAssessment,
    RiskLevel,
)
from himaya.survivors.tests.factories import SurvivorFactory


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    survivor = factory.SubFactory(
        SurvivorFactory, registered_by_agency=factory.SelfAttribute("..lead_agency")
    )
    lead_agency = factory.SubFactory(AgencyFactory)
    case_worker = factory.SubFactory(UserFactory)
    phase = Phase.IDENTIFICATION
    first_contact_on = datetime.date(2026, 3, 1)
    identified_on = datetime.date(2026, 3, 2)
    identified_by = IdentificationChannel.HOTLINE
    recruitment_channel = RecruitmentChannel.SOCIAL_MEDIA


class RiskAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    case = factory.SubFactory(CaseFactory)
    level = RiskLevel.HIGH
    factors = factory.LazyFunction(lambda: ["threats", "debt"])
    assessed_on = datetime.date(2026, 3, 3)
    assessor = factory.SelfAttribute("case.case_worker")


class CarePlanFactory(DjangoModelFactory):
    class Meta:
        model = CarePlan

    case = factory.SubFactory(CaseFactory)
    summary = "خطة رعاية تجريبية"
    author = factory.SelfAttribute("case.case_worker")


class CarePlanGoalFactory(DjangoModelFactory):
    class Meta:
        model = CarePlanGoal

    care_plan = factory.SubFactory(CarePlanFactory)
    description = "الحصول على رعاية طبية"


class ClosureRequestFactory(DjangoModelFactory):
    class Meta:
        model = ClosureRequest

    case = factory.SubFactory(CaseFactory)
    reason = ClosureReason.REINTEGRATED
    requested_by = factory.SelfAttribute("case.case_worker")
