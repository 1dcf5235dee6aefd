"""Reports, incidents and tasks: triage, encryption, links, scope of partner agencies."""

import datetime
from collections.abc import Callable

import pytest
from django.db import connection

from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory, governorate
from himaya.core.errors import Conflict, Forbidden, Invalid
from himaya.notifications.models import Notification
from himaya.operations import actions, selectors
from himaya.operations.models import (
    Alert,
    AlertRule,
    AlertStatus,
    Channel,
    IncidentKind,
    IncidentTask,
    Intake,
    IntakeClosure,
    IntakeStatus,
    TaskKind,
    TaskStatus,
    Triage,
)
from himaya.operations.tests.helpers import NOW, adult_case, frozen
from himaya.referrals.tests.factories import give_consent
from himaya.survivors.models import ConsentPurpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_persona: Callable[..., User]) -> User:
    return make_persona(Role.OPERATOR, username="operator")


@pytest.fixture
def police(db: None) -> Agency:
    return AgencyFactory(kind=AgencyKind.POLICE, name_en="Police unit", name_ar="وحدة الشرطة")


@pytest.fixture
def police_user(make_persona: Callable[..., User], police: Agency) -> User:
    return make_persona(Role.PARTNER_STAFF, police, "police")


@pytest.fixture
def ngo_user(make_persona: Callable[..., User]) -> User:
    return make_persona(Role.PARTNER_STAFF, AgencyFactory(kind=AgencyKind.NGO), "ngo")


def hotline(operator: User, **kwargs: object) -> Intake:
    defaults: dict[str, object] = {"channel": Channel.HOTLINE, "summary": "بلاغ عن عمل قسري"}
    return actions.record_intake(by=operator, **{**defaults, **kwargs})  # type: ignore[arg-type]


def test_a_report_of_a_child_is_an_emergency_due_within_fifteen_minutes(operator: User) -> None:
    with frozen():
        intake = hotline(operator, about_child=True)
    assert intake.triage == Triage.EMERGENCY
    assert intake.respond_by == NOW + datetime.timedelta(minutes=15)
    assert (
        Alert.objects.filter(rule=AlertRule.EMERGENCY_REPORT, condition_key=intake.code).count()
        == 1
    )


def test_a_report_without_a_child_or_danger_is_urgent_and_raises_no_alert(operator: User) -> None:
    with frozen():
        intake = hotline(operator)
    assert intake.triage == Triage.URGENT
    assert intake.respond_by == NOW + datetime.timedelta(hours=2)
    assert not Alert.objects.exists()


def test_the_identifying_details_of_a_report_are_stored_encrypted(operator: User) -> None:
    intake = hotline(
        operator,
        reporter_name="سامية حسن",
        reporter_phone="+20 100 123 4567",
        person_details="فتاة اسمها نور",
        location="شارع الهرم",
        summary="نور محتجزة في شقة",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reporter_name, reporter_phone, person_details, location, summary "
            "FROM operations_intake WHERE id = %s",
            [intake.pk],
        )
        stored = cursor.fetchone()
    assert all(value.startswith("gAAAA") for value in stored)
    assert not any(word in " ".join(stored) for word in ("سامية", "4567", "نور", "الهرم"))
    fresh = Intake.objects.get(pk=intake.pk)
    assert (fresh.reporter_name, fresh.person_details) == ("سامية حسن", "فتاة اسمها نور")


def test_an_anonymous_report_keeps_no_reporter(operator: User) -> None:
    intake = hotline(operator, anonymous=True, reporter_name="سامية", reporter_phone="0100")
    fresh = Intake.objects.get(pk=intake.pk)
    assert (fresh.reporter_name, fresh.reporter_phone) == ("", "")


def test_a_report_is_linked_to_a_case_and_to_an_incident(operator: User) -> None:
    case = adult_case()
    intake = hotline(operator)
    actions.link_intake(intake=intake, by=operator, version=intake.version, case_code=case.code)
    incident = actions.open_incident(
        by=operator, kind=IncidentKind.GROUP_FOUND, title="مجموعة في الميناء", intake=intake
    )
    intake.refresh_from_db()
    assert (intake.status, intake.case, intake.incident) == (IntakeStatus.LINKED, case, incident)
    assert incident.case == case
    assert intake.responded_at is not None


def test_linking_to_an_unknown_case_is_refused_and_changes_nothing(operator: User) -> None:
    intake = hotline(operator)
    with pytest.raises(Invalid):
        actions.link_intake(
            intake=intake, by=operator, version=intake.version, case_code="CS-XXXX-XXXX-X"
        )
    intake.refresh_from_db()
    assert (intake.status, intake.case, intake.version) == (IntakeStatus.OPEN, None, 1)


def test_a_closed_report_cannot_be_linked_again(operator: User) -> None:
    intake = hotline(operator)
    actions.close_intake(intake=intake, by=operator, version=1, reason=IntakeClosure.HOAX)
    intake.refresh_from_db()
    with pytest.raises(Conflict):
        actions.link_intake(intake=intake, by=operator, version=intake.version, case_code="x")
    assert Intake.objects.get().status == IntakeStatus.CLOSED


def test_someone_outside_the_centre_cannot_record_a_report(
    make_persona: Callable[..., User],
) -> None:
    with pytest.raises(Forbidden):
        hotline(make_persona(Role.CASE_WORKER))
    assert not Intake.objects.exists()


def test_an_incident_opened_from_an_alert_acknowledges_it(operator: User) -> None:
    hotline(operator, about_child=True)
    alert = Alert.objects.get()
    incident = actions.open_incident(
        by=operator, kind=IncidentKind.CHILD_AT_RISK, title="طفل", alert=alert
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert list(alert.incidents.all()) == [incident]


def test_a_task_for_the_police_notifies_its_staff_without_identity(
    operator: User, police: Agency, police_user: User, ngo_user: User
) -> None:
    incident = actions.open_incident(by=operator, kind=IncidentKind.RAID, title="مداهمة")
    task = actions.assign_task(
        incident=incident,
        by=operator,
        kind=TaskKind.POLICE,
        agency=police,
        description="تأمين الموقع",
        due_at=NOW,
    )
    notes = Notification.objects.filter(event=actions.TASK_ASSIGNED)
    assert [(n.recipient, n.key) for n in notes] == [(police_user, task.code)]
    assert notes.get().params == {"task_code": task.code, "incident_code": incident.code}


def test_a_partner_sees_and_updates_only_the_tasks_of_its_agency(
    operator: User, police: Agency, police_user: User, ngo_user: User
) -> None:
    incident = actions.open_incident(by=operator, kind=IncidentKind.RAID, title="مداهمة")
    ours = actions.assign_task(
        incident=incident,
        by=operator,
        kind=TaskKind.POLICE,
        agency=police,
        description="تأمين الموقع",
        due_at=NOW,
    )
    ngo_agency = Membership.objects.get(user=ngo_user).agency
    theirs = actions.assign_task(
        incident=incident,
        by=operator,
        kind=TaskKind.OTHER,
        agency=ngo_agency,
        description="أخصائية نفسية",
        due_at=NOW,
    )
    assert list(selectors.tasks_visible_to(police_user)) == [ours]
    assert list(selectors.tasks_visible_to(ngo_user)) == [theirs]
    assert list(selectors.incidents_visible_to(police_user)) == []
    with pytest.raises(Forbidden):
        actions.update_task(task=theirs, by=police_user, version=1, status=TaskStatus.DONE)
    theirs.refresh_from_db()
    assert theirs.status == TaskStatus.OPEN
    actions.update_task(task=ours, by=police_user, version=1, status=TaskStatus.DONE, note="تم")
    ours.refresh_from_db()
    assert (ours.status, ours.completed_by) == (TaskStatus.DONE, police_user)


def test_a_partner_cannot_cancel_a_task(operator: User, police: Agency, police_user: User) -> None:
    incident = actions.open_incident(by=operator, kind=IncidentKind.RAID, title="مداهمة")
    task = actions.assign_task(
        incident=incident,
        by=operator,
        kind=TaskKind.POLICE,
        agency=police,
        description="تأمين",
        due_at=NOW,
    )
    with pytest.raises(Forbidden):
        actions.update_task(task=task, by=police_user, version=1, status=TaskStatus.CANCELLED)
    assert IncidentTask.objects.get().status == TaskStatus.OPEN


def test_an_embassy_is_told_only_with_the_survivors_consent_for_that_embassy(
    operator: User,
) -> None:
    embassy = AgencyFactory(kind=AgencyKind.EMBASSY, country="ET", governorate=governorate("EG-C"))
    case = adult_case()
    incident = actions.open_incident(
        by=operator, kind=IncidentKind.GROUP_FOUND, title="مجموعة", case_code=case.code
    )
    with pytest.raises(Forbidden):
        actions.assign_task(
            incident=incident,
            by=operator,
            kind=TaskKind.EMBASSY,
            agency=embassy,
            description="إخطار السفارة",
            due_at=NOW,
        )
    assert not IncidentTask.objects.exists()
    give_consent(case.survivor, case.case_worker, purpose=ConsentPurpose.EMBASSY, recipient=embassy)
    task = actions.assign_task(
        incident=incident,
        by=operator,
        kind=TaskKind.EMBASSY,
        agency=embassy,
        description="إخطار السفارة",
        due_at=NOW,
    )
    assert task.agency == embassy


def test_an_incident_with_open_tasks_cannot_be_closed(operator: User, police: Agency) -> None:
    incident = actions.open_incident(by=operator, kind=IncidentKind.RAID, title="مداهمة")
    actions.assign_task(
        incident=incident,
        by=operator,
        kind=TaskKind.POLICE,
        agency=police,
        description="تأمين",
        due_at=NOW,
    )
    with pytest.raises(Conflict):
        actions.close_incident(incident=incident, by=operator, version=incident.version)
    incident.refresh_from_db()
    assert incident.status == "open"


def test_an_alert_is_assigned_with_a_notification_and_resolved_with_a_note(
    operator: User, make_persona: Callable[..., User]
) -> None:
    colleague = make_persona(Role.OPERATOR, username="colleague")
    hotline(operator, about_child=True)
    alert = Alert.objects.get()
    actions.assign_alert(alert=alert, by=operator, version=alert.version, to=colleague)
    assert (
        Notification.objects.filter(event=actions.ALERT_ASSIGNED, recipient=colleague).count() == 1
    )
    with pytest.raises(Invalid):
        actions.resolve_alert(alert=alert, by=colleague, version=alert.version, note=" ")
    actions.resolve_alert(alert=alert, by=colleague, version=alert.version, note="أرسل فريق")
    alert.refresh_from_db()
    assert (alert.status, alert.note, alert.resolved_by) == (
        AlertStatus.RESOLVED,
        "أرسل فريق",
        colleague,
    )
