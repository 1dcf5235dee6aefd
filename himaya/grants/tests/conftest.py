from collections.abc import Callable

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.grants.tests.factories import ngo


@pytest.fixture
def ngo_a(db: None) -> Agency:
    return ngo("جمعية نور")


@pytest.fixture
def ngo_b(db: None) -> Agency:
    return ngo("جمعية الصعيد")


@pytest.fixture
def grants_officer(make_persona: Callable[..., User]) -> User:
    return make_persona(Role.GRANTS_OFFICER, None, "grants_officer_1")


@pytest.fixture
def ngo_staff(make_persona: Callable[..., User], ngo_a: Agency) -> User:
    return make_persona(Role.PARTNER_STAFF, ngo_a, "ngo_staff_a")


@pytest.fixture
def ngo_case_worker(make_persona: Callable[..., User], ngo_a: Agency) -> User:
    return make_persona(Role.CASE_WORKER, ngo_a, "ngo_case_worker_a")


@pytest.fixture
def other_ngo_staff(make_persona: Callable[..., User], ngo_b: Agency) -> User:
    return make_persona(Role.PARTNER_STAFF, ngo_b, "ngo_staff_b")
