"""The care plan page is one form: adding a goal saves the summary typed above it, under
the version it was read at, so that neither is lost nor overwrites someone else's."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases import actions
from himaya.cases.models import CarePlan
from himaya.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(case_worker: User, agency_a: Agency) -> CarePlan:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    return actions.create_care_plan(case=case, by=case_worker)


def _url(plan: CarePlan) -> str:
    return reverse("cases:care_plan", kwargs={"code": plan.code})


def test_adding_a_goal_saves_the_summary_typed_with_it(
    plan: CarePlan, case_worker: User, login: Callable[[User], Client]
) -> None:
    response = login(case_worker).post(
        _url(plan),
        {"form": "goal", "summary": "سكن ثم علاج", "version": 1, "description": "سكن آمن"},
    )
    plan.refresh_from_db()
    assert response.status_code == 302
    assert (plan.summary, plan.version) == ("سكن ثم علاج", 2)
    assert [goal.description for goal in plan.goals.all()] == ["سكن آمن"]


def test_a_goal_typed_and_sent_with_the_summarys_button_is_added_too(
    plan: CarePlan, case_worker: User, login: Callable[[User], Client]
) -> None:
    login(case_worker).post(
        _url(plan),
        {"form": "summary", "summary": "سكن ثم علاج", "version": 1, "description": "سكن آمن"},
    )
    plan.refresh_from_db()
    assert plan.summary == "سكن ثم علاج"
    assert [goal.description for goal in plan.goals.all()] == ["سكن آمن"]


def test_an_unchanged_summary_leaves_the_version_as_it_was(
    plan: CarePlan, case_worker: User, login: Callable[[User], Client]
) -> None:
    login(case_worker).post(
        _url(plan), {"form": "goal", "summary": "", "version": 1, "description": "سكن آمن"}
    )
    plan.refresh_from_db()
    assert (plan.summary, plan.version, plan.goals.count()) == ("", 1, 1)


def test_a_summary_saved_meanwhile_by_someone_else_is_shown_and_nothing_changes(
    plan: CarePlan, case_worker: User, login: Callable[[User], Client]
) -> None:
    actions.update_care_plan(plan=plan, by=case_worker, expected_version=1, summary="أخرى")
    response = login(case_worker).post(
        _url(plan),
        {"form": "goal", "summary": "سكن ثم علاج", "version": 1, "description": "سكن آمن"},
    )
    text = response.content.decode()
    plan.refresh_from_db()
    assert 'data-testid="conflict"' in text
    assert "سكن ثم علاج</textarea>" in text
    assert 'value="سكن آمن"' in text
    assert 'name="version" value="2"' in text
    assert (plan.summary, plan.version, plan.goals.count()) == ("أخرى", 2, 0)


def test_an_empty_goal_keeps_the_summary_typed_and_saves_nothing(
    plan: CarePlan, case_worker: User, login: Callable[[User], Client]
) -> None:
    response = login(case_worker).post(
        _url(plan), {"form": "goal", "summary": "سكن ثم علاج", "version": 1, "description": ""}
    )
    text = response.content.decode()
    plan.refresh_from_db()
    assert response.status_code == 400
    assert 'data-error-for="description"' in text
    assert "سكن ثم علاج</textarea>" in text
    assert (plan.summary, plan.version, plan.goals.count()) == ("", 1, 0)
