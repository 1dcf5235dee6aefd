"""List pages and API lists take a fixed number of queries, whatever the number of rows."""

import pytest
import time_machine

from himaya.agencies.models import Role
from himaya.empowerment.models import EnrolmentStatus
from himaya.empowerment.tests.factories import CaseFactory, EnrolmentFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(personas, agency_a):
    officer = personas[Role.EMPOWERMENT_OFFICER]
    agency = officer.memberships.get().agency

    def make(count: int) -> None:
        for _ in range(count):
            case = CaseFactory(lead_agency=agency_a, case_worker=personas[Role.CASE_WORKER])
            EnrolmentFactory(case=case, programme__managing_agency=agency)
            ProjectFactory(
                enrolment__case=case,
                enrolment__programme__managing_agency=agency,
                enrolment__status=EnrolmentStatus.ACTIVE,
            )

    return make


PAGES = [
    ("/empowerment/", Role.EMPOWERMENT_OFFICER),
    ("/empowerment/", Role.CASE_WORKER),
    ("/empowerment/queue/", Role.EMPOWERMENT_OFFICER),
    ("/empowerment/queue-section/", Role.CASE_WORKER),
    ("/empowerment/programmes/", Role.CASE_WORKER),
    ("/empowerment/outcomes/", Role.ANALYST),
    ("/empowerment/api/enrolments/", Role.EMPOWERMENT_OFFICER),
    ("/empowerment/api/enrolments/", Role.CASE_WORKER),
    ("/empowerment/api/programmes/", Role.CASE_WORKER),
    ("/empowerment/api/outcomes/", Role.ANALYST),
]


@pytest.mark.parametrize(("url", "role"), PAGES)
def test_list_query_count_does_not_grow_with_rows(
    url, role, personas, many, login, django_assert_num_queries
) -> None:
    with time_machine.travel("2026-12-10 10:00+02:00", tick=False):
        client = login(personas[role])
        many(2)
        client.get(url)  # warm the session and caches
        with django_assert_num_queries(EXPECTED[(url, role)]):
            assert client.get(url).status_code == 200
        many(5)
        with django_assert_num_queries(EXPECTED[(url, role)]):
            assert client.get(url).status_code == 200


EXPECTED: dict[tuple[str, str], int] = {
    ("/empowerment/", Role.EMPOWERMENT_OFFICER): 5,
    ("/empowerment/", Role.CASE_WORKER): 5,
    ("/empowerment/queue/", Role.EMPOWERMENT_OFFICER): 6,
    ("/empowerment/queue-section/", Role.CASE_WORKER): 5,
    ("/empowerment/programmes/", Role.CASE_WORKER): 5,
    ("/empowerment/outcomes/", Role.ANALYST): 12,
    ("/empowerment/api/enrolments/", Role.EMPOWERMENT_OFFICER): 5,
    ("/empowerment/api/enrolments/", Role.CASE_WORKER): 5,
    ("/empowerment/api/programmes/", Role.CASE_WORKER): 5,
    ("/empowerment/api/outcomes/", Role.ANALYST): 7,
}
