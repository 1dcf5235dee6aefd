"""Survivors that may be one person, in agency A's scope and across agencies."""

from dataclasses import dataclass

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.duplicates.models import CandidatePair
from himaya.survivors.actions import refresh_match_keys
from himaya.survivors.models import Survivor
from himaya.survivors.rules import pair_ids
from himaya.survivors.tests.factories import SurvivorFactory


def survivor(agency: Agency, user: User, **values: object) -> Survivor:
    made: Survivor = SurvivorFactory(registered_by_agency=agency, registered_by=user, **values)
    refresh_match_keys(survivor=made)
    return made


def pair_of(first: Survivor, second: Survivor, score: float = 0.97) -> CandidatePair:
    a, b = pair_ids(first.pk, second.pk)
    return CandidatePair.objects.create(
        survivor_a_id=a,
        survivor_b_id=b,
        score=score,
        reasons=[
            {"reason": "names_same", "weight": 7.1},
            {"reason": "birth_same_year", "weight": 3.3},
        ],
    )


@dataclass
class Pairs:
    fatma_ar: Survivor  # agency A
    fatma_latin: Survivor  # agency A, the same person in Latin script
    fatma_in_b: Survivor  # agency B, the same person again
    in_scope: CandidatePair  # both in agency A's scope
    across: CandidatePair  # one in agency A's scope, one in agency B's


@pytest.fixture
def pairs(case_worker: User, outsider: User, agency_a: Agency, agency_b: Agency) -> Pairs:
    fatma_ar = survivor(
        agency_a, case_worker, name_ar="فاطمة أحمد علي", name_latin="", birth_year=1999
    )
    fatma_latin = survivor(
        agency_a, case_worker, name_ar="", name_latin="Fatma Ahmed Aly", birth_year=1999
    )
    fatma_in_b = survivor(
        agency_b, outsider, name_ar="", name_latin="Fatima Ahmad Ali", birth_year=2000
    )
    return Pairs(
        fatma_ar=fatma_ar,
        fatma_latin=fatma_latin,
        fatma_in_b=fatma_in_b,
        in_scope=pair_of(fatma_ar, fatma_latin),
        across=pair_of(fatma_ar, fatma_in_b),
    )
