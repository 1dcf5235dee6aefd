"""Factories for screening tests (synthetic data only)."""

from typing import Any

import factory
from factory.django import DjangoModelFactory

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.tests.factories import AgencyFactory
from himaya.screening.models import IndicatorSet
from himaya.survivors.models import Survivor


class SurvivorFactory(DjangoModelFactory):
    class Meta:
        model = Survivor

    name_ar = factory.Faker("name", locale="ar_AA")
    sex = "female"
    birth_year = 1996
    nationality = "EG"
    registered_by_agency = factory.SubFactory(AgencyFactory)
    registered_by = factory.SubFactory(UserFactory)


def labour_set(children: bool = False) -> IndicatorSet:
    return IndicatorSet.objects.get(code="C_LAB" if children else "A_LAB")


def answers_for(indicator_set: IndicatorSet, yes: list[str]) -> dict[str, Any]:
    """Answers with "yes" for the given indicator keys of a set, "no" for the others."""
    answers = {}
    for indicator in indicator_set.indicators.all():
        answers[indicator.code] = "yes" if indicator.code in yes else "no"
    return answers
