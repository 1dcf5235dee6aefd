"""The counts on the home page: what waits for each role, each a link, none at zero."""

import datetime
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.cases.models import CarePlanStatus
from himaya.cases.tests.factories import CarePlanFactory, CaseFactory, ClosureRequestFactory
from himaya.core.counts import counts_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def test_a_case_worker_sees_overdue_and_new_cases_and_a_supervisor_what_to_decide(
    case_worker: User, supervisor: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    overdue = [CaseFactory(lead_agency=agency_a, case_worker=case_worker) for _ in range(2)]
    CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        first_contact_on=datetime.date(2026, 6, 12),
        identified_on=datetime.date(2026, 6, 12),
    )
    CarePlanFactory(case=overdue[0], author=case_worker, status=CarePlanStatus.SUBMITTED)
    ClosureRequestFactory(case=overdue[1], requested_by=case_worker)
    ClosureRequestFactory(
        case=CaseFactory(lead_agency=agency_a, case_worker=supervisor), requested_by=supervisor
    )  # their own request: another supervisor decides
    assert [(c.key, c.count, c.url) for c in counts_for(case_worker)] == [
        ("cases.overdue", 2, "/cases/queue/"),
        ("cases.new", 1, "/cases/queue/"),
    ]
    assert [(c.key, c.count) for c in counts_for(supervisor)] == [
        ("cases.overdue", 1),
        ("cases.care_plans", 1),
        ("cases.closures", 1),
    ]
    body = login(case_worker).get(reverse("home")).content.decode()
    assert 'data-testid="home-counts"' in body
    assert '<li class="list-group-item" data-count="cases.overdue"><a href="/cases/queue/">' in body


@pytest.mark.parametrize(
    "role", [Role.AUDITOR, Role.ANALYST, Role.ADMINISTRATOR, Role.FUND_OFFICER]
)
def test_roles_with_nothing_waiting_see_no_counts(
    role: str, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    assert counts_for(personas[role]) == []
    body = login(personas[role]).get(reverse("home")).content.decode()
    assert 'data-testid="home-counts"' not in body


def test_the_counts_take_the_same_queries_for_few_and_many_cases(
    case_worker: User, agency_a: Agency
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts_for(case_worker)  # the memberships are read once per request
    seen = []
    for more in (1, 6):
        for _ in range(more):
            CaseFactory(lead_agency=agency_a, case_worker=case_worker)
        with CaptureQueriesContext(connection) as captured:
            counts_for(case_worker)
        seen.append(len(captured.captured_queries))
    assert seen[0] == seen[1]
