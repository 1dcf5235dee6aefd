"""The alert queue grouped by rule, and the steps of the detail pages."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.operations import actions
from himaya.operations.models import (
    Alert,
    AlertRule,
    AlertStatus,
    Channel,
    CommunicationLog,
    Incident,
    IncidentKind,
    Intake,
    IntakeStatus,
    Severity,
)

pytestmark = pytest.mark.django_db


def flood(count: int, rule: str = AlertRule.HIGH_RISK_NO_PLAN) -> None:
    Alert.objects.bulk_create(
        Alert(
            code=f"AL-{rule[:4].upper()}-{n:04d}",
            rule=rule,
            severity=Severity.WARNING,
            condition_key=f"CA-{n}",
            raised_at=timezone.now(),
        )
        for n in range(count)
    )


@pytest.fixture
def operator(personas: dict[str, User], login: Callable[[User], Client]) -> Client:
    return login(personas[Role.OPERATOR])


def test_the_queue_counts_open_alerts_per_rule_most_first(
    personas: dict[str, User], operator: Client
) -> None:
    flood(30)
    flood(2, AlertRule.REFERRAL_OVERDUE)
    actions.record_intake(
        by=personas[Role.OPERATOR], channel=Channel.HOTLINE, summary="طفل", about_child=True
    )
    resolved = Alert.objects.get(code="AL-REFE-0000")
    resolved.status = AlertStatus.RESOLVED
    resolved.save()
    response = operator.get(reverse("operations:alerts"))
    groups = [(g["rule"], g["count"], g["critical"]) for g in response.context["groups"]]
    assert groups == [
        (AlertRule.HIGH_RISK_NO_PLAN, 30, 0),
        (AlertRule.EMERGENCY_REPORT, 1, 1),
        (AlertRule.REFERRAL_OVERDUE, 1, 0),
    ]
    every = operator.get(reverse("operations:alerts"), {"all": "1"})
    assert [(g["rule"], g["count"]) for g in every.context["groups"]] == [
        (AlertRule.HIGH_RISK_NO_PLAN, 30),
        (AlertRule.REFERRAL_OVERDUE, 2),
        (AlertRule.EMERGENCY_REPORT, 1),
    ]


def test_choosing_a_rule_lists_only_its_alerts_and_keeps_the_counts_of_every_rule(
    personas: dict[str, User], operator: Client
) -> None:
    flood(3)
    flood(2, AlertRule.REFERRAL_OVERDUE)
    response = operator.get(reverse("operations:alerts"), {"rule": AlertRule.REFERRAL_OVERDUE})
    assert response.status_code == 200
    assert sorted(a.code for a in response.context["alerts"]) == ["AL-REFE-0000", "AL-REFE-0001"]
    assert len(response.context["groups"]) == 2
    page = response.content.decode()
    assert 'data-testid="alert-rule-filter"' in page
    assert "AL-HIGH-0000" not in page


def test_the_queue_reads_the_same_number_of_queries_for_ten_or_a_thousand_alerts(
    operator: Client,
) -> None:
    flood(10)
    url = reverse("operations:alerts")
    operator.get(url)
    with CountQueries() as few:
        operator.get(url)
    flood(990, AlertRule.NO_SERVICE_72H)
    with CountQueries() as many:
        assert operator.get(url).status_code == 200
    assert many.count == few.count


class CountQueries:
    def __enter__(self) -> "CountQueries":
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.context = CaptureQueriesContext(connection)
        self.context.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.context.__exit__(*exc)
        self.count = len(self.context.captured_queries)


# --- steps of the detail pages --------------------------------------------------------------


def test_the_operator_acknowledges_an_alert_on_its_page(
    personas: dict[str, User], operator: Client
) -> None:
    flood(1)
    alert = Alert.objects.get()
    url = reverse("operations:alert", args=[alert.code])
    response = operator.post(url, {"step": "acknowledge", "version": "1"})
    assert (response.status_code, response["Location"]) == (302, url)
    alert.refresh_from_db()
    assert (alert.status, alert.version) == (AlertStatus.ACKNOWLEDGED, 2)


def test_a_stale_version_on_a_page_is_told_as_a_message_and_changes_nothing(
    operator: Client,
) -> None:
    flood(1)
    alert = Alert.objects.get()
    response = operator.post(
        reverse("operations:alert", args=[alert.code]), {"step": "acknowledge", "version": "5"}
    )
    assert response.status_code == 200
    assert len(list(response.context["messages"])) == 1
    alert.refresh_from_db()
    assert (alert.status, alert.version) == (AlertStatus.OPEN, 1)


def test_opening_an_incident_from_a_report_goes_to_the_new_incident(
    personas: dict[str, User], operator: Client
) -> None:
    intake = actions.record_intake(
        by=personas[Role.OPERATOR], channel=Channel.HOTLINE, summary="مجموعة"
    )
    response = operator.post(
        reverse("operations:intake", args=[intake.code]),
        {"step": "incident", "kind": IncidentKind.GROUP_FOUND, "title": "مجموعة"},
    )
    incident = Incident.objects.get()
    assert response["Location"] == reverse("operations:incident", args=[incident.code])
    assert Intake.objects.get().status == IntakeStatus.LINKED


def test_a_supervisor_may_not_open_an_incident_from_an_alert_page(
    personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    flood(1)
    client = login(personas[Role.SUPERVISOR])
    response = client.post(
        reverse("operations:alert", args=[Alert.objects.get().code]),
        {"step": "incident", "kind": IncidentKind.RAID, "title": "مداهمة"},
    )
    assert response.status_code == 403
    assert Incident.objects.count() == 0


def test_a_communication_logged_on_the_incident_page_is_kept(
    personas: dict[str, User], operator: Client
) -> None:
    incident = actions.open_incident(
        by=personas[Role.OPERATOR], kind=IncidentKind.RAID, title="مداهمة"
    )
    url = reverse("operations:incident", args=[incident.code])
    response = operator.post(url, {"step": "log", "log-channel": "phone", "log-text": "اتصال"})
    assert (response.status_code, response["Location"]) == (302, url)
    assert CommunicationLog.objects.get().text == "اتصال"
