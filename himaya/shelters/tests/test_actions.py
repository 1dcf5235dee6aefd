import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import translation

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case, Phase
from himaya.core.locking import ConcurrentEditError
from himaya.shelters import actions
from himaya.shelters.models import Shelter, Stay, StayStatus
from himaya.shelters.tests.factories import (
    CaseFactory,
    make_shelter,
    make_unit,
    refer_to_shelter,
)
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _evening_of_20_november(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to("2026-11-20 20:00 +0200", tick=False)


def test_admission_by_the_lead_case_worker_books_a_bed_and_writes_the_trail(
    case: Case, case_worker: User, shelter: Shelter
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker, planned_nights=45)

    assert stay.status == StayStatus.OPEN
    assert stay.survivor == case.survivor
    assert stay.bed.unit.label == "نساء"
    assert stay.admitted_on == dt.date(2026, 11, 20)
    assert stay.planned_nights == 45
    assert AuditEvent.objects.filter(action="shelters.admitted", object_code=stay.code).count() == 1
    event = CaseEvent.objects.get(case=case, kind="shelter.admitted")
    assert event.object_code == stay.code


def test_admission_by_the_target_shelters_staff_of_a_case_referred_to_them_is_allowed(
    case: Case, shelter: Shelter, shelter_staff: User
) -> None:
    refer_to_shelter(case, shelter)
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=shelter_staff)
    assert stay.shelter == shelter
    assert stay.admitted_by == shelter_staff


@pytest.mark.parametrize("status", ["declined", "completed", "cancelled", None])
def test_the_target_shelters_staff_may_not_admit_a_case_without_an_open_referral(
    status: str | None, case: Case, shelter: Shelter, shelter_staff: User
) -> None:
    if status is not None:
        refer_to_shelter(case, shelter, status=status)
    with pytest.raises(actions.ShelterForbidden):
        actions.admit_to_shelter(case=case, shelter=shelter, by=shelter_staff)
    assert Stay.objects.count() == 0
    assert CaseEvent.objects.filter(kind="shelter.admitted").count() == 0
    assert AuditEvent.objects.filter(action="shelters.admitted").count() == 0


def test_a_referral_to_one_shelter_does_not_open_another_shelter_to_its_staff(
    case: Case, shelter: Shelter, shelter_staff: User
) -> None:
    other = make_shelter("EG-ALX")
    make_unit(other, beds=1)
    refer_to_shelter(case, other)
    with pytest.raises(actions.ShelterForbidden):
        actions.admit_to_shelter(case=case, shelter=shelter, by=shelter_staff)
    assert Stay.objects.count() == 0


def test_staff_of_another_shelter_may_not_admit_and_nothing_changes(
    case: Case, shelter: Shelter, make_persona: object
) -> None:
    other = make_shelter("EG-ALX")
    staff = make_persona(Role.SHELTER_STAFF, other.agency)  # type: ignore[operator]
    refer_to_shelter(case, shelter)
    with pytest.raises(actions.ShelterForbidden):
        actions.admit_to_shelter(case=case, shelter=shelter, by=staff)
    assert Stay.objects.count() == 0
    assert CaseEvent.objects.filter(kind="shelter.admitted").count() == 0


def test_outsider_case_worker_may_not_admit_a_case_of_another_agency(
    case: Case, shelter: Shelter, outsider: User
) -> None:
    with pytest.raises(actions.ShelterForbidden):
        actions.admit_to_shelter(case=case, shelter=shelter, by=outsider)
    assert Stay.objects.count() == 0


def test_a_teenage_mother_and_her_infant_take_a_bed_and_a_cot_in_the_mother_and_child_unit(
    case: Case, case_worker: User, shelter: Shelter
) -> None:
    case.survivor.birth_year = 2010
    case.survivor.save()
    stay = actions.admit_to_shelter(
        case=case, shelter=shelter, by=case_worker, children_birth_years=[2026]
    )
    companion = Stay.objects.get(companion_of=stay)
    assert stay.bed.unit.label == "أمهات وأطفال"
    assert stay.bed.kind == "bed"
    assert companion.bed.kind == "cot"
    assert companion.bed.unit == stay.bed.unit
    assert companion.survivor is None
    assert companion.companion_birth_year == 2026


def test_no_eligible_bed_is_refused_with_a_clear_message_in_arabic(
    case: Case, case_worker: User, shelter: Shelter
) -> None:
    case.survivor.sex = "male"
    case.survivor.save()
    with translation.override("ar"), pytest.raises(actions.NoBedError) as refused:
        actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    assert "لا يوجد سرير" in refused.value.message
    assert "دار القاهرة" in refused.value.message
    assert Stay.objects.count() == 0


def test_no_eligible_bed_message_in_english(
    case: Case, case_worker: User, shelter: Shelter
) -> None:
    case.survivor.sex = "male"
    case.survivor.save()
    with translation.override("en"), pytest.raises(actions.NoBedError) as refused:
        actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    assert refused.value.message.startswith("No eligible bed is free in Cairo Test Shelter")


def test_a_full_unit_refuses_the_next_person(
    case_worker: User, shelter: Shelter, agency_a: object
) -> None:
    first, second, third = (
        CaseFactory(lead_agency=agency_a, case_worker=case_worker) for _ in range(3)
    )
    actions.admit_to_shelter(case=first, shelter=shelter, by=case_worker)
    actions.admit_to_shelter(case=second, shelter=shelter, by=case_worker)
    # The women's unit is full; the mother-and-child unit takes adults too? No: it takes
    # adolescents and mothers; an adult alone is accepted there only as an adult.
    with pytest.raises(actions.NoBedError):
        actions.admit_to_shelter(
            case=third, shelter=shelter, by=case_worker, unit=first.shelter_stays.get().bed.unit
        )
    assert Stay.objects.filter(status="open").count() == 2


def test_a_person_is_never_in_two_beds(case: Case, case_worker: User, shelter: Shelter) -> None:
    actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    other = make_shelter("EG-GZ")
    make_unit(other, beds=1)
    with translation.override("en"), pytest.raises(actions.ShelterError) as refused:
        actions.admit_to_shelter(case=case, shelter=other, by=case_worker)
    assert "already in a shelter" in refused.value.message
    assert Stay.objects.filter(survivor=case.survivor, status="open").count() == 1


def test_the_database_refuses_a_second_open_stay_for_a_survivor(
    case: Case, case_worker: User, shelter: Shelter
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    free_bed = shelter.units.get(label="نساء").beds.exclude(pk=stay.bed_id).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(
            case=case,
            survivor=case.survivor,
            bed=free_bed,
            shelter=shelter,
            admitted_on=dt.date(2026, 11, 20),
            admitted_by=case_worker,
        )


def test_the_database_refuses_two_open_stays_in_one_bed(
    case: Case, case_worker: User, shelter: Shelter, agency_a: object
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    other = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(
            case=other,
            survivor=other.survivor,
            bed=stay.bed,
            shelter=shelter,
            admitted_on=dt.date(2026, 11, 20),
            admitted_by=case_worker,
        )


def test_a_closed_case_is_not_admitted(case: Case, case_worker: User, shelter: Shelter) -> None:
    case.phase = Phase.CLOSED  # the action reads the phase of the case it is given
    with pytest.raises(actions.ShelterError):
        actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    assert Stay.objects.count() == 0


def _second_shelter() -> Shelter:
    other = make_shelter("EG-GZ", name_en="Giza Test Shelter", name_ar="دار الجيزة")
    make_unit(other, label="نساء الجيزة", beds=1)
    return other


def test_transfer_ends_one_stay_and_opens_the_next(
    case: Case, case_worker: User, shelter: Shelter
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    other = _second_shelter()
    with time_machine.travel("2026-11-25 10:00 +0200", tick=False):
        new = actions.transfer_stay(
            stay=stay, shelter=other, by=case_worker, expected_version=stay.version
        )
    stay.refresh_from_db()
    assert stay.status == StayStatus.TRANSFERRED
    assert stay.nights == 5
    assert stay.destination == "transfer"
    assert new.shelter == other
    assert new.transferred_from == stay
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "shelter.transferred",
        "shelter.admitted",
    ]


def test_a_failed_transfer_leaves_the_person_in_the_first_bed(
    case: Case, case_worker: User, shelter: Shelter, monkeypatch: pytest.MonkeyPatch
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    other = _second_shelter()

    def broken(**kwargs: object) -> Stay:
        raise RuntimeError("the new stay could not be written")

    monkeypatch.setattr(actions, "_open_stay", broken)
    with pytest.raises(RuntimeError):
        actions.transfer_stay(
            stay=stay, shelter=other, by=case_worker, expected_version=stay.version
        )

    stay.refresh_from_db()
    assert stay.status == StayStatus.OPEN
    assert stay.ended_on is None
    assert Stay.objects.filter(survivor=case.survivor).count() == 1
    assert CaseEvent.objects.filter(kind="shelter.transferred").count() == 0


def test_transfer_to_a_full_shelter_is_refused_and_nothing_changes(
    case: Case, case_worker: User, shelter: Shelter
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    full = make_shelter("EG-GZ")
    make_unit(full, beds=0)
    with pytest.raises(actions.NoBedError):
        actions.transfer_stay(
            stay=stay, shelter=full, by=case_worker, expected_version=stay.version
        )
    stay.refresh_from_db()
    assert stay.status == StayStatus.OPEN


def test_transfer_moves_the_accompanying_children_too(
    case: Case, case_worker: User, shelter: Shelter
) -> None:
    stay = actions.admit_to_shelter(
        case=case, shelter=shelter, by=case_worker, children_birth_years=[2026]
    )
    other = make_shelter("EG-GZ")
    make_unit(other, beds=1, cots=1, accepts_mothers_with_children=True)
    new = actions.transfer_stay(
        stay=stay, shelter=other, by=case_worker, expected_version=stay.version
    )
    assert Stay.objects.filter(companion_of=new, status="open").count() == 1
    assert Stay.objects.filter(companion_of=stay, status="transferred").count() == 1


def test_discharge_records_destination_nights_and_timeline(
    case: Case, case_worker: User, shelter: Shelter
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    with time_machine.travel("2026-12-02 10:00 +0200", tick=False):
        actions.discharge_stay(
            stay=stay, destination="family", by=case_worker, expected_version=stay.version
        )
    stay.refresh_from_db()
    assert (stay.status, stay.destination, stay.nights) == ("discharged", "family", 12)
    assert stay.ended_on == dt.date(2026, 12, 2)
    assert CaseEvent.objects.filter(case=case, kind="shelter.discharged").count() == 1


def test_a_stale_discharge_is_refused_and_changes_nothing(
    case: Case, case_worker: User, shelter: Shelter
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    with pytest.raises(ConcurrentEditError):
        actions.discharge_stay(
            stay=stay, destination="family", by=case_worker, expected_version=stay.version + 1
        )
    stay.refresh_from_db()
    assert stay.status == StayStatus.OPEN


def test_a_discharged_stay_cannot_end_twice(
    case: Case, case_worker: User, shelter: Shelter
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    actions.discharge_stay(stay=stay, destination="family", by=case_worker, expected_version=1)
    with pytest.raises(actions.ShelterError):
        actions.discharge_stay(stay=stay, destination="family", by=case_worker, expected_version=2)


def test_only_the_shelters_staff_update_its_address(
    shelter: Shelter, shelter_staff: User, case_worker: User
) -> None:
    with pytest.raises(actions.ShelterForbidden):
        actions.update_shelter(
            shelter=shelter, by=case_worker, expected_version=1, duty_phone="1", address="x"
        )
    actions.update_shelter(
        shelter=shelter, by=shelter_staff, expected_version=1, duty_phone="0100", address="جديد"
    )
    shelter.refresh_from_db()
    assert (shelter.duty_phone, shelter.address, shelter.version) == ("0100", "جديد", 2)


def test_the_staff_of_the_shelter_the_person_is_in_discharge_a_resident_admitted_by_the_case_team(
    case: Case, case_worker: User, shelter: Shelter, shelter_staff: User
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    actions.discharge_stay(
        stay=stay, destination="family", by=shelter_staff, expected_version=stay.version
    )
    stay.refresh_from_db()
    assert (stay.status, stay.ended_by) == ("discharged", shelter_staff)


def test_staff_of_another_shelter_may_not_transfer_or_discharge_and_nothing_changes(
    case: Case, case_worker: User, shelter: Shelter, make_persona: object
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    other = _second_shelter()
    staff = make_persona(Role.SHELTER_STAFF, other.agency)  # type: ignore[operator]
    refer_to_shelter(case, other)  # even with a referral to their own shelter
    with pytest.raises(actions.ShelterForbidden):
        actions.transfer_stay(stay=stay, shelter=other, by=staff, expected_version=stay.version)
    with pytest.raises(actions.ShelterForbidden):
        actions.discharge_stay(
            stay=stay, destination="family", by=staff, expected_version=stay.version
        )
    stay.refresh_from_db()
    assert (stay.status, stay.version) == (StayStatus.OPEN, 1)
    assert Stay.objects.count() == 1
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "shelter.admitted"
    ]
