import datetime

import factory
from factory.django import DjangoModelFactory

from himaya.cases.models import RiskLevel
from himaya.cases.tests.factories import CaseFactory
from himaya.returns.models import (
    AssessmentPlace,
    ReflectionPeriod,
    ReturnPlan,
    ReturnRiskAssessment,
)

__all__ = [
    "CaseFactory",
    "ReflectionPeriodFactory",
    "ReturnPlanFactory",
    "ReturnRiskAssessmentFactory",
]


class ReflectionPeriodFactory(DjangoModelFactory):
    class Meta:
        model = ReflectionPeriod

    case = factory.SubFactory(CaseFactory)
    starts_on = datetime.date(2026, 3, 1)
    days = 90
    ends_on = datetime.date(2026, 5, 29)
    granted_by = factory.SelfAttribute("case.case_worker")


class ReturnPlanFactory(DjangoModelFactory):
    class Meta:
        model = ReturnPlan

    case = factory.SubFactory(CaseFactory)
    destination_country = "SD"
    created_by = factory.SelfAttribute("case.case_worker")


class ReturnRiskAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = ReturnRiskAssessment

    plan = factory.SubFactory(ReturnPlanFactory)
    place = AssessmentPlace.EGYPT
    level = RiskLevel.MEDIUM
    factors = "ديون لدى الوسيط"
    assessed_on = datetime.date(2026, 6, 1)
    assessed_by = factory.SelfAttribute("plan.case.case_worker")
