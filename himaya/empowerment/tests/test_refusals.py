"""Rules asked alike by the page and the API: the refusal of each door changes nothing and
the API answers it as problem details; an overdue visit is the same rule on both."""

from typing import Any

import pytest
import time_machine
from django.conf import settings

from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.empowerment.models import Enrolment, Visit
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

CW, EO = Role.CASE_WORKER.value, Role.EMPOWERMENT_OFFICER.value


def state() -> tuple[Any, ...]:
    return (
        list(Enrolment.objects.order_by("id").values_list("status", "version")),
        list(Visit.objects.order_by("id").values_list("done_on", "due_on", "version")),
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_case_worker_decides_no_referral_through_the_page(personas, world, login) -> None:
    client = login(personas[CW])
    before = state()
    response = client.post(
        f"/empowerment/enrolments/{world.referred.code}/decide/",
        {"decision": "accept", "version": "1"},
    )
    assert response.status_code == 403
    assert state() == before


def test_a_case_worker_decides_no_referral_through_the_api(personas, world, login) -> None:
    client = login(personas[CW])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = state()
    response = client.post(
        f"/empowerment/api/enrolments/{world.referred.code}/decision/",
        {"accept": True, "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()) >= {"type", "title", "status", "detail"}
    assert state() == before


def test_a_status_that_is_a_decision_is_refused_through_page_and_api(
    personas, world, login
) -> None:
    client = login(personas[EO])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = state()
    page = client.post(
        f"/empowerment/enrolments/{world.enrolled.code}/move/",
        {"to": "completed", "version": "1"},
    )
    api = client.post(
        f"/empowerment/api/enrolments/{world.enrolled.code}/status/",
        {"to": "completed", "version": 1},
        content_type="application/json",
    )
    assert page.status_code == 422
    assert api.status_code == 400
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["detail"] == "An enrolment cannot move from Enrolled to Completed."
    assert "An enrolment cannot move from Enrolled to Completed." in page.content.decode()
    assert state() == before


def test_page_and_api_mark_the_same_visits_overdue(personas, world, login) -> None:
    client = login(personas[EO])
    with time_machine.travel("2026-04-10 10:00+02:00", tick=False):
        api = client.get(f"/empowerment/api/projects/{world.project.code}/visits/").json()
        page = client.get(f"/empowerment/enrolments/{world.active.code}/")
    overdue_api = [visit["number"] for visit in api if visit["overdue"]]
    overdue_page = [visit.number for visit in page.context["visits"] if visit.overdue]
    assert overdue_api == overdue_page == [1, 2]
