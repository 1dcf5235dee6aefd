"""Factories for screening tests (synthetic data only)."""

import factory
from factory.django import DjangoModelFactory

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.tests.factories import AgencyFactory
from himaya.screening.models import IndicatorSet
from himaya.survivors.actions import sync_survivor_access
from himaya.survivors.models import Survivor


class SurvivorFactory(DjangoModelFactory):
    class Meta:
        model = Survivor
        skip_postgeneration_save = True

    name_ar = factory.Faker("name", locale="ar_AA")
    sex = "female"
    birth_year = 1996
    nationality = "EG"
    registered_by_agency = factory.SubFactory(AgencyFactory)
    registered_by = factory.SubFactory(UserFactory)
    # As the registration does: the registering agency sees the survivor.
    access = factory.PostGeneration(
        lambda survivor, create, extracted, **kwargs: (
            sync_survivor_access(survivor=survivor) if create else None
        )
    )


def labour_set(children: bool = False) -> IndicatorSet:
    return IndicatorSet.objects.get(code="C_LAB" if children else "A_LAB")
