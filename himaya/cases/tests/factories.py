import datetime

import factory
from factory.django import DjangoModelFactory

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.actions import refresh_worklist
from himaya.cases.models import (
    CarePlan,
    CarePlanGoal,
    Case,
    CaseTransfer,
    ClosureReason,
    ClosureRequest,
    IdentificationChannel,
    Phase,
    RecruitmentChannel,
    RiskAssessment,
    RiskLevel,
    TransferStatus,
)
from himaya.survivors.actions import sync_survivor_access
from himaya.survivors.models import ConsentPurpose
from himaya.survivors.tests.factories import ConsentFactory, SurvivorFactory


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
    # As ``actions.open_case`` does: the worklist columns follow the case.
    worklist = factory.PostGeneration(
        lambda case, create, extracted, **kwargs: refresh_worklist(case) if create else None
    )
    # As ``actions.open_case`` does: the lead agency sees the survivor.
    survivor_access = factory.PostGeneration(
        lambda case, create, extracted, **kwargs: (
            sync_survivor_access(survivor=case.survivor) if create else None
        )
    )


class RiskAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = RiskAssessment
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    level = RiskLevel.HIGH
    factors = factory.LazyFunction(lambda: ["threats", "debt"])
    assessed_on = datetime.date(2026, 3, 3)
    assessor = factory.SelfAttribute("case.case_worker")
    worklist = factory.PostGeneration(
        lambda risk, create, extracted, **kwargs: refresh_worklist(risk.case) if create else None
    )


class CarePlanFactory(DjangoModelFactory):
    class Meta:
        model = CarePlan
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    summary = "خطة رعاية تجريبية"
    author = factory.SelfAttribute("case.case_worker")
    worklist = factory.PostGeneration(
        lambda plan, create, extracted, **kwargs: refresh_worklist(plan.case) if create else None
    )


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


class ProposedTransferFactory(DjangoModelFactory):
    """A transfer of a case proposed to another agency, on the survivor's consent to share
    with it, waiting for that agency's answer (written as the action leaves it)."""

    class Meta:
        model = CaseTransfer

    case = factory.SubFactory(CaseFactory)
    from_agency = factory.SelfAttribute("case.lead_agency")
    to_agency = factory.SubFactory(AgencyFactory)
    reason = "أقرب إلى أسرتها"
    status = TransferStatus.PROPOSED
    proposed_by = factory.SelfAttribute("case.case_worker")
    proposed_on = datetime.date(2026, 11, 2)
    consent = factory.LazyAttribute(
        lambda transfer: ConsentFactory(
            survivor=transfer.case.survivor,
            purpose=ConsentPurpose.REFERRAL,
            recipient=transfer.to_agency,
        )
    )
