"""Minimal survivors, cases, consents and referrals built straight from the models."""

from datetime import date, timedelta
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from himaya.agencies.models import Agency, AgencyKind
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.models import Case
from himaya.referrals.models import ConsentBasis, Referral, Status
from himaya.services.models import ServiceType
from himaya.survivors.models import Consent, Survivor


def service(code: str = "medical") -> ServiceType:
    return ServiceType.objects.get(code=code)


class SurvivorFactory(DjangoModelFactory):
    class Meta:
        model = Survivor

    name_ar = "فاطمة أحمد حسن"
    name_latin = "Fatma Ahmed Hassan"
    phone = "+20 100 555 0101"
    address = "شارع النيل، الجيزة"
    sex = "female"
    birth_year = 2001
    nationality = "EG"
    languages = "ar"
    registered_by_agency = factory.SubFactory(AgencyFactory)
    registered_by = factory.SubFactory("himaya.accounts.tests.factories.UserFactory")


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = Case

    survivor = factory.SubFactory(
        SurvivorFactory, registered_by_agency=factory.SelfAttribute("..lead_agency")
    )
    lead_agency = factory.SubFactory(AgencyFactory)
    case_worker = factory.SubFactory("himaya.accounts.tests.factories.UserFactory")
    first_contact_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))


def give_consent(
    survivor: Survivor,
    recorded_by: Any,
    *,
    purpose: str = "referral",
    recipient: Agency | None = None,
    given_on: date | None = None,
) -> Consent:
    return Consent.objects.create(
        survivor=survivor,
        purpose=purpose,
        recipient=recipient,
        given_on=given_on or timezone.localdate() - timedelta(days=5),
        recorded_by=recorded_by,
    )


class PartnerAgencyFactory(AgencyFactory):
    kind = AgencyKind.NGO


class ReferralFactory(DjangoModelFactory):
    class Meta:
        model = Referral

    case = factory.SubFactory(CaseFactory)
    from_agency = factory.SelfAttribute("case.lead_agency")
    to_agency = factory.SubFactory(PartnerAgencyFactory)
    service_type = factory.LazyFunction(service)
    shared_fields = factory.LazyFunction(lambda: ["first_name", "sex", "age", "phone"])
    status = Status.SENT
    sent_at = factory.LazyFunction(timezone.now)
    respond_by = factory.LazyAttribute(lambda o: o.sent_at + timedelta(hours=48))
    sent_by = factory.SelfAttribute("case.case_worker")
    consent_basis = ConsentBasis.CONSENT
