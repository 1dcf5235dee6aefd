import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from himaya.audit.models import AuditEvent
from himaya.core.locking import ConcurrentEditError
from himaya.referrals import actions
from himaya.referrals.models import ConsentBasis, Referral, Status
from himaya.referrals.rules import TRANSITIONS
from himaya.referrals.tests.conftest import World, snapshot
from himaya.referrals.tests.factories import PartnerAgencyFactory, service
from himaya.survivors.models import Consent
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db


def _soon() -> datetime:
    """A fixed instant after the consents of the fixtures were given."""
    return (timezone.now() + timedelta(days=1)).replace(microsecond=0, tzinfo=UTC)


def create(world: World, **kwargs: object) -> Referral:
    params: dict[str, object] = {
        "case": world.case,
        "to_agency": world.partner,
        "service_type": service("medical"),
        "shared_fields": ["first_name", "age", "phone"],
        "by": world.case_worker,
    }
    params.update(kwargs)
    return actions.create_referral(**params)  # type: ignore[arg-type]


def test_referral_with_consent_is_sent_with_timeline_and_audit(world: World) -> None:
    referral = create(world)

    assert referral.status == Status.SENT
    assert referral.consent_basis == ConsentBasis.CONSENT
    assert referral.shared_fields == ["first_name", "age", "phone"]
    assert referral.from_agency_id == world.case.lead_agency_id
    assert list(CaseEvent.objects.filter(object_code=referral.code).values_list("kind")) == [
        ("referral.sent",)
    ]
    event = AuditEvent.objects.get(action="referral.created")
    assert event.object_code == referral.code
    assert event.purpose == "referral"
    assert event.details["shared_fields"] == ["first_name", "age", "phone"]


def test_referral_without_consent_is_refused_and_writes_nothing(world: World) -> None:
    other = PartnerAgencyFactory()
    before = snapshot()

    with pytest.raises(actions.ConsentMissing):
        create(world, to_agency=other)

    assert snapshot() == before
    assert Referral.objects.count() == 0
    assert not AuditEvent.objects.filter(action="referral.created").exists()
    assert not CaseEvent.objects.filter(kind__startswith="referral.").exists()


def test_consent_for_another_purpose_does_not_allow_a_referral(world: World) -> None:
    other = PartnerAgencyFactory()
    Consent.objects.create(
        survivor=world.case.survivor,
        purpose="care",
        given_on=timezone.localdate(),
        recorded_by=world.case_worker,
    )
    with pytest.raises(actions.ConsentMissing):
        create(world, to_agency=other)
    assert Referral.objects.count() == 0


def test_referral_to_an_embassy_needs_the_embassy_consent(world: World) -> None:
    embassy = PartnerAgencyFactory(kind="embassy", country="ET")
    world.case.survivor.nationality = "ET"
    world.case.survivor.save()
    Consent.objects.create(
        survivor=world.case.survivor,
        purpose="referral",
        recipient=embassy,
        given_on=timezone.localdate(),
        recorded_by=world.case_worker,
    )
    with pytest.raises(actions.EmbassyRefused):
        create(world, to_agency=embassy)
    with pytest.raises(actions.EmbassyRefused):
        create(world, to_agency=embassy, by=world.supervisor, override_reason="Urgent")
    assert Referral.objects.count() == 0
    Consent.objects.create(
        survivor=world.case.survivor,
        purpose="embassy",
        recipient=embassy,
        given_on=timezone.localdate(),
        recorded_by=world.case_worker,
    )
    assert create(world, to_agency=embassy).consent_basis == ConsentBasis.CONSENT


def test_supervisor_override_is_recorded_with_its_reason(world: World) -> None:
    other = PartnerAgencyFactory()
    reason = "Urgent medical care; the survivor cannot sign today."

    referral = create(world, to_agency=other, by=world.supervisor, override_reason=reason)

    assert referral.consent_basis == ConsentBasis.OVERRIDE
    assert referral.override_reason == reason
    assert referral.override_by == world.supervisor
    override = AuditEvent.objects.get(action="referral.consent_overridden")
    assert override.object_code == referral.code
    assert override.actor == world.supervisor
    timeline = CaseEvent.objects.get(kind="referral.consent_overridden")
    assert reason in timeline.summary
    assert timeline.object_code == referral.code


def test_override_by_a_case_worker_is_refused_and_writes_nothing(world: World) -> None:
    other = PartnerAgencyFactory()
    before = snapshot()

    with pytest.raises(actions.ConsentMissing) as refused:
        create(world, to_agency=other, override_reason="I think it is fine.")

    assert refused.value.field == "override_reason"
    assert snapshot() == before


def test_outsider_cannot_refer_a_case_of_another_agency(world: World, outsider: object) -> None:
    before = snapshot()
    with pytest.raises(actions.ReferralForbidden):
        create(world, by=outsider)
    assert snapshot() == before


def test_unknown_shared_field_is_refused(world: World) -> None:
    with pytest.raises(actions.ReferralError) as refused:
        create(world, shared_fields=["first_name", "bank_account"])
    assert refused.value.field == "shared_fields"
    assert Referral.objects.count() == 0


def test_medical_note_is_encrypted_at_rest(world: World) -> None:
    referral = create(world, shared_fields=["medical_needs"], medical_note="needs insulin")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT medical_note FROM referrals_referral WHERE id = %s", [referral.pk])
        stored = cursor.fetchone()[0]
    assert "insulin" not in stored
    assert Referral.objects.get(pk=referral.pk).medical_note == "needs insulin"


def test_referral_copies_no_survivor_data_in_clear(world: World) -> None:
    referral = create(world, shared_fields=["full_name", "phone"])
    row = Referral.objects.filter(pk=referral.pk).values().get()
    stored = json.dumps(row, default=str)
    assert "فاطمة" not in stored
    assert "Fatma" not in stored
    # The phone in any form (a short run of digits could occur in a ciphertext by chance).
    assert "555 0101" not in stored and "1005550101" not in stored


# --- transitions -----------------------------------------------------------------------

ALL_STATUSES = list(TRANSITIONS)


def _move(referral: Referral, target: str, world: World) -> Referral:
    version = referral.version
    if target == Status.ACCEPTED:
        return actions.accept_referral(
            referral=referral, by=world.partner_staff, expected_version=version
        )
    if target == Status.DECLINED:
        return actions.decline_referral(
            referral=referral,
            by=world.partner_staff,
            reason="No capacity",
            expected_version=version,
        )
    if target == Status.COMPLETED:
        return actions.complete_referral(
            referral=referral, by=world.partner_staff, outcome="Treated", expected_version=version
        )
    return actions.cancel_referral(
        referral=referral, by=world.case_worker, expected_version=version
    )


def _referral_in(status: str, world: World) -> Referral:
    referral = create(world)
    path = {
        Status.SENT: [],
        Status.ACCEPTED: [Status.ACCEPTED],
        Status.DECLINED: [Status.DECLINED],
        Status.COMPLETED: [Status.ACCEPTED, Status.COMPLETED],
        Status.CANCELLED: [Status.CANCELLED],
    }[status]
    for step in path:
        referral = _move(referral, step, world)
    return Referral.objects.get(pk=referral.pk)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (current, target)
        for current in ALL_STATUSES
        for target in ALL_STATUSES
        if target in TRANSITIONS[current]
    ],
)
def test_allowed_transition_changes_status_timeline_and_audit(
    world: World, current: str, target: str
) -> None:
    referral = _referral_in(current, world)
    audit_before = AuditEvent.objects.count()
    version = referral.version

    moved = _move(referral, target, world)

    assert Referral.objects.get(pk=referral.pk).status == target
    assert moved.version == version + 1
    assert (
        CaseEvent.objects.filter(object_code=referral.code, kind=f"referral.{target}").count() == 1
    )
    event = AuditEvent.objects.filter(action=f"referral.{target}").get()
    assert event.details == {"case": world.case.code, "from": current, "to": target}
    assert AuditEvent.objects.count() == audit_before + 1


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (current, target)
        for current in ALL_STATUSES
        for target in ALL_STATUSES
        if target != Status.SENT and target not in TRANSITIONS[current]
    ],
)
def test_refused_transition_changes_nothing(world: World, current: str, target: str) -> None:
    referral = _referral_in(current, world)
    before = snapshot()

    with pytest.raises(actions.ReferralError):
        _move(referral, target, world)

    assert snapshot() == before


def test_the_sender_cannot_accept_and_the_partner_cannot_cancel(world: World) -> None:
    referral = create(world)
    before = snapshot()
    with pytest.raises(actions.ReferralForbidden):
        actions.accept_referral(referral=referral, by=world.case_worker, expected_version=1)
    with pytest.raises(actions.ReferralForbidden):
        actions.cancel_referral(referral=referral, by=world.partner_staff, expected_version=1)
    assert snapshot() == before


def test_decline_needs_a_reason_and_complete_an_outcome(world: World) -> None:
    referral = create(world)
    before = snapshot()
    with pytest.raises(actions.ReferralError):
        actions.decline_referral(
            referral=referral, by=world.partner_staff, reason="  ", expected_version=1
        )
    assert snapshot() == before
    referral = _move(referral, Status.ACCEPTED, world)
    before = snapshot()
    with pytest.raises(actions.ReferralError):
        actions.complete_referral(
            referral=referral, by=world.partner_staff, outcome="", expected_version=2
        )
    assert snapshot() == before


def test_stale_answer_is_refused_and_changes_nothing(world: World) -> None:
    referral = create(world)
    actions.accept_referral(referral=referral, by=world.partner_staff, expected_version=1)
    before = snapshot()
    with pytest.raises(ConcurrentEditError):
        actions.cancel_referral(referral=referral, by=world.case_worker, expected_version=1)
    assert snapshot() == before


# --- deadline ----------------------------------------------------------------------------


def test_referral_becomes_overdue_after_the_response_deadline(world: World) -> None:
    NOW = _soon()
    with time_machine.travel(NOW, tick=False):
        referral = create(world)
        answered = create(world)
        actions.accept_referral(referral=answered, by=world.partner_staff, expected_version=1)
    assert referral.respond_by == NOW + timedelta(hours=48)

    with time_machine.travel(NOW + timedelta(hours=47, minutes=59), tick=False):
        assert not Referral.objects.get(pk=referral.pk).is_overdue
        assert list(Referral.objects.overdue()) == []
    with time_machine.travel(NOW + timedelta(hours=48, minutes=1), tick=False):
        assert Referral.objects.get(pk=referral.pk).is_overdue
        assert not Referral.objects.get(pk=answered.pk).is_overdue
        assert list(Referral.objects.overdue()) == [referral]


def test_response_time_follows_the_setting(world: World, settings: object) -> None:
    NOW = _soon()
    settings.HIMAYA_REFERRAL_RESPONSE_HOURS = 24  # type: ignore[attr-defined]
    with time_machine.travel(NOW, tick=False):
        referral = create(world)
    assert referral.respond_by == NOW + timedelta(hours=24)
    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        assert Referral.objects.get(pk=referral.pk).is_overdue


# --- sharing -------------------------------------------------------------------------------


def test_partner_reads_exactly_the_shared_fields_and_the_read_is_audited(world: World) -> None:
    referral = create(world, shared_fields=["first_name", "phone"])
    audit_before = AuditEvent.objects.count()

    with translation.override("en"):
        shared = actions.read_shared_fields(referral=referral, by=world.partner_staff)

    assert shared == [
        ("first_name", "First name", "فاطمة"),
        ("phone", "Phone", "+20 100 555 0101"),
    ]
    assert AuditEvent.objects.count() == audit_before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert event.action == "referral.shared_fields_viewed"
    assert event.purpose == "referral"
    assert event.actor == world.partner_staff
    assert event.details == {"case": world.case.code, "fields": ["first_name", "phone"]}
    flat = json.dumps(
        [event.details, event.object_code, event.object_type, event.purpose], ensure_ascii=False
    )
    assert "فاطمة" not in flat
    assert "555" not in flat


def test_withdrawal_of_consent_stops_later_sharing(world: World) -> None:
    referral = create(world)
    assert actions.read_shared_fields(referral=referral, by=world.partner_staff) is not None
    consent = Consent.objects.get(survivor=world.case.survivor, purpose="referral")
    consent.withdrawn_on = timezone.localdate()
    consent.save()
    audit_before = AuditEvent.objects.count()

    assert actions.read_shared_fields(referral=referral, by=world.partner_staff) is None
    assert actions.consent_withdrawn(referral)
    assert AuditEvent.objects.count() == audit_before


def test_nothing_is_shared_once_the_referral_is_completed(world: World) -> None:
    referral = _referral_in(Status.COMPLETED, world)
    assert actions.read_shared_fields(referral=referral, by=world.partner_staff) is None


def test_the_sender_side_gets_no_shared_values_through_the_partner_read(world: World) -> None:
    referral = create(world)
    assert actions.read_shared_fields(referral=referral, by=world.case_worker) is None
