"""Factories of the shelters app, with their own survivors and cases built from the models."""

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.models import AgencyKind
from himaya.agencies.tests.factories import AgencyFactory, governorate
from himaya.cases.models import Case
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
