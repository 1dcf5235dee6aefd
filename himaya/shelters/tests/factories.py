"""Factories of the shelters app, with their own survivors and cases built from the models."""

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.models import AgencyKind
from himaya.agencies.tests.factories import AgencyFactory, governorate
from himaya.cases.models import Case
from himaya.referrals.models import ConsentBasis, Referral
from himaya.services.models import ServiceType
from himaya.shelters.models import Bed, BedKind, Shelter, Unit
from himaya.survivors.models import Survivor


class ShelterAgencyFactory(AgencyFactory):
    kind = AgencyKind.SHELTER
    name_en = factory.Sequence(lambda n: f"Protection Shelter {n}")
    name_ar = factory.Sequence(lambda n: f"دار الحماية رقم {n}")


class ShelterFactory(DjangoModelFactory):
    class Meta:
        model = Shelter

    agency = factory.SubFactory(ShelterAgencyFactory)
    governorate = factory.LazyAttribute(lambda o: o.agency.governorate)
    address = "١٢ شارع النيل، الحي الأول"
    duty_phone = "+20 100 000 0000"


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    shelter = factory.SubFactory(ShelterFactory)
    label = factory.Sequence(lambda n: f"غرفة {n}")
    sex = "female"
    accepts_adults = True
    languages = "ar,en"


class BedFactory(DjangoModelFactory):
    class Meta:
        model = Bed

    unit = factory.SubFactory(UnitFactory)
    label = factory.Sequence(lambda n: f"B{n}")
    kind = BedKind.BED


def make_unit(
    shelter: Shelter | None = None, *, beds: int = 1, cots: int = 0, **eligibility: Any
) -> Unit:
    unit = UnitFactory(shelter=shelter or ShelterFactory(), **eligibility)
    for number in range(beds):
        BedFactory(unit=unit, label=f"{unit.pk}-B{number + 1}")
    for number in range(cots):
        BedFactory(unit=unit, label=f"{unit.pk}-C{number + 1}", kind=BedKind.COT)
    return unit


def make_shelter(governorate_code: str = "EG-C", **agency: Any) -> Shelter:
    agency_obj = ShelterAgencyFactory(governorate=governorate(governorate_code), **agency)
    return ShelterFactory(agency=agency_obj)


class SurvivorFactory(DjangoModelFactory):
    class Meta:
        model = Survivor

    name_ar = factory.Sequence(lambda n: f"فاطمة محمد علي {n}")
    sex = "female"
    birth_year = 1998
    nationality = "EG"
    registered_by_agency = factory.SubFactory(AgencyFactory)
    registered_by = factory.SubFactory(UserFactory)


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = Case

    survivor = factory.SubFactory(SurvivorFactory)
    lead_agency = factory.SubFactory(AgencyFactory)
    case_worker = factory.SubFactory(UserFactory)
    first_contact_on = factory.LazyFunction(lambda: dt.date(2026, 11, 1))


def refer_to_shelter(
    case: Case,
    shelter: Shelter,
    *,
    status: str = "accepted",
    shared_fields: tuple[str, ...] = ("first_name", "sex", "age", "disability"),
) -> Referral:
    """A referral of the case by its lead agency to the shelter's agency for shelter.

    Sent on a supervisor's override, so that what it shares may be shown whatever the
    survivor's consents (the referrals app decides that; these tests only need it shown).
    """
    sent_at = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)
    answered = status in {"accepted", "declined", "completed"}
    return Referral.objects.create(
        case=case,
        from_agency=case.lead_agency,
        to_agency=shelter.agency,
        service_type=ServiceType.objects.get_or_create(
            code="shelter", defaults={"name_en": "Shelter", "name_ar": "الإيواء"}
        )[0],
        shared_fields=list(shared_fields),
        status=status,
        sent_at=sent_at,
        respond_by=sent_at + dt.timedelta(hours=48),
        sent_by=case.case_worker,
        consent_basis=ConsentBasis.OVERRIDE,
        override_reason="خطر داهم على سلامة الناجية",
        override_by=case.case_worker,
        answered_at=sent_at + dt.timedelta(hours=2) if answered else None,
        decline_reason="لا أماكن" if status == "declined" else "",
        completed_at=sent_at + dt.timedelta(days=1) if status == "completed" else None,
        outcome_note="تم الإيواء" if status == "completed" else "",
        cancelled_at=sent_at + dt.timedelta(hours=3) if status == "cancelled" else None,
    )
