"""Who reaches each page and API route of the centre: every role, and another agency's
user, who gets 404 for a task that is not theirs."""

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Membership, Role
from himaya.operations import actions
from himaya.operations.models import (
    Alert,
    Channel,
    Incident,
    IncidentKind,
    IncidentTask,
    Intake,
    SituationReport,
    TaskKind,
    TaskStatus,
    Triage,
)

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role] + ["outsider"]
CENTRE = {Role.OPERATOR}
ALERTS = {Role.OPERATOR, Role.SUPERVISOR}
WORKERS = {
    Role.PARTNER_STAFF,
    Role.SHELTER_STAFF,
    Role.CASE_WORKER,
    Role.SUPERVISOR,
    Role.OPERATOR,
    "outsider",
}
REPORT = {Role.OPERATOR, Role.SUPERVISOR, Role.ANALYST}
DAY = datetime.date(2026, 6, 14)


@pytest.fixture
def world(personas: dict[str, User]) -> dict[str, str]:
    operator = personas[Role.OPERATOR]
    intake = actions.record_intake(
        by=operator, channel=Channel.HOTLINE, summary="طفل يعمل ليلًا", about_child=True
    )
    alert = Alert.objects.get()
    incident = actions.open_incident(
        by=operator, kind=IncidentKind.CHILD_AT_RISK, title="طفل", intake=intake
    )
    police = Membership.objects.get(user=personas[Role.PARTNER_STAFF]).agency
    task = actions.assign_task(
        incident=incident,
        by=operator,
        kind=TaskKind.POLICE,
        agency=police,
        description="زيارة",
        due_at=timezone.now(),
    )
    SituationReport.objects.create(day=DAY, pdf_ar=b"%PDF-1.7 ar", pdf_en=b"%PDF-1.7 en")
    return {
        "intake": intake.code,
        "alert": alert.code,
        "incident": incident.code,
        "task": task.code,
    }


def _expected(role: str, allowed: set[str]) -> int:
    return 200 if role in allowed else 403


def _task_expected(role: str) -> int:
    if role in (Role.OPERATOR, Role.PARTNER_STAFF):
        return 200
    return 404 if role in WORKERS else 403


PAGES: list[tuple[str, Callable[[dict[str, str]], list[str]], Callable[[str], int]]] = [
    ("operations:board", lambda w: [], lambda r: _expected(r, ALERTS | CENTRE)),
    ("operations:board_live", lambda w: [], lambda r: _expected(r, ALERTS | CENTRE)),
    ("operations:intake_new", lambda w: [], lambda r: _expected(r, CENTRE)),
    ("operations:intake", lambda w: [w["intake"]], lambda r: _expected(r, CENTRE)),
    ("operations:alerts", lambda w: [], lambda r: _expected(r, ALERTS)),
    ("operations:alert", lambda w: [w["alert"]], lambda r: _expected(r, ALERTS)),
    ("operations:incident_new", lambda w: [], lambda r: _expected(r, CENTRE)),
    ("operations:incident", lambda w: [w["incident"]], lambda r: _expected(r, CENTRE)),
    ("operations:tasks", lambda w: [], lambda r: _expected(r, WORKERS)),
    ("operations:task", lambda w: [w["task"]], _task_expected),
    ("operations:reports", lambda w: [], lambda r: _expected(r, REPORT)),
    ("operations:report_pdf", lambda w: [DAY.isoformat(), "ar"], lambda r: _expected(r, REPORT)),
    ("operations:api_intakes", lambda w: [], lambda r: _expected(r, CENTRE)),
    ("operations:api_intake", lambda w: [w["intake"]], lambda r: _expected(r, CENTRE)),
    ("operations:api_alerts", lambda w: [], lambda r: _expected(r, ALERTS)),
    ("operations:api_alert", lambda w: [w["alert"]], lambda r: _expected(r, ALERTS)),
    ("operations:api_incidents", lambda w: [], lambda r: _expected(r, CENTRE)),
    ("operations:api_incident", lambda w: [w["incident"]], lambda r: _expected(r, CENTRE)),
    ("operations:api_tasks", lambda w: [], lambda r: _expected(r, WORKERS)),
    ("operations:api_task", lambda w: [w["task"]], _task_expected),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_and_route_answers_each_role_as_its_capabilities_say(
    role: str,
    world: dict[str, str],
    personas: dict[str, User],
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    answers = {
        name: client.get(reverse(name, args=args(world))).status_code for name, args, _e in PAGES
    }
    assert answers == {name: expected(role) for name, _a, expected in PAGES}


def test_a_signed_out_visitor_is_sent_to_sign_in(client: Client, world: dict[str, str]) -> None:
    response = client.get(reverse("operations:board"))
    assert response.status_code == 302
    assert client.get(reverse("operations:api_alerts")).status_code == 403


def test_a_partner_lists_only_its_tasks_without_the_incidents_details(
    world: dict[str, str], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.PARTNER_STAFF])
    rows = client.get(reverse("operations:api_tasks")).json()["results"]
    assert [row["code"] for row in rows] == [world["task"]]
    assert set(rows[0]) == {
        "code",
        "incident",
        "incident_kind",
        "kind",
        "agency",
        "owner",
        "description",
        "due_at",
        "status",
        "note",
        "completed_at",
        "version",
    }
    page = client.get(reverse("operations:task", args=[world["task"]])).content.decode()
    assert "طفل يعمل ليلًا" not in page
    assert client.get(reverse("operations:tasks")).status_code == 200


def test_a_partner_completes_its_task_through_the_api(
    world: dict[str, str], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.PARTNER_STAFF])
    url = reverse("operations:api_task", args=[world["task"]])
    answer = client.post(
        url, {"status": "done", "version": 1, "note": "تم"}, content_type="application/json"
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == TaskStatus.DONE
    stale = client.post(url, {"status": "done", "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"


def test_another_agencys_partner_cannot_touch_the_task(
    world: dict[str, str],
    make_persona: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    client = login(make_persona(Role.PARTNER_STAFF, username="other_police"))
    url = reverse("operations:api_task", args=[world["task"]])
    answer = client.post(url, {"status": "done", "version": 1}, content_type="application/json")
    assert answer.status_code == 404
    assert IncidentTask.objects.get().status == TaskStatus.OPEN


def test_the_operator_records_a_report_through_the_api(
    personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.OPERATOR])
    answer = client.post(
        reverse("operations:api_intakes"),
        {"channel": "whatsapp", "summary": "رسالة", "immediate_danger": True},
        content_type="application/json",
    )
    assert answer.status_code == 201
    body = answer.json()
    assert (body["triage"], body["status"]) == (Triage.EMERGENCY, "open")
    assert "summary" not in body
    bad = client.post(
        reverse("operations:api_intakes"),
        {"channel": "pigeon", "summary": ""},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"channel", "summary"}
    assert Intake.objects.count() == 1


def test_a_huge_version_is_refused_with_400(
    world: dict[str, str], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.OPERATOR])
    answer = client.post(
        reverse("operations:api_alert", args=[world["alert"]]),
        {"action": "acknowledge", "version": "٩" * 40},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert Alert.objects.get().version == 1


def test_the_operator_records_a_report_of_a_child_on_the_page_and_sees_it_on_the_board(
    personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.OPERATOR])
    response = client.post(
        reverse("operations:intake_new"),
        {"channel": "hotline", "summary": "طفلة تتسول", "about_child": "on"},
    )
    intake = Intake.objects.get()
    assert response.status_code == 302
    assert intake.triage == Triage.EMERGENCY
    board = client.get(reverse("operations:board_live")).content.decode()
    assert intake.code in board
    assert Alert.objects.get().condition_key in board


def test_the_board_reads_a_fixed_number_of_queries(
    world: dict[str, str],
    personas: dict[str, User],
    login: Callable[[User], Client],
    django_assert_max_num_queries: Callable[[int], object],
) -> None:
    client = login(personas[Role.OPERATOR])
    client.get(reverse("operations:board_live"))
    with django_assert_max_num_queries(12):  # type: ignore[attr-defined]
        assert client.get(reverse("operations:board_live")).status_code == 200


def test_the_report_downloads_as_pdf_for_the_committee(
    world: dict[str, str], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.ANALYST])
    response = client.get(reverse("operations:report_pdf", args=[DAY.isoformat(), "en"]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 en"
    assert (
        client.get(reverse("operations:report_pdf", args=["2026-02-30", "en"])).status_code == 404
    )
    assert Incident.objects.count() == 1


def test_the_alert_page_names_the_people_it_can_be_assigned_to_and_its_assignee(
    personas: dict[str, User], world: dict[str, str], login: Callable[[User], Client]
) -> None:
    operator, supervisor = personas[Role.OPERATOR], personas[Role.SUPERVISOR]
    User.objects.filter(pk=operator.pk).update(first_name="خالد", last_name="ناصر")
    User.objects.filter(pk=supervisor.pk).update(first_name="", last_name="")
    client = login(operator)
    url = reverse("operations:alert", args=[world["alert"]])
    page = client.get(url).content.decode()
    assert f'">خالد ناصر ({operator.username})</option>' in page
    assert f'">{supervisor.username}</option>' in page
    alert = Alert.objects.get(code=world["alert"])
    Alert.objects.filter(pk=alert.pk).update(assigned_to=operator)
    page = client.get(url).content.decode()
    assert '<dd class="col-sm-9" dir="auto">خالد ناصر</dd>' in page
