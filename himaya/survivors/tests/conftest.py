"""Shared fixtures: survivors inside and outside the scope of agency A."""

import datetime
from dataclasses import dataclass

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases.models import Case
from himaya.survivors.actions import sync_survivor_access
from himaya.survivors.models import Consent, Survivor, SurvivorDocument
from himaya.survivors.tests.factories import (
    ConsentFactory,
    SurvivorDocumentFactory,
    SurvivorFactory,
)


def open_case(survivor: Survivor, agency: Agency, worker: User) -> Case:
    """A case led by ``agency``, and the survivor's access rows as opening a case keeps them."""
    case = Case.objects.create(
        survivor=survivor,
        lead_agency=agency,
        case_worker=worker,
        first_contact_on=datetime.date(2026, 3, 1),
    )
    sync_survivor_access(survivor=survivor)
    return case


@dataclass
class World:
    registered_by_a: Survivor  # registered by agency A, no case yet
    case_of_a: Survivor  # registered by agency B, case led by agency A
    registered_by_b: Survivor  # registered by agency B, no case
    case_of_b: Survivor  # registered by agency A, but its case is led by agency B
    consent: Consent  # on ``registered_by_a``
    document: SurvivorDocument  # of ``registered_by_a``
    case: Case  # the case of ``case_of_a``, led by agency A


@pytest.fixture
def world(case_worker: User, outsider: User, agency_a: Agency, agency_b: Agency) -> World:
    registered_by_a = SurvivorFactory(
        name_ar="فاطمة أحمد علي",
        name_latin="Fatma Ahmed Ali",
        registered_by_agency=agency_a,
        registered_by=case_worker,
    )
    # Names of their own, never drawn at random: a search test must not find one by chance.
    case_of_a = SurvivorFactory(
        name_ar="سلوى كمال عادل", registered_by_agency=agency_b, registered_by=outsider
    )
    case = open_case(case_of_a, agency_a, case_worker)
    registered_by_b = SurvivorFactory(
        name_ar="نادية سمير رشاد", registered_by_agency=agency_b, registered_by=outsider
    )
    case_of_b = SurvivorFactory(
        name_ar="هالة ماجد يسري", registered_by_agency=agency_a, registered_by=case_worker
    )
    open_case(case_of_b, agency_b, outsider)
    return World(
        registered_by_a=registered_by_a,
        case_of_a=case_of_a,
        registered_by_b=registered_by_b,
        case_of_b=case_of_b,
        consent=ConsentFactory(survivor=registered_by_a),
        document=SurvivorDocumentFactory(survivor=registered_by_a, number="P 123-456"),
        case=case,
    )
