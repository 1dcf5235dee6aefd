"""List pages and API lists read a fixed number of queries, however many screenings."""

import pytest
from django.urls import reverse

from himaya.screening.actions import record_screening
from himaya.screening.tests.factories import SurvivorFactory, labour_set

pytestmark = pytest.mark.django_db


def make_screenings(worker, agency, count):
    for _ in range(count):
        survivor = SurvivorFactory(registered_by_agency=agency, registered_by=worker)
        record_screening(
            by=worker,
            survivor=survivor,
            indicator_set=labour_set(),
            answers={},
            consent_by="person",
        )


@pytest.mark.parametrize("count", [1, 6])
def test_list_page_queries_do_not_grow_with_screenings(
    login, case_worker, agency_a, django_assert_num_queries, count
) -> None:
    make_screenings(case_worker, agency_a, count)
    client = login(case_worker)
    client.get(reverse("screening:list"))  # warm the session and caches
    with django_assert_num_queries(QUERIES_PAGE):
        response = client.get(reverse("screening:list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/screening/SC') == count


@pytest.mark.parametrize("count", [1, 6])
def test_api_list_queries_do_not_grow_with_screenings(
    login, case_worker, agency_a, django_assert_num_queries, count
) -> None:
    make_screenings(case_worker, agency_a, count)
    client = login(case_worker)
    client.get(reverse("screening:api_screenings"))
    with django_assert_num_queries(QUERIES_API):
        response = client.get(reverse("screening:api_screenings"))
    assert response.json()["count"] == count


QUERIES_PAGE = 6
QUERIES_API = 6
