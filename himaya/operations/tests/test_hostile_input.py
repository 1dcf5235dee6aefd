"""Hostile input on every filter and form of the centre's pages and API: numbers too large,
negative or in Arabic-Indic digits, invisible marks, NUL characters, huge strings, unknown
choices and another agency's records. Each is answered with 400, 404 or a form error in
the user's language (Arabic unless chosen otherwise), never a server error, and nothing
changes."""

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import AgencyKind, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.operations import actions
from himaya.operations.models import (
    Alert,
    AlertRule,
    Channel,
    CommunicationLog,
    Incident,
    IncidentKind,
    IncidentTask,
    Intake,
    Severity,
    SituationReport,
    TaskKind,
)
from himaya.operations.views import ALERTS_PER_PAGE

pytestmark = pytest.mark.django_db

ARABIC = re.compile("[\u0600-\u06ff]")
HUGE = "ب" * 100_000


def state() -> tuple[Any, ...]:
    return (
        list(Intake.objects.order_by("id").values_list("code", "status", "version")),
        list(Alert.objects.order_by("id").values_list("code", "status", "version")),
        list(Incident.objects.order_by("id").values_list("code", "status", "version")),
        list(IncidentTask.objects.order_by("id").values_list("code", "status", "version")),
        CommunicationLog.objects.count(),
    )


@pytest.fixture
def world(personas: dict[str, User]) -> dict[str, Any]:
    operator = personas[Role.OPERATOR]
    intake = actions.record_intake(
        by=operator, channel=Channel.HOTLINE, summary="طفل يعمل ليلًا", about_child=True
    )
    incident = actions.open_incident(by=operator, kind=IncidentKind.RAID, title="مداهمة")
    police = Membership.objects.get(user=personas[Role.PARTNER_STAFF]).agency
    task = actions.assign_task(
        incident=incident,
        by=operator,
        kind=TaskKind.POLICE,
        agency=police,
        description="زيارة",
        due_at=timezone.now() + datetime.timedelta(hours=2),
    )
    return {
        "intake": intake.code,
        "alert": Alert.objects.get().code,
        "incident": incident.code,
        "task": task.code,
    }


@pytest.fixture
def operator(personas: dict[str, User], login: Callable[[User], Client]) -> Client:
    return login(personas[Role.OPERATOR])


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- filters of the alert queue ------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"page": "99999999999999999999"},
        {"page": "-1"},
        {"page": "0"},
        {"page": "\x00"},
        {"page": "1\u200f"},
        {"page": HUGE},
        {"rule": "no_such_rule"},
        {"rule": "\ufeffhigh_risk_no_plan"},
        {"rule": HUGE},
        {"all": "yes"},
        {"all": "1\x00"},
    ],
)
def test_a_hostile_filter_of_the_alert_queue_is_answered_400_in_arabic(
    world: dict[str, Any], operator: Client, query: dict[str, str]
) -> None:
    before = state()
    response = operator.get(reverse("operations:alerts"), query)
    assert response.status_code == 400
    shown = messages_of(response)
    assert shown
    assert all(ARABIC.search(message) for message in shown)
    assert response.context["alerts"] == []
    assert state() == before


def test_a_page_past_the_last_is_not_found_and_arabic_indic_digits_count(
    world: dict[str, Any], operator: Client
) -> None:
    Alert.objects.bulk_create(
        Alert(
            code=f"AL-TEST-{n:04d}",
            rule=AlertRule.HIGH_RISK_NO_PLAN,
            severity=Severity.WARNING,
            condition_key=f"CA-{n}",
            raised_at=timezone.now(),
        )
        for n in range(ALERTS_PER_PAGE)
    )
    url = reverse("operations:alerts")
    second = operator.get(url, {"page": "٢"})
    assert second.status_code == 200
    assert second.context["page"].number == 2
    assert len(second.context["alerts"]) == 1
    assert operator.get(url, {"page": "٣"}).status_code == 404


# --- filters and addresses of the API ------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "query"),
    [
        ("operations:api_alerts", {"all": "yes"}),
        ("operations:api_alerts", {"offset": "-1"}),
        ("operations:api_intakes", {"limit": "abc"}),
        ("operations:api_incidents", {"offset": "١\u200f"}),
        ("operations:api_tasks", {"limit": "\x00"}),
    ],
)
def test_a_hostile_filter_of_an_api_list_is_answered_400_in_arabic(
    world: dict[str, Any], operator: Client, route: str, query: dict[str, str]
) -> None:
    response = operator.get(reverse(route), query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert ARABIC.search(str(response.json()))


def test_a_page_number_too_large_for_the_database_gives_an_empty_page(
    world: dict[str, Any], operator: Client
) -> None:
    response = operator.get(
        reverse("operations:api_alerts"), {"offset": "99999999999999999999", "limit": "٣"}
    )
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("code", ["%00", "IN%00X", "%E2%80%8F", "x" * 5000])
@pytest.mark.parametrize(
    "name",
    [
        "operations:intake",
        "operations:alert",
        "operations:incident",
        "operations:task",
        "operations:api_intake",
        "operations:api_alert",
        "operations:api_incident",
        "operations:api_task",
    ],
)
def test_a_code_with_nul_invisible_marks_or_thousands_of_characters_is_not_found(
    world: dict[str, Any], operator: Client, name: str, code: str
) -> None:
    prefix = reverse(name, args=["X"])[:-2]
    assert operator.get(f"{prefix}{code}/").status_code == 404
    assert operator.post(f"{prefix}{code}/", {"step": "close"}).status_code == 404


@pytest.mark.parametrize(
    ("day", "language"),
    [
        ("2026-06-14%00", "ar"),
        ("٢٠٢٦-٠٦-١٤", "ar"),
        ("99999999-01-01", "en"),
        ("2026-06-14", "ar%E2%80%8F"),
    ],
)
def test_a_hostile_report_address_is_not_found(
    personas: dict[str, User], login: Callable[[User], Client], day: str, language: str
) -> None:
    SituationReport.objects.create(
        day=datetime.date(2026, 6, 14), pdf_ar=b"%PDF-1.7 ar", pdf_en=b"%PDF-1.7 en"
    )
    client = login(personas[Role.ANALYST])
    prefix = reverse("operations:reports")
    assert client.get(f"{prefix}{day}/{language}.pdf").status_code == 404


# --- forms of the pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("posted", "field"),
    [
        ({"channel": "hotline", "summary": "\u200f\ufeff"}, "summary"),
        ({"channel": "hotline", "summary": "بلاغ\x00"}, "summary"),
        ({"channel": "hotline", "summary": HUGE}, "summary"),
        ({"channel": "pigeon", "summary": "بلاغ"}, "channel"),
        (
            {"channel": "hotline", "summary": "بلاغ", "governorate": "99999999999999999999"},
            "governorate",
        ),
        ({"channel": "hotline", "summary": "بلاغ", "governorate": "-3"}, "governorate"),
        ({"channel": "hotline", "summary": "بلاغ", "reporter_phone": "٠" * 41}, "reporter_phone"),
    ],
)
def test_a_hostile_report_form_shows_an_error_in_arabic_and_records_nothing(
    world: dict[str, Any], operator: Client, posted: dict[str, str], field: str
) -> None:
    before = state()
    response = operator.post(reverse("operations:intake_new"), posted)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert ARABIC.search(errors[field][0])
    assert state() == before


@pytest.mark.parametrize(
    "posted",
    [
        {"step": "acknowledge", "version": "99999999999999999999"},
        {"step": "acknowledge", "version": "-1"},
        {"step": "acknowledge", "version": "\x00"},
        {"step": "resolve", "version": "1", "note": "\u200f"},
        {"step": "resolve", "version": "1", "note": HUGE},
        {"step": "assign", "version": "1", "assigned_to": "99999999999999999999"},
    ],
)
def test_a_hostile_step_on_the_alert_page_shows_an_error_in_arabic_and_changes_nothing(
    world: dict[str, Any], operator: Client, posted: dict[str, str]
) -> None:
    before = state()
    response = operator.post(reverse("operations:alert", args=[world["alert"]]), posted)
    assert response.status_code == 200
    form = response.context.get("resolve_form") if posted["step"] == "resolve" else None
    shown = messages_of(response) + [
        str(error) for errors in (form.errors.values() if form else []) for error in errors
    ]
    if posted["step"] == "assign":
        shown += response.context["assign_form"].errors["assigned_to"]
    assert shown
    assert all(ARABIC.search(message) for message in shown)
    assert state() == before


def test_an_alert_is_not_assigned_to_another_agencys_partner_through_the_page(
    world: dict[str, Any], operator: Client, personas: dict[str, User]
) -> None:
    before = state()
    response = operator.post(
        reverse("operations:alert", args=[world["alert"]]),
        {"step": "assign", "version": "1", "assigned_to": str(personas[Role.PARTNER_STAFF].pk)},
    )
    assert response.status_code == 200
    assert "assigned_to" in response.context["assign_form"].errors
    assert state() == before


@pytest.mark.parametrize("step", ["", "delete", "acknowledge\x00", "ACKNOWLEDGE", HUGE])
def test_an_unknown_step_is_not_found_and_changes_nothing(
    world: dict[str, Any], operator: Client, step: str
) -> None:
    before = state()
    for name in ("operations:intake", "operations:alert", "operations:incident"):
        code = world[name.split(":")[1]]
        response = operator.post(reverse(name, args=[code]), {"step": step, "version": "1"})
        assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize(
    ("posted", "field"),
    [
        ({"task-due_at": "9999-12-31T23:59"}, "due_at"),
        ({"task-due_at": "1999-01-01T10:00"}, "due_at"),
        ({"task-due_at": "٢٠٢٦-٠٦-١٥T10:00x"}, "due_at"),
        ({"task-kind": "rocket"}, "kind"),
        ({"task-description": "\ufeff\u200f"}, "description"),
        ({"task-agency": "inactive"}, "agency"),
    ],
)
def test_a_hostile_task_form_shows_an_error_in_arabic_and_assigns_nothing(
    world: dict[str, Any], operator: Client, posted: dict[str, str], field: str
) -> None:
    police = IncidentTask.objects.get().agency
    gone = AgencyFactory(kind=AgencyKind.POLICE, is_active=False)
    given = {
        "step": "task",
        "task-kind": TaskKind.POLICE,
        "task-agency": str(police.pk),
        "task-description": "زيارة",
        "task-due_at": (timezone.localtime() + datetime.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        **posted,
    }
    if given["task-agency"] == "inactive":
        given["task-agency"] = str(gone.pk)
    before = state()
    response = operator.post(reverse("operations:incident", args=[world["incident"]]), given)
    assert response.status_code == 200
    errors = response.context["task_form"].errors
    assert list(errors) == [field]
    assert ARABIC.search(errors[field][0])
    assert state() == before


def test_a_partner_cannot_reach_another_agencys_task_on_the_page(
    world: dict[str, Any], make_persona: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_persona(Role.PARTNER_STAFF, username="police_b"))
    before = state()
    url = reverse("operations:task", args=[world["task"]])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "done", "version": "1"}).status_code == 404
    assert state() == before


def test_a_partner_cannot_cancel_through_the_page_form(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.PARTNER_STAFF])
    before = state()
    response = client.post(
        reverse("operations:task", args=[world["task"]]), {"status": "cancelled", "version": "1"}
    )
    assert response.status_code == 200
    assert ARABIC.search(response.context["form"].errors["status"][0])
    assert state() == before


# --- bodies of the API ----------------------------------------------------------------------


def post_json(client: Client, url: str, body: object) -> Any:
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "hotline", "summary": "\u200f\ufeff"}, "summary"),
        ({"channel": "hotline", "summary": HUGE}, "summary"),
        ({"channel": "pigeon", "summary": "بلاغ"}, "channel"),
        ({"channel": "hotline", "summary": "بلاغ", "governorate": "\u200fCAI"}, "governorate"),
        ({"channel": "hotline", "summary": "بلاغ", "about_child": "٣"}, "about_child"),
    ],
)
def test_a_hostile_report_through_the_api_is_answered_400_in_arabic(
    world: dict[str, Any], operator: Client, body: dict[str, str], field: str
) -> None:
    before = state()
    response = post_json(operator, reverse("operations:api_intakes"), body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert ARABIC.search(str(errors[field]))
    assert state() == before


def test_a_nul_anywhere_in_a_body_is_answered_400(world: dict[str, Any], operator: Client) -> None:
    before = state()
    response = post_json(
        operator, reverse("operations:api_intakes"), {"channel": "hotline", "summary": "a\x00"}
    )
    assert response.status_code == 400
    assert ARABIC.search(response.json()["detail"])
    assert state() == before


@pytest.mark.parametrize(
    ("route", "body", "status"),
    [
        ("alert", {"action": "explode", "version": 1}, 400),
        ("alert", {"action": "acknowledge", "version": -1}, 400),
        ("alert", {"action": "acknowledge", "version": "٣"}, 400),
        ("alert", {"action": "acknowledge", "version": 99999999999999999999}, 400),
        ("alert", {"action": "assign", "version": 1}, 400),
        ("alert", {"action": "assign", "version": 1, "assigned_to": "\u200fnobody"}, 400),
        ("alert", {"action": "resolve", "version": 1, "note": "\ufeff"}, 400),
        ("alert", {"action": "acknowledge", "version": 7}, 409),
        ("incident", {"action": "close"}, 400),
        ("incident", {"action": "log", "channel": "pigeon", "text": "x"}, 400),
        ("incident", {"action": "log", "channel": "phone", "text": HUGE}, 400),
        ("intake", {"action": "link", "version": 1, "case": "x" * 21}, 400),
        ("intake", {"action": "close", "version": 1, "reason": "bored"}, 400),
        ("task", {"status": "open", "version": 1}, 400),
        ("task", {"status": "done", "version": 1, "note": HUGE}, 400),
    ],
)
def test_a_hostile_action_through_the_api_is_refused_in_arabic_and_changes_nothing(
    world: dict[str, Any], operator: Client, route: str, body: dict[str, Any], status: int
) -> None:
    before = state()
    response = post_json(operator, reverse(f"operations:api_{route}", args=[world[route]]), body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert ARABIC.search(str(response.json()))
    assert state() == before


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"due_at": "9999-12-31T00:00:00Z"}, "due_at"),
        ({"incident": "IC\x00"}, None),
        ({"incident": "x" * 5000}, "incident"),
        ({"agency": "inactive"}, "agency"),
        ({"kind": "rocket"}, "kind"),
    ],
)
def test_a_hostile_task_through_the_api_is_refused_and_assigns_nothing(
    world: dict[str, Any], operator: Client, patch: dict[str, str], field: str | None
) -> None:
    police = IncidentTask.objects.get().agency
    gone = AgencyFactory(kind=AgencyKind.POLICE, is_active=False)
    body = {
        "incident": world["incident"],
        "kind": "medical",
        "agency": police.code,
        "description": "فريق طبي",
        "due_at": (timezone.now() + datetime.timedelta(hours=1)).isoformat(),
        **patch,
    }
    if body["agency"] == "inactive":
        body["agency"] = gone.code
    before = state()
    response = post_json(operator, reverse("operations:api_tasks"), body)
    assert response.status_code == 400
    problem = response.json()
    assert ARABIC.search(str(problem))
    if field:
        assert list(problem["errors"]) == [field]
    assert state() == before


def test_another_agencys_partner_cannot_read_or_move_the_task_through_the_api(
    world: dict[str, Any], make_persona: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_persona(Role.PARTNER_STAFF, username="police_b"))
    before = state()
    url = reverse("operations:api_task", args=[world["task"]])
    assert client.get(url).status_code == 404
    assert post_json(client, url, {"status": "cancelled", "version": 1}).status_code == 404
    assert state() == before
