"""The centre's lists leave the system through the export door: the rows each page selects,
its columns, no reporter's identity, a partner's own tasks only, one audit row."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import AgencyKind, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import csv_rows as _csv
from himaya.audit.tests.exported import exports_written as _exports
from himaya.audit.tests.exported import sheet_rows as _sheet
from himaya.operations import actions
from himaya.operations.models import (
    Alert,
    AlertRule,
    Channel,
    IncidentKind,
    Severity,
    TaskKind,
)

pytestmark = pytest.mark.django_db

BOARD = reverse("operations:board")
ALERTS = reverse("operations:alerts")
TASKS = reverse("operations:tasks")
REPORTER = '=HYPERLINK("http://evil.example","Samir Adel")'
PHONE = "+20 100 765 4321"
SUMMARY = "طفل يعمل ليلًا عند سمير"


@pytest.fixture
def login(login_english: Callable[[User], Client]) -> Callable[[User], Client]:
    """Signed in, reading English (the root conftest's ``login_english``)."""
    return login_english


@pytest.fixture
def world(personas: dict[str, User]) -> dict[str, str]:
    operator = personas[Role.OPERATOR]
    handled = actions.record_intake(by=operator, channel=Channel.HOTLINE, summary="بلاغ")
    intake = actions.record_intake(
        by=operator,
        channel=Channel.HOTLINE,
        summary=SUMMARY,
        about_child=True,
        reporter_name=REPORTER,
        reporter_phone=PHONE,
        person_details="سمير، ١٢ سنة",
        location="شارع النيل",
    )
    Alert.objects.create(
        code="AL-PLAN-0001",
        rule=AlertRule.HIGH_RISK_NO_PLAN,
        severity=Severity.WARNING,
        condition_key="CA-0001",
        raised_at=timezone.now(),
    )
    incident = actions.open_incident(
        by=operator, kind=IncidentKind.CHILD_AT_RISK, title="طفل", intake=handled
    )
    police = Membership.objects.get(user=personas[Role.PARTNER_STAFF]).agency
    mine = actions.assign_task(
        incident=incident,
        by=operator,
        kind=TaskKind.POLICE,
        agency=police,
        description="=1+1 زيارة",
        due_at=timezone.now(),
    )
    theirs = actions.assign_task(
        incident=incident,
        by=operator,
        kind=TaskKind.POLICE,
        agency=AgencyFactory(kind=AgencyKind.POLICE),
        description="زيارة أخرى",
        due_at=timezone.now(),
    )
    actions.assign_task(  # for the supervisor's agency
        incident=incident,
        by=operator,
        kind=TaskKind.OTHER,
        agency=Membership.objects.get(user=personas[Role.SUPERVISOR]).agency,
        description="متابعة",
        due_at=timezone.now(),
    )
    return {
        "intake": intake.code,
        "incident": incident.code,
        "task": mine.code,
        "other_task": theirs.code,
    }


def _post(client: Client, url: str, query: str, fmt: str, purpose: str = "reporting") -> Any:
    return client.post(f"{url}?{query}export={fmt}", {"purpose": purpose, "password": PASSWORD})


@pytest.mark.parametrize(
    ("role", "name", "headers"),
    [
        (
            Role.OPERATOR,
            "intakes",
            [
                "Report",
                "Received at",
                "Channel",
                "Triage",
                "About a child",
                "Immediate danger",
                "Governorate",
                "Status",
                "Response due by",
            ],
        ),
        (Role.OPERATOR, "incidents", ["Incident", "Kind", "Governorate", "Opened at"]),
        (Role.OPERATOR, "tasks", ["Task", "Agency", "Kind", "Due by", "Status"]),
        (Role.SUPERVISOR, "tasks", ["Task", "Agency", "Kind", "Due by", "Status"]),
    ],
)
def test_each_list_of_the_board_exports_the_rows_the_board_shows(
    role: str,
    name: str,
    headers: list[str],
    world: dict[str, str],
    personas: dict[str, User],
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    page = client.get(BOARD)
    assert f"{BOARD}?list={name}&amp;export=xlsx" in page.content.decode()
    shown = [row["code"] for row in page.context[name]]
    assert shown

    workbook = _post(client, BOARD, f"list={name}&", "xlsx")
    assert workbook.status_code == 200
    rows = _sheet(workbook)
    assert rows[0] == headers
    assert [row[0] for row in rows[1:]] == shown
    table = _post(client, BOARD, f"list={name}&", "csv", purpose="coordination")
    assert table.status_code == 200
    assert [row[0] for row in _csv(table)] == [headers[0], *shown]
    assert [(e.object_code, e.purpose, e.details["format"]) for e in _exports()] == [
        (name if name != "tasks" else "tasks-of-agencies", "reporting", "xlsx"),
        (name if name != "tasks" else "tasks-of-agencies", "coordination", "csv"),
    ]


def test_the_reports_export_holds_no_identity_of_the_reporter(
    world: dict[str, str], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.OPERATOR])
    rows = _sheet(_post(client, BOARD, "list=intakes&", "xlsx"))
    assert rows[1][:6] == [world["intake"], rows[1][1], "Hotline", rows[1][3], "Yes", "No"]
    text = repr(rows) + repr(_csv(_post(client, BOARD, "list=intakes&", "csv")))
    for secret in ("Samir", "evil.example", PHONE, "765", "سمير", "النيل", "يعمل"):
        assert secret not in text


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPERVISOR])
@pytest.mark.parametrize(
    "query", ["", "all=1&", f"rule={AlertRule.HIGH_RISK_NO_PLAN}&", "rule=emergency_report&"]
)
def test_the_alerts_export_holds_the_rows_of_the_chosen_rule(
    role: str,
    query: str,
    world: dict[str, str],
    personas: dict[str, User],
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    shown = [alert.code for alert in client.get(f"{ALERTS}?{query}").context["alerts"]]
    workbook = _post(client, ALERTS, query, "xlsx")
    rows = _sheet(workbook)
    assert rows[0] == [
        "Alert",
        "Rule",
        "Severity",
        "About",
        "Governorate",
        "Raised at",
        "Status",
        "Escalation level",
    ]
    assert [row[0] for row in rows[1:]] == shown
    table = _post(client, ALERTS, query, "csv")
    assert [row[0] for row in _csv(table)[1:]] == shown
    assert [e.object_code for e in _exports()] == ["alerts", "alerts"]


def test_the_alerts_of_one_rule_are_exported_alone(
    world: dict[str, str], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.OPERATOR])
    every = [row[0] for row in _csv(_post(client, ALERTS, "", "csv"))[1:]]
    assert len(every) == 2 and "AL-PLAN-0001" in every
    one = _csv(_post(client, ALERTS, f"rule={AlertRule.HIGH_RISK_NO_PLAN}&", "csv"))
    assert one[1:] == [
        ["AL-PLAN-0001", one[1][1], "Warning", "CA-0001", "", one[1][5], "Open", "0"]
    ]
    assert _exports()[-1].details["filters"] == ["rule"]


@pytest.mark.parametrize("role", [Role.PARTNER_STAFF, Role.OPERATOR, Role.CASE_WORKER])
def test_the_task_list_exports_the_tasks_the_page_shows(
    role: str,
    world: dict[str, str],
    personas: dict[str, User],
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    page = client.get(TASKS)
    shown = [task.code for task in [*page.context["active"], *page.context["finished"]]]
    rows = _sheet(_post(client, TASKS, "", "xlsx"))
    assert rows[0] == ["Task", "Incident", "Kind", "What is asked", "Due by", "Status"]
    assert [row[0] for row in rows[1:]] == shown
    assert [row[0] for row in _csv(_post(client, TASKS, "", "csv"))[1:]] == shown
    assert [e.object_code for e in _exports()] == ["tasks", "tasks"]


def test_a_partner_exports_its_own_tasks_only_with_formulas_as_text(
    world: dict[str, str], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.PARTNER_STAFF])
    rows = _sheet(_post(client, TASKS, "", "xlsx"))
    assert [row[:4] for row in rows[1:]] == [
        [world["task"], world["incident"], "Police response", "'=1+1 زيارة"]
    ]
    assert world["other_task"] not in repr(rows)


@pytest.mark.parametrize(
    ("role", "url", "query"),
    [
        (Role.SUPERVISOR, BOARD, "list=intakes&"),
        (Role.SUPERVISOR, BOARD, "list=incidents&"),
        (Role.ANALYST, BOARD, "list=tasks&"),
        (Role.PARTNER_STAFF, BOARD, "list=tasks&"),
        (Role.PARTNER_STAFF, ALERTS, ""),
        (Role.CASE_WORKER, ALERTS, "rule=emergency_report&"),
        (Role.ANALYST, TASKS, ""),
        (Role.AUDITOR, TASKS, ""),
    ],
)
def test_a_role_that_may_not_see_a_list_may_not_export_it(
    role: str,
    url: str,
    query: str,
    world: dict[str, str],
    personas: dict[str, User],
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    before = AuditEvent.objects.count()
    assert client.get(f"{url}?{query}export=csv").status_code == 403
    assert _post(client, url, query, "xlsx").status_code == 403
    assert AuditEvent.objects.count() == before


def test_a_list_the_board_does_not_have_is_not_found(
    world: dict[str, str], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.OPERATOR])
    assert client.get(f"{BOARD}?list=survivors&export=csv").status_code == 404
    assert _post(client, BOARD, "", "csv").status_code == 404
    assert client.post(BOARD).status_code == 405
    assert _exports() == []


@pytest.mark.parametrize(("url", "query"), [(BOARD, "list=intakes&"), (ALERTS, ""), (TASKS, "")])
def test_an_export_without_a_purpose_or_a_recent_password_is_refused(
    url: str,
    query: str,
    world: dict[str, str],
    personas: dict[str, User],
    login: Callable[[User], Client],
) -> None:
    client = login(personas[Role.OPERATOR])
    before = AuditEvent.objects.count()
    asked = client.get(f"{url}?{query}export=xlsx")
    assert asked.status_code == 200
    assert set(asked.context["form"].fields) == {"purpose", "note", "password"}
    no_purpose = client.post(f"{url}?{query}export=xlsx", {"password": ""})
    no_password = client.post(f"{url}?{query}export=xlsx", {"purpose": "reporting"})
    for refused in (no_purpose, no_password):
        assert refused.status_code == 400
        assert refused["Content-Type"].startswith("text/html")
    assert set(no_purpose.context["form"].errors) == {"purpose", "password"}
    assert no_password.context["form"].errors == {"password": ["The password is not correct."]}
    assert AuditEvent.objects.count() == before
