"""Every rule that a page or the API enforces is enforced again by the action itself: each
action called directly by a role that may not, out of scope, in a state that forbids it or
with values beyond their bounds is refused, and nothing changes."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.audit.models import AuditEvent
from himaya.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from himaya.operations import actions
from himaya.operations.models import (
    Alert,
    Channel,
    CommunicationChannel,
    CommunicationLog,
    Incident,
    IncidentKind,
    IncidentTask,
    Intake,
    IntakeClosure,
    TaskKind,
    TaskStatus,
)

pytestmark = pytest.mark.django_db


def state() -> tuple[Any, ...]:
    """What the centre holds: every record's state and version, the log and the audit."""
    return (
        list(Intake.objects.order_by("id").values_list("code", "status", "version")),
        list(Alert.objects.order_by("id").values_list("code", "status", "version")),
        list(Incident.objects.order_by("id").values_list("code", "status", "version")),
        list(IncidentTask.objects.order_by("id").values_list("code", "status", "version")),
        CommunicationLog.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def centre(personas: dict[str, User]) -> dict[str, Any]:
    """A report of a child (with its alert), an incident opened from it and a task for the
    police, made by the operator."""
    operator = personas[Role.OPERATOR]
    intake = actions.record_intake(
        by=operator, channel=Channel.HOTLINE, summary="طفل يعمل ليلًا", about_child=True
    )
    spare = actions.record_intake(by=operator, channel=Channel.EMAIL, summary="بلاغ")
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
        due_at=timezone.now() + datetime.timedelta(hours=2),
    )
    return {
        "operator": operator,
        "intake": Intake.objects.get(pk=intake.pk),
        "spare": spare,
        "alert": Alert.objects.get(),
        "incident": Incident.objects.get(pk=incident.pk),
        "task": task,
        "police": police,
    }


def refused(kind: type[DomainError], call: Callable[[], object]) -> DomainError:
    before = state()
    with pytest.raises(kind) as caught:
        call()
    assert state() == before
    return caught.value


# Each write of the centre, as a function of the records and of the person acting.
WRITES: dict[str, Callable[[dict[str, Any], User], object]] = {
    "record_intake": lambda c, by: actions.record_intake(
        by=by, channel=Channel.HOTLINE, summary="بلاغ"
    ),
    "take_up_intake": lambda c, by: actions.take_up_intake(
        intake=c["spare"], by=by, version=c["spare"].version
    ),
    "link_intake": lambda c, by: actions.link_intake(
        intake=c["spare"], by=by, version=c["spare"].version, incident_code=c["incident"].code
    ),
    "close_intake": lambda c, by: actions.close_intake(
        intake=c["spare"], by=by, version=c["spare"].version, reason=IntakeClosure.HOAX
    ),
    "acknowledge_alert": lambda c, by: actions.acknowledge_alert(
        alert=c["alert"], by=by, version=c["alert"].version
    ),
    "assign_alert": lambda c, by: actions.assign_alert(
        alert=c["alert"], by=by, version=c["alert"].version, to=c["operator"]
    ),
    "resolve_alert": lambda c, by: actions.resolve_alert(
        alert=c["alert"], by=by, version=c["alert"].version, note="تم"
    ),
    "open_incident": lambda c, by: actions.open_incident(
        by=by, kind=IncidentKind.RAID, title="مداهمة"
    ),
    "close_incident": lambda c, by: actions.close_incident(
        incident=c["incident"], by=by, version=c["incident"].version
    ),
    "assign_task": lambda c, by: actions.assign_task(
        incident=c["incident"],
        by=by,
        kind=TaskKind.MEDICAL,
        agency=c["police"],
        description="فريق طبي",
        due_at=timezone.now() + datetime.timedelta(hours=1),
    ),
    "log_communication": lambda c, by: actions.log_communication(
        incident=c["incident"], by=by, channel=CommunicationChannel.PHONE, text="اتصال"
    ),
    # What a page shows is written to the audit trail by the action, refused like a write.
    "record_intake_viewed": lambda c, by: actions.record_intake_viewed(intake=c["intake"], by=by),
    "record_incident_viewed": lambda c, by: actions.record_incident_viewed(
        incident=c["incident"], by=by
    ),
    "record_report_downloaded": lambda c, by: actions.record_report_downloaded(
        day=timezone.localdate(), by=by
    ),
}
# Who may run each write: every other role (and a case worker of another agency) is refused.
ALLOWED: dict[str, set[str]] = {
    "record_intake": {Role.OPERATOR},
    "take_up_intake": {Role.OPERATOR},
    "link_intake": {Role.OPERATOR},
    "close_intake": {Role.OPERATOR},
    "acknowledge_alert": {Role.OPERATOR, Role.SUPERVISOR},
    "assign_alert": {Role.OPERATOR, Role.SUPERVISOR},
    "resolve_alert": {Role.OPERATOR, Role.SUPERVISOR},
    "open_incident": {Role.OPERATOR},
    "close_incident": {Role.OPERATOR},
    "assign_task": {Role.OPERATOR},
    "log_communication": {Role.OPERATOR},
    "record_intake_viewed": {Role.OPERATOR},
    "record_incident_viewed": {Role.OPERATOR},
    "record_report_downloaded": {Role.OPERATOR, Role.SUPERVISOR, Role.ANALYST},
}
REFUSED = [
    (write, role)
    for write, allowed in ALLOWED.items()
    for role in [*(r.value for r in Role), "outsider"]
    if role not in allowed
]


@pytest.mark.parametrize(("write", "role"), REFUSED)
def test_each_write_called_directly_by_a_role_that_may_not_is_forbidden_and_changes_nothing(
    write: str, role: str, centre: dict[str, Any], personas: dict[str, User]
) -> None:
    refused(Forbidden, lambda: WRITES[write](centre, personas[role]))


def test_a_partner_of_another_agency_cannot_move_the_task_on_directly(
    centre: dict[str, Any], make_persona: Callable[..., User]
) -> None:
    other = make_persona(Role.PARTNER_STAFF, AgencyFactory(kind=AgencyKind.POLICE), "police_b")
    task = centre["task"]
    refused(
        Forbidden,
        lambda: actions.update_task(task=task, by=other, version=task.version, status="done"),
    )


def test_only_the_centre_cancels_a_task_even_when_the_action_is_called_directly(
    centre: dict[str, Any], personas: dict[str, User]
) -> None:
    task = centre["task"]
    error = refused(
        Forbidden,
        lambda: actions.update_task(
            task=task,
            by=personas[Role.PARTNER_STAFF],
            version=task.version,
            status=TaskStatus.CANCELLED,
        ),
    )
    assert error.field == "status"


def test_a_task_state_outside_the_table_is_refused(
    centre: dict[str, Any], personas: dict[str, User]
) -> None:
    task = centre["task"]
    error = refused(
        Invalid,
        lambda: actions.update_task(
            task=task, by=personas[Role.PARTNER_STAFF], version=task.version, status="finished"
        ),
    )
    assert error.field == "status"


def test_an_alert_is_assigned_only_to_someone_who_handles_alerts(
    centre: dict[str, Any], personas: dict[str, User]
) -> None:
    alert = centre["alert"]
    error = refused(
        Invalid,
        lambda: actions.assign_alert(
            alert=alert,
            by=centre["operator"],
            version=alert.version,
            to=personas[Role.PARTNER_STAFF],
        ),
    )
    assert error.field == "assigned_to"


def test_a_communication_is_not_logged_on_a_closed_incident(centre: dict[str, Any]) -> None:
    operator, task = centre["operator"], centre["task"]
    actions.update_task(task=task, by=operator, version=task.version, status="cancelled")
    incident = Incident.objects.get(pk=centre["incident"].pk)
    actions.close_incident(incident=incident, by=operator, version=incident.version)
    incident.refresh_from_db()
    refused(
        Conflict,
        lambda: actions.log_communication(
            incident=incident, by=operator, channel=CommunicationChannel.PHONE, text="اتصال"
        ),
    )


def test_a_communication_with_an_agency_that_is_no_longer_active_is_refused(
    centre: dict[str, Any],
) -> None:
    gone = AgencyFactory(kind=AgencyKind.NGO, is_active=False)
    error = refused(
        Invalid,
        lambda: actions.log_communication(
            incident=centre["incident"],
            by=centre["operator"],
            channel=CommunicationChannel.PHONE,
            text="اتصال",
            counterpart=gone,
        ),
    )
    assert error.field == "counterpart"


@pytest.mark.parametrize(
    "due_at",
    [
        datetime.datetime(1999, 12, 31, 9, 0, tzinfo=datetime.UTC),
        datetime.datetime(9999, 12, 31, 9, 0, tzinfo=datetime.UTC),
    ],
)
def test_a_task_due_beyond_the_planning_bounds_is_refused(
    centre: dict[str, Any], due_at: datetime.datetime
) -> None:
    error = refused(
        Invalid,
        lambda: actions.assign_task(
            incident=centre["incident"],
            by=centre["operator"],
            kind=TaskKind.MEDICAL,
            agency=centre["police"],
            description="فريق طبي",
            due_at=due_at,
        ),
    )
    assert error.field == "due_at"


def test_an_incident_is_opened_only_from_an_alert_the_user_may_see(
    centre: dict[str, Any], make_persona: Callable[..., User]
) -> None:
    # Someone who opens incidents but does not handle alerts: a role made for the test.
    opener = make_persona(Role.OPERATOR, username="opener")
    alert = centre["alert"]
    original = opener.has_perm

    def has_perm(capability: str, obj: object = None) -> bool:
        return capability != "operations.manage_alerts" and original(capability, obj)

    opener.has_perm = has_perm  # type: ignore[method-assign]
    refused(
        NotFound,
        lambda: actions.open_incident(
            by=opener, kind=IncidentKind.RAID, title="مداهمة", alert=alert
        ),
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("summary", "\u200f\ufeff \u200b", Invalid),
        ("summary", "بلاغ\x00", Invalid),
        ("summary", "ب" * 4001, Invalid),
        ("reporter_name", "ن" * 201, Invalid),
        ("reporter_phone", "0" * 41, Invalid),
        ("location", "\x00", Invalid),
        ("channel", "pigeon", Invalid),
    ],
)
def test_a_report_with_text_out_of_bounds_is_refused_by_the_action(
    personas: dict[str, User], field: str, value: str, expected: type[DomainError]
) -> None:
    given: dict[str, Any] = {"channel": Channel.HOTLINE, "summary": "بلاغ", field: value}
    error = refused(expected, lambda: actions.record_intake(by=personas[Role.OPERATOR], **given))
    assert error.field == field


@pytest.mark.parametrize(
    ("title", "summary", "field"),
    [
        ("\ufeff", "", "title"),
        ("ع" * 201, "", "title"),
        ("مداهمة\x00", "", "title"),
        ("مداهمة", "x" * 4001, "summary"),
    ],
)
def test_an_incident_with_text_out_of_bounds_is_refused_by_the_action(
    personas: dict[str, User], title: str, summary: str, field: str
) -> None:
    error = refused(
        Invalid,
        lambda: actions.open_incident(
            by=personas[Role.OPERATOR], kind=IncidentKind.RAID, title=title, summary=summary
        ),
    )
    assert error.field == field


def test_an_alert_resolved_with_only_invisible_marks_is_refused(centre: dict[str, Any]) -> None:
    alert = centre["alert"]
    error = refused(
        Invalid,
        lambda: actions.resolve_alert(
            alert=alert, by=centre["operator"], version=alert.version, note="\u200f\u200f"
        ),
    )
    assert error.field == "note"


def test_a_code_pasted_with_invisible_marks_links_the_report(centre: dict[str, Any]) -> None:
    spare = centre["spare"]
    code = centre["incident"].code
    actions.link_intake(
        intake=spare,
        by=centre["operator"],
        version=spare.version,
        incident_code=f"\u200f {code.lower()}\ufeff",
    )
    spare.refresh_from_db()
    assert (spare.status, spare.incident_id) == ("linked", centre["incident"].pk)


def test_a_task_for_an_agency_that_is_no_longer_active_is_refused(
    centre: dict[str, Any],
) -> None:
    gone: Agency = AgencyFactory(kind=AgencyKind.POLICE, is_active=False)
    error = refused(
        Invalid,
        lambda: actions.assign_task(
            incident=centre["incident"],
            by=centre["operator"],
            kind=TaskKind.POLICE,
            agency=gone,
            description="زيارة",
            due_at=timezone.now() + datetime.timedelta(hours=1),
        ),
    )
    assert error.field == "agency"


@pytest.mark.parametrize(
    ("write", "action"),
    [
        ("record_intake_viewed", "operations.intake_viewed"),
        ("record_incident_viewed", "operations.incident_viewed"),
        ("record_report_downloaded", "operations.situation_report_downloaded"),
    ],
)
def test_a_record_shown_by_the_centre_is_one_event_of_the_audit_trail(
    write: str, action: str, centre: dict[str, Any], personas: dict[str, User]
) -> None:
    before = AuditEvent.objects.count()
    WRITES[write](centre, personas[Role.OPERATOR])
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None and (event.action, event.actor_id) == (
        action,
        personas[Role.OPERATOR].pk,
    )
