from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from himaya.audit.models import AuditEvent
from himaya.core import crypto
from himaya.core.locking import ConcurrentEditError
from himaya.justice import actions
from himaya.justice.actions import JusticeError, JusticeForbidden
from himaya.justice.models import ChargeAgainstSurvivor, CriminalProceeding
from himaya.justice.tests.conftest import World, charge_details, details, snapshot
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db


def test_recording_a_proceeding_writes_a_timeline_line_and_an_audit_row_without_references(
    world: World,
) -> None:
    proceeding = actions.record_proceeding(case=world.case, details=details(), by=world.case_worker)
    assert proceeding.status == "reported"
    assert proceeding.outcome == "pending"
    line = CaseEvent.objects.get(case=world.case, kind="justice.proceeding_recorded")
    assert line.object_code == proceeding.code
    event = AuditEvent.objects.get(action="justice.proceeding_recorded")
    assert event.object_code == proceeding.code
    assert event.purpose == "legal"
    assert "1234" not in str(event.details)
    assert "1234" not in line.summary + line.summary_en


def test_the_references_are_stored_encrypted(world: World) -> None:
    proceeding = actions.record_proceeding(case=world.case, details=details(), by=world.case_worker)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT police_report_ref, prosecution_ref FROM justice_criminalproceeding "
            "WHERE id = %s",
            [proceeding.pk],
        )
        police, prosecution = cursor.fetchone()
    # Stored as ciphertext (ASCII: no Arabic word of the reference can appear in it, while
    # a short number could by chance), which decrypts to the reference typed.
    for stored, typed in (
        (police, "محضر 1234 لسنة 2026"),
        (prosecution, "قضية 99 لسنة 2026"),
    ):
        assert stored.isascii() and "لسنة" not in stored and stored != typed
        assert crypto.decrypt(stored) == typed
    assert CriminalProceeding.objects.get(pk=proceeding.pk).police_report_ref == (
        "محضر 1234 لسنة 2026"
    )


@pytest.mark.parametrize(
    ("path", "outcome"),
    [
        (["under_investigation", "prosecuted", "tried", "closed"], "conviction"),
        (["closed"], "withdrawn"),
        (["under_investigation", "closed"], "dismissed"),
    ],
    ids=["full-track", "withdrawn-at-once", "dismissed-in-investigation"],
)
def test_a_proceeding_moves_along_its_track_to_its_outcome(
    world: World, proceeding: CriminalProceeding, path: list[str], outcome: str
) -> None:
    for target in path:
        proceeding = actions.move_proceeding(
            proceeding=proceeding,
            to=target,
            outcome=outcome if target == "closed" else "pending",
            expected_version=proceeding.version,
            by=world.supervisor,
        )
    stored = CriminalProceeding.objects.get(pk=proceeding.pk)
    assert (stored.status, stored.outcome) == ("closed", outcome)
    assert CaseEvent.objects.filter(kind="justice.proceeding_moved").count() == len(path)


@pytest.mark.parametrize(
    ("target", "outcome", "field"),
    [
        ("tried", "pending", "to"),
        ("prosecuted", "pending", "to"),
        ("reported", "pending", "to"),
        ("closed", "pending", "outcome"),
        ("nowhere", "pending", "to"),
        ("closed", "maybe", "outcome"),
    ],
    ids=[
        "skip-to-tried",
        "skip-to-prosecuted",
        "stay",
        "close-without-outcome",
        "unknown",
        "bad-outcome",
    ],
)
def test_a_refused_move_changes_nothing(
    world: World, proceeding: CriminalProceeding, target: str, outcome: str, field: str
) -> None:
    before = snapshot()
    with pytest.raises(JusticeError) as refused:
        actions.move_proceeding(
            proceeding=proceeding,
            to=target,
            outcome=outcome,
            expected_version=proceeding.version,
            by=world.case_worker,
        )
    assert refused.value.field == field
    assert snapshot() == before


def test_a_closed_proceeding_stays_closed_and_takes_no_hearing(
    world: World, proceeding: CriminalProceeding
) -> None:
    proceeding = actions.move_proceeding(
        proceeding=proceeding,
        to="closed",
        outcome="dismissed",
        expected_version=1,
        by=world.case_worker,
    )
    before = snapshot()
    with pytest.raises(JusticeError):
        actions.move_proceeding(
            proceeding=proceeding,
            to="under_investigation",
            outcome="pending",
            expected_version=proceeding.version,
            by=world.case_worker,
        )
    with pytest.raises(JusticeError):
        actions.record_hearing(
            proceeding=proceeding, held_on=date(2026, 3, 1), purpose="جلسة", by=world.case_worker
        )
    assert snapshot() == before


def test_a_stale_version_is_refused(world: World, proceeding: CriminalProceeding) -> None:
    before = snapshot()
    with pytest.raises(ConcurrentEditError):
        actions.move_proceeding(
            proceeding=proceeding,
            to="under_investigation",
            outcome="pending",
            expected_version=proceeding.version + 1,
            by=world.case_worker,
        )
    with pytest.raises(ConcurrentEditError):
        actions.update_proceeding(
            proceeding=proceeding,
            details=details(court="محكمة أخرى"),
            expected_version=proceeding.version + 1,
            by=world.case_worker,
        )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"compensation_claimed": Decimal("-1.00"), "claimed_on": date(2026, 3, 1)},
            "compensation_claimed",
        ),
        (
            {"compensation_received": Decimal("-0.01"), "received_on": date(2026, 3, 1)},
            "compensation_received",
        ),
        ({"compensation_claimed": Decimal("100.00")}, "claimed_on"),
        ({"received_on": date(2026, 3, 1)}, "compensation_received"),
        (
            {"compensation_claimed": Decimal("1.005"), "claimed_on": date(2026, 3, 1)},
            "compensation_claimed",
        ),
        ({"offences": []}, "offences"),
        ({"offences": ["murder"]}, "offences"),
        ({"survivor_role": "judge"}, "survivor_role"),
        ({"protection_measures": ["other"]}, "protection_other"),
        ({"reported_on": date(1999, 1, 1)}, "reported_on"),
        ({"court": "x" * 201}, "court"),
    ],
    ids=[
        "negative-claim",
        "negative-receipt",
        "claim-without-date",
        "date-without-receipt",
        "three-decimals",
        "no-offence",
        "unknown-offence",
        "unknown-role",
        "other-measure-unnamed",
        "implausible-date",
        "court-too-long",
    ],
)
def test_bad_details_are_refused_on_their_field(
    world: World, changes: dict[str, object], field: str
) -> None:
    before = snapshot()
    with pytest.raises(JusticeError) as refused:
        actions.record_proceeding(case=world.case, details=details(**changes), by=world.case_worker)
    assert refused.value.field == field
    assert snapshot() == before


def test_a_court_may_award_more_than_was_claimed(world: World) -> None:
    proceeding = actions.record_proceeding(
        case=world.case,
        details=details(
            compensation_claimed=Decimal("1000.00"),
            claimed_on=date(2026, 2, 1),
            compensation_received=Decimal("5000.00"),
            received_on=date(2026, 3, 1),
        ),
        by=world.case_worker,
    )
    assert proceeding.compensation_received == Decimal("5000.00")


def test_a_hearing_is_recorded_with_the_proceedings_court_by_default(
    world: World, proceeding: CriminalProceeding
) -> None:
    hearing = actions.record_hearing(
        proceeding=proceeding,
        held_on=date(2026, 3, 10),
        purpose="سماع الشهود",
        survivor_attended=True,
        support_provided="مرافقة محامية",
        by=world.case_worker,
    )
    assert hearing.court == "محكمة جنايات القاهرة"
    assert CaseEvent.objects.filter(
        kind="justice.hearing_recorded", object_code=hearing.code
    ).exists()


def test_a_charge_is_dropped_after_a_request(world: World, charge: ChargeAgainstSurvivor) -> None:
    charge = actions.update_charge(
        charge=charge,
        details=charge_details(
            drop_requested_on=date(2026, 3, 1),
            drop_requested_to="النيابة العامة",
            result="dropped",
            result_on=date(2026, 3, 20),
        ),
        expected_version=charge.version,
        by=world.case_worker,
    )
    stored = ChargeAgainstSurvivor.objects.get(pk=charge.pk)
    assert (stored.result, stored.result_on, stored.version) == ("dropped", date(2026, 3, 20), 2)
    assert AuditEvent.objects.filter(action="justice.charge_updated").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"justification": ""}, "justification"),
        ({"charge": "other"}, "charge_other"),
        ({"authority": " "}, "authority"),
        ({"result": "dropped"}, "result_on"),
        ({"drop_requested_on": date(2026, 3, 1)}, "drop_requested_to"),
        ({"drop_requested_to": "النيابة"}, "drop_requested_on"),
        ({"charge": "jaywalking"}, "charge"),
    ],
    ids=[
        "no-justification",
        "other-unnamed",
        "no-authority",
        "result-without-date",
        "request-without-recipient",
        "request-without-date",
        "unknown-charge",
    ],
)
def test_bad_charges_are_refused_on_their_field(
    world: World, changes: dict[str, object], field: str
) -> None:
    before = snapshot()
    with pytest.raises(JusticeError) as refused:
        actions.record_charge(
            case=world.case, details=charge_details(**changes), by=world.case_worker
        )
    assert refused.value.field == field
    assert snapshot() == before


@pytest.mark.parametrize(
    "who",
    ["outsider", "police_officer", "embassy_staff"],
    ids=["other-agency", "police", "embassy"],
)
def test_nobody_outside_the_team_writes_the_justice_record(
    world: World,
    proceeding: CriminalProceeding,
    charge: ChargeAgainstSurvivor,
    share_with,
    who: str,
) -> None:
    share_with(world, world.police)
    user = getattr(world, who)
    before = snapshot()
    with pytest.raises(JusticeForbidden):
        actions.record_proceeding(case=world.case, details=details(), by=user)
    with pytest.raises(JusticeForbidden):
        actions.move_proceeding(
            proceeding=proceeding,
            to="under_investigation",
            outcome="pending",
            expected_version=proceeding.version,
            by=user,
        )
    with pytest.raises(JusticeForbidden):
        actions.record_hearing(
            proceeding=proceeding, held_on=date(2026, 3, 1), purpose="جلسة", by=user
        )
    with pytest.raises(JusticeForbidden):
        actions.update_charge(
            charge=charge, details=charge_details(), expected_version=charge.version, by=user
        )
    assert snapshot() == before


def test_reading_the_references_is_audited(world: World, proceeding: CriminalProceeding) -> None:
    references = actions.read_references(proceeding=proceeding, by=world.case_worker)
    assert references == {
        "police_report_ref": "محضر 1234 لسنة 2026",
        "prosecution_ref": "قضية 99 لسنة 2026",
    }
    event = AuditEvent.objects.get(action="justice.references_read")
    assert (event.object_code, event.purpose) == (proceeding.code, "legal")
