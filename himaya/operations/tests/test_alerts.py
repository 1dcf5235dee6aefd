"""Each alert rule under frozen time: it fires once per condition and window, and not
below its threshold."""

import datetime
from collections.abc import Callable

import pytest

from himaya.accounts.models import User
from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.models import Governorate, Role
from himaya.agencies.tests.factories import AgencyFactory, governorate
from himaya.cases.actions import refresh_worklist
from himaya.cases.models import CarePlanStatus, RiskLevel
from himaya.cases.tests.factories import CarePlanFactory, RiskAssessmentFactory
from himaya.notifications.models import Notification
from himaya.operations import actions
from himaya.operations.models import (
    Alert,
    AlertRule,
    AlertStatus,
    Channel,
    OnCallEntry,
    Severity,
)
from himaya.operations.tests.helpers import (
    NOW,
    TODAY,
    adult_case,
    child_case,
    daily_value,
    decide,
    frozen,
)
from himaya.referrals.tests.factories import ReferralFactory
from himaya.services.tests.factories import DeliveredFactory
from himaya.shelters.models import Stay
from himaya.shelters.tests.factories import make_shelter, make_unit

pytestmark = pytest.mark.django_db


def alerts_of(rule: str) -> list[Alert]:
    return list(Alert.objects.filter(rule=rule).order_by("id"))


def evaluate(at: datetime.datetime = NOW) -> int:
    with frozen(at):
        return actions.evaluate_alerts()


def test_a_child_identified_raises_one_critical_alert_however_often_the_rules_run() -> None:
    case = child_case(governorate_of_exploitation=governorate("EG-C"))
    with frozen():
        decide(case, TODAY)
    evaluate()
    evaluate(NOW + datetime.timedelta(minutes=2))
    decide(case, TODAY, status="identified")
    evaluate(NOW + datetime.timedelta(hours=5))
    found = alerts_of(AlertRule.CHILD_IDENTIFIED)
    assert [(a.condition_key, a.severity, a.window) for a in found] == [
        (case.code, Severity.CRITICAL, "")
    ]
    assert found[0].governorate == governorate("EG-C")


def test_an_adult_identified_raises_no_child_alert() -> None:
    decide(adult_case(), TODAY)
    evaluate()
    assert alerts_of(AlertRule.CHILD_IDENTIFIED) == []


def test_a_full_shelter_alerts_once_a_day_with_its_governorate_without_a_free_bed() -> None:
    shelter = make_shelter("EG-ASN")
    unit = make_unit(shelter, beds=1)
    case = adult_case()
    Stay.objects.create(
        case=case,
        survivor=case.survivor,
        bed=unit.beds.get(),
        shelter=shelter,
        admitted_on=TODAY,
        admitted_by=case.case_worker,
    )
    evaluate()
    evaluate(NOW + datetime.timedelta(hours=1))
    assert [a.condition_key for a in alerts_of(AlertRule.SHELTER_FULL)] == [shelter.code]
    assert [a.condition_key for a in alerts_of(AlertRule.NO_FREE_BED)] == ["EG-ASN"]
    evaluate(NOW + datetime.timedelta(days=1))
    assert [a.window for a in alerts_of(AlertRule.SHELTER_FULL)] == [
        TODAY.isoformat(),
        (TODAY + datetime.timedelta(days=1)).isoformat(),
    ]


def test_a_shelter_with_a_free_bed_raises_nothing() -> None:
    make_unit(make_shelter("EG-ASN"), beds=2)
    evaluate()
    assert alerts_of(AlertRule.SHELTER_FULL) == []
    assert alerts_of(AlertRule.NO_FREE_BED) == []


def test_a_referral_past_its_deadline_alerts_once_and_one_within_it_not() -> None:
    late = ReferralFactory(sent_at=NOW - datetime.timedelta(days=3))
    ReferralFactory(sent_at=NOW - datetime.timedelta(hours=47))
    evaluate()
    evaluate(NOW + datetime.timedelta(minutes=30))
    assert [a.condition_key for a in alerts_of(AlertRule.REFERRAL_OVERDUE)] == [late.code]


def test_a_case_without_a_service_72_hours_after_identification_alerts_once() -> None:
    waiting = adult_case()
    served = adult_case()
    recent = adult_case()
    decide(waiting, TODAY - datetime.timedelta(days=4))
    decide(served, TODAY - datetime.timedelta(days=4))
    DeliveredFactory(case=served, delivered_on=TODAY - datetime.timedelta(days=3))
    decide(recent, TODAY - datetime.timedelta(days=2))
    evaluate()
    evaluate(NOW + datetime.timedelta(hours=3))
    assert [a.condition_key for a in alerts_of(AlertRule.NO_SERVICE_72H)] == [waiting.code]


def test_a_high_risk_case_without_an_approved_plan_alerts_once() -> None:
    unplanned = RiskAssessmentFactory(level=RiskLevel.HIGH).case
    planned = RiskAssessmentFactory(level=RiskLevel.CRITICAL).case
    CarePlanFactory(
        case=planned,
        status=CarePlanStatus.APPROVED,
        decided_by=UserFactory(),
        decided_at=NOW - datetime.timedelta(days=1),
    )
    low = RiskAssessmentFactory(level=RiskLevel.LOW).case
    for case in (unplanned, planned, low):
        refresh_worklist(case)
    evaluate()
    evaluate(NOW + datetime.timedelta(hours=3))
    assert [a.condition_key for a in alerts_of(AlertRule.HIGH_RISK_NO_PLAN)] == [unplanned.code]


def test_a_report_past_its_response_deadline_alerts_once_and_not_before(
    make_persona: Callable[..., User],
) -> None:
    operator = make_persona(Role.OPERATOR)
    with frozen():
        intake = actions.record_intake(by=operator, channel=Channel.EMAIL, summary="بلاغ")
    evaluate(NOW + datetime.timedelta(minutes=119))
    assert alerts_of(AlertRule.INTAKE_OVERDUE) == []
    evaluate(NOW + datetime.timedelta(minutes=121))
    evaluate(NOW + datetime.timedelta(minutes=125))
    found = alerts_of(AlertRule.INTAKE_OVERDUE)
    assert [(a.condition_key, a.severity) for a in found] == [(intake.code, Severity.WARNING)]


def test_an_emergency_report_raises_its_alert_at_once(make_persona: Callable[..., User]) -> None:
    operator = make_persona(Role.OPERATOR)
    with frozen():
        intake = actions.record_intake(
            by=operator, channel=Channel.HOTLINE, summary="طفل في خطر", about_child=True
        )
    evaluate()
    found = alerts_of(AlertRule.EMERGENCY_REPORT)
    assert [(a.condition_key, a.severity) for a in found] == [(intake.code, Severity.CRITICAL)]


def _identifications(place: Governorate, per_day: list[int]) -> None:
    """``per_day[i]`` reasonable-grounds decisions ``len(per_day) - 1 - i`` days ago."""
    agency = AgencyFactory(governorate=place)
    for back, count in enumerate(reversed(per_day)):
        for _n in range(count):
            decide(
                adult_case(lead_agency=agency, governorate_of_exploitation=place),
                TODAY - datetime.timedelta(days=back),
            )


def test_a_rise_beyond_the_governorates_history_alerts_once_that_day() -> None:
    _identifications(governorate("EG-SHR"), [1, 0] * 14 + [6])
    evaluate()
    evaluate(NOW + datetime.timedelta(hours=2))
    found = alerts_of(AlertRule.IDENTIFICATION_RISE)
    assert [(a.condition_key, a.window, a.figure) for a in found] == [
        ("EG-SHR", TODAY.isoformat(), 6)
    ]


def test_a_rise_below_the_minimum_or_within_the_history_raises_nothing() -> None:
    _identifications(governorate("EG-SHR"), [0] * 28 + [4])
    _identifications(governorate("EG-ASN"), [0, 9] * 14 + [8])
    evaluate()
    assert alerts_of(AlertRule.IDENTIFICATION_RISE) == []


def test_an_indicator_past_its_critical_threshold_alerts_once_for_its_day() -> None:
    yesterday = TODAY - datetime.timedelta(days=1)
    daily_value("referrals_overdue", yesterday, "25")
    daily_value("free_beds", yesterday, "3")
    evaluate()
    evaluate(NOW + datetime.timedelta(hours=1))
    found = alerts_of(AlertRule.INDICATOR)
    assert [(a.condition_key, a.severity, a.window) for a in found] == [
        ("referrals_overdue:critical", Severity.CRITICAL, yesterday.isoformat())
    ]


def test_an_indicator_below_its_warning_threshold_raises_nothing() -> None:
    daily_value("referrals_overdue", TODAY - datetime.timedelta(days=1), "3")
    evaluate()
    assert alerts_of(AlertRule.INDICATOR) == []


def test_an_unacknowledged_alert_escalates_along_the_roster_after_the_set_minutes(
    make_persona: Callable[..., User], settings: object
) -> None:
    setattr(settings, "HIMAYA_OPERATIONS_ESCALATION_MINUTES", 15)  # noqa: B010
    operator = make_persona(Role.OPERATOR, username="first")
    supervisor = make_persona(Role.SUPERVISOR, username="second")
    OnCallEntry.objects.create(level=1, user=operator)
    OnCallEntry.objects.create(level=2, user=supervisor)
    with frozen():
        actions.record_intake(by=operator, channel=Channel.HOTLINE, summary="خطر", about_child=True)
    alert = Alert.objects.get()
    with frozen(NOW + datetime.timedelta(minutes=14)):
        assert actions.escalate_alerts() == 0
    with frozen(NOW + datetime.timedelta(minutes=16)):
        assert actions.escalate_alerts() == 1
        assert actions.escalate_alerts() == 0
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    escalated = Notification.objects.filter(event=actions.ALERT_ESCALATED)
    assert [n.recipient for n in escalated] == [operator]
    with frozen(NOW + datetime.timedelta(minutes=31)):
        assert actions.escalate_alerts() == 1
    assert sorted(n.recipient.username for n in escalated.all()) == ["first", "second"]


def test_an_acknowledged_alert_does_not_escalate(make_persona: Callable[..., User]) -> None:
    operator = make_persona(Role.OPERATOR)
    OnCallEntry.objects.create(level=1, user=operator)
    with frozen():
        actions.record_intake(by=operator, channel=Channel.HOTLINE, summary="خطر", about_child=True)
        alert = Alert.objects.get()
        actions.acknowledge_alert(alert=alert, by=operator, version=alert.version)
    with frozen(NOW + datetime.timedelta(hours=1)):
        assert actions.escalate_alerts() == 0
    alert.refresh_from_db()
    assert (alert.status, alert.escalation_level) == (AlertStatus.ACKNOWLEDGED, 0)
