"""A world for the cases tests: a case of agency A worked by the case worker."""

from dataclasses import dataclass

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases.models import Case
from himaya.cases.tests.factories import CaseFactory


@dataclass
class CaseWorld:
    case: Case
    case_worker: User
    supervisor: User
    outsider: User
    agency_a: Agency
    agency_b: Agency


@pytest.fixture
def world(
    case_worker: User, supervisor: User, outsider: User, agency_a: Agency, agency_b: Agency
) -> CaseWorld:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    return CaseWorld(case, case_worker, supervisor, outsider, agency_a, agency_b)
