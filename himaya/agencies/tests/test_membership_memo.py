"""A request reads the user's memberships once, and again after a membership changes."""

from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from himaya.accounts.models import User
from himaya.agencies.actions import (
    approve_membership,
    deactivate_membership,
    reactivate_membership,
)
from himaya.agencies.models import Agency, Membership, Role
from himaya.agencies.selectors import agency_ids_for, memberships_held
from himaya.cases.selectors import cases_visible_to, works_on
from himaya.cases.tests.factories import CaseFactory
from himaya.core.context import RequestContextMiddleware

pytestmark = pytest.mark.django_db


def served(body: Callable[[], Any]) -> Any:
    """Run ``body`` while a request is served (with the request's memo), answer its result."""
    answer: list[Any] = []

    def view(request: HttpRequest) -> HttpResponse:
        answer.append(body())
        return HttpResponse()

    RequestContextMiddleware(view)(RequestFactory().get("/"))
    return answer[0]


def test_a_request_reads_the_memberships_once_however_often_it_asks(
    case_worker: User, agency_a: Agency, django_assert_num_queries: Any
) -> None:
    def ask() -> list[set[int]]:
        with django_assert_num_queries(1):
            return [
                agency_ids_for(case_worker, Role.CASE_WORKER, Role.SUPERVISOR),
                agency_ids_for(case_worker, Role.SUPERVISOR),
                agency_ids_for(case_worker),
            ]

    assert served(ask) == [{agency_a.pk}, set(), {agency_a.pk}]


def test_outside_a_request_every_question_reads_the_memberships(
    case_worker: User, agency_a: Agency, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        assert agency_ids_for(case_worker) == {agency_a.pk}
        assert agency_ids_for(case_worker) == {agency_a.pk}


def test_each_request_reads_the_memberships_afresh(
    case_worker: User, agency_a: Agency, agency_b: Agency
) -> None:
    assert served(lambda: agency_ids_for(case_worker)) == {agency_a.pk}
    Membership.objects.create(user=case_worker, agency=agency_b, role=Role.CASE_WORKER)
    assert served(lambda: agency_ids_for(case_worker)) == {agency_a.pk, agency_b.pk}


def test_the_memo_tells_users_apart(
    case_worker: User, outsider: User, agency_a: Agency, agency_b: Agency
) -> None:
    answers = served(lambda: (agency_ids_for(case_worker), agency_ids_for(outsider)))
    assert answers == ({agency_a.pk}, {agency_b.pk})


def test_a_membership_ended_while_a_request_is_served_is_not_trusted_afterwards(
    make_persona: Callable[..., User], case_worker: User, agency_a: Agency
) -> None:
    """The request that ends the membership checks the case afresh after the action."""
    admin = make_persona(Role.ADMINISTRATOR, username="admin")
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    membership = Membership.objects.get(user=case_worker, agency=agency_a)

    def end_then_check() -> tuple[bool, bool, bool, list[Any]]:
        before = works_on(case_worker, case)
        deactivate_membership(membership=membership, by=admin)
        return (
            before,
            works_on(case_worker, case),
            cases_visible_to(case_worker).exists(),
            sorted(memberships_held(case_worker)),
        )

    assert served(end_then_check) == (True, False, False, [])


def test_a_membership_given_back_while_a_request_is_served_counts_at_once(
    make_persona: Callable[..., User], case_worker: User, agency_a: Agency
) -> None:
    admin = make_persona(Role.ADMINISTRATOR, username="admin")
    second = make_persona(Role.ADMINISTRATOR, username="second_admin")
    membership = Membership.objects.get(user=case_worker, agency=agency_a)
    deactivate_membership(membership=membership, by=admin)
    reactivate_membership(membership=membership, by=admin)  # waits for a second administrator

    def approve_then_check() -> tuple[set[int], set[int]]:
        before = agency_ids_for(case_worker)
        approve_membership(membership=Membership.objects.get(pk=membership.pk), by=second)
        return before, agency_ids_for(case_worker)

    assert served(approve_then_check) == (set(), {agency_a.pk})
