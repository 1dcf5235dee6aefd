"""Writes of the shelters app: admission, transfer, discharge, shelter details, occupancy.

Who may admit: a case worker or supervisor of the case's lead agency (``cases.work_cases``
with the case in scope), into any shelter; or the staff of the target shelter
(``shelters.manage_stays`` in the agency that runs it) for a case referred to that agency
by a referral still open. Transfer (to any shelter with a free eligible bed, after a call
to its duty officer) and discharge: the staff of the shelter the person is in, or the
lead agency's case workers and supervisors. The rules live in ``selectors`` (``may_admit``,
``may_move``) so that pages, API and actions ask the same question.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any, NoReturn

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.audit.actions import record_event, record_reading
from himaya.cases.models import Case
from himaya.core.codes import is_valid_code
from himaya.core.errors import Conflict, Forbidden, Invalid, NotFound
from himaya.core.locking import save_with_version
from himaya.referrals.rules import first_name
from himaya.shelters import rules
from himaya.shelters.models import (
    TRANSITIONS,
    Bed,
    BedKind,
    DailyOccupancy,
    Destination,
    Shelter,
    Stay,
    StayStatus,
    Unit,
)
from himaya.shelters.selectors import (
    case_for_admission,
    case_not_found_message,
    count_occupancy,
    eligible_units,
    get_stay_or_404,
    may_admit,
    may_manage_shelter,
    may_move,
    residents,
    stay_not_found_message,
)
from himaya.survivors.rules import age_on
from himaya.survivors.selectors import assessed_adult
from himaya.timeline.actions import record_on_case
from himaya.timeline.models import EventKind


class ShelterError(Conflict):
    """The state of the shelter, the bed or the stay refuses the operation (409)."""


class NoBedError(ShelterError):
    """No eligible bed is free for the person (and the accompanying children)."""


class ShelterInvalid(Invalid):
    """The input breaks a rule of the shelters app (400)."""


class ShelterForbidden(Forbidden):
    """The user may see the record but not do this to it (403)."""


@transaction.atomic
def record_refusal(
    *,
    by: User,
    operation: str,
    reason: str,
    case_code: str = "",
    stay_code: str = "",
    shelter_code: str = "",
) -> None:
    """Write the audit row of a refused attempt, and nothing else.

    The row is the same whether the record asked for is missing or out of scope. A code
    is kept only when it has the shape of a public code, so free text typed into a
    code field never reaches the trail.
    """
    case = case_code.strip().upper()
    stay = stay_code.strip().upper()
    target = shelter_code.strip().upper()
    details: dict[str, str] = {"operation": operation, "reason": reason}
    if target and is_valid_code(target, Shelter.CODE_PREFIX):
        details["shelter"] = target
    if stay:
        object_type, object_code, prefix = "shelters.stay", stay, Stay.CODE_PREFIX
    else:
        object_type, object_code, prefix = "cases.case", case, Case.CODE_PREFIX
    record_event(
        action="shelters.refused",
        actor=by,
        object_type=object_type,
        object_code=object_code if is_valid_code(object_code, prefix) else "",
        details=details,
    )


def refuse_access(
    *,
    by: User,
    operation: str,
    missing: bool,
    message: str,
    case_code: str = "",
    stay_code: str = "",
    shelter_code: str = "",
) -> NoReturn:
    """Write the audit row of the refused attempt, then refuse: 404 for a record missing
    or out of scope (the same answer), 403 for an operation not permitted. Pages and API
    answer alike."""
    record_refusal(
        by=by,
        operation=operation,
        reason="not_found" if missing else "not_permitted",
        case_code=case_code,
        stay_code=stay_code,
        shelter_code=shelter_code,
    )
    raise (NotFound if missing else Forbidden)(message)


def require_or_refuse(by: User, operation: str, *capabilities: str, **codes: str) -> None:
    """Refuse (audited, 403) unless the user holds one of the capabilities."""
    if not any(by.has_perm(name) for name in capabilities):
        refuse_access(
            by=by,
            operation=operation,
            missing=False,
            message=_("Your role does not allow this."),
            **codes,
        )


def case_in_scope_or_refuse(by: User, operation: str, code: str, shelter_code: str = "") -> Case:
    """The case through the one door of this app (``selectors.cases_admittable_by``); a
    case missing or out of scope is refused alike, audited, with 404."""
    case = case_for_admission(by, code)
    if case is None:
        refuse_access(
            by=by,
            operation=operation,
            missing=True,
            message=case_not_found_message(),
            case_code=code,
            shelter_code=shelter_code,
        )
    return case


def stay_in_scope_or_refuse(by: User, operation: str, code: str) -> Stay:
    """The stay if the user may see it; otherwise refused alike, audited, with 404."""
    try:
        return get_stay_or_404(by, code)
    except Http404:
        refuse_access(
            by=by,
            operation=operation,
            missing=True,
            message=stay_not_found_message(),
            stay_code=code,
        )


def _lock_beds(shelter: Shelter) -> None:
    """Lock every bed row of the shelter (PostgreSQL) so admissions into it serialise.

    The free-bed count is read by a fresh query after the lock is held, so it sees the
    stays committed by whoever held the lock before. On SQLite the IMMEDIATE transaction
    already serialises writers.
    """
    list(
        Bed.objects.select_for_update(no_key=True)
        .filter(unit__shelter=shelter)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _free_beds(unit: Unit) -> tuple[list[Bed], list[Bed]]:
    free = list(
        Bed.objects.filter(unit=unit, is_active=True)
        .exclude(stays__status=StayStatus.OPEN)
        .order_by("label")
    )
    return (
        [bed for bed in free if bed.kind == BedKind.BED],
        [bed for bed in free if bed.kind == BedKind.COT],
    )


def _choose_unit(
    shelter: Shelter, need: rules.Need, unit: Unit | None
) -> tuple[Unit, list[Bed], list[Bed]]:
    # Mother-and-child units are kept for those who need them: a person without children
    # goes first to the other units of the shelter.
    keep_for_mothers = (
        "-accepts_mothers_with_children"
        if need.with_children
        else ("accepts_mothers_with_children")
    )
    candidates = eligible_units(need).filter(shelter=shelter).order_by(keep_for_mothers, "label")
    if unit is not None:
        candidates = candidates.filter(pk=unit.pk)
    for candidate in candidates:
        beds, cots = _free_beds(candidate)
        plan = rules.allocation(need, len(beds), len(cots))
        if plan is not None:
            return candidate, beds[: plan.beds], cots[: plan.cots]
    raise NoBedError(
        _(
            "No eligible bed is free in %(shelter)s for this person tonight. "
            "Search the other shelters for a free bed."
        )
        % {"shelter": shelter.name}
    )


def _open_stay(
    *,
    case: Case,
    shelter: Shelter,
    need: rules.Need,
    unit: Unit | None,
    by: User,
    planned_nights: int,
    children_birth_years: Sequence[int],
    admitted_on: date,
    transferred_from: Stay | None = None,
    note: str = "",
) -> Stay:
    """Book the beds and create the survivor's stay and the children's stays."""
    chosen, beds, cots = _choose_unit(shelter, need, unit)
    places = list(beds)
    survivor_bed = places.pop(0)
    # Infants first into cots, then everyone else into the remaining beds.
    ages = sorted(_child_age(year, admitted_on) for year in children_birth_years)
    child_places: list[Bed] = []
    cot_iter = iter(cots)
    for age in ages:
        bed = next(cot_iter, None) if age <= rules.INFANT_MAX_AGE else None
        child_places.append(bed if bed is not None else places.pop(0))
    try:
        with transaction.atomic():
            stay = Stay.objects.create(
                case=case,
                survivor=case.survivor,
                bed=survivor_bed,
                shelter=shelter,
                admitted_on=admitted_on,
                planned_nights=planned_nights,
                admitted_by=by,
                transferred_from=transferred_from,
                note=note,
            )
            for bed, age in zip(child_places, ages, strict=True):
                Stay.objects.create(
                    case=case,
                    companion_of=stay,
                    companion_birth_year=admitted_on.year - age,
                    bed=bed,
                    shelter=shelter,
                    admitted_on=admitted_on,
                    planned_nights=planned_nights,
                    admitted_by=by,
                )
    except IntegrityError as exc:
        raise ShelterError(
            _("This person or this bed is already taken by an open stay. Reload and try again.")
        ) from exc
    del chosen
    return stay


@transaction.atomic
def admit_to_shelter(
    *,
    case: Case,
    shelter: Shelter,
    by: User,
    planned_nights: int = 30,
    children_birth_years: Sequence[int] = (),
    unit: Unit | None = None,
    wheelchair: bool | None = None,
    language: str = "",
    security_level: int = 1,
    admitted_on: date | None = None,
) -> Stay:
    """Admit the case's survivor (and accompanying children) into free eligible beds."""
    if not may_admit(by, case=case, shelter=shelter):
        raise ShelterForbidden(_("You may not admit this person into this shelter."))
    if case.is_closed:
        raise ShelterError(_("The case is closed: reopen it before admitting the person."))
    if not shelter.is_active:
        raise ShelterError(_("This shelter is not receiving anyone."))
    if planned_nights < 1:
        raise ShelterInvalid(_("The planned length must be at least one night."))
    day = admitted_on or timezone.localdate()
    _lock_beds(shelter)
    if Stay.objects.filter(survivor=case.survivor, status=StayStatus.OPEN).exists():
        raise ShelterError(
            _("This person is already in a shelter: transfer or discharge the current stay.")
        )
    need = _need(case, children_birth_years, wheelchair, language, security_level, day)
    stay = _open_stay(
        case=case,
        shelter=shelter,
        need=need,
        unit=unit,
        by=by,
        planned_nights=planned_nights,
        children_birth_years=children_birth_years,
        admitted_on=day,
    )
    record_on_case(
        case=case,
        kind=EventKind.SHELTER_ADMITTED,
        by=by,
        summary=lambda: (
            _("Admitted to %(shelter)s for %(nights)s nights planned")
            % {"shelter": shelter.name, "nights": planned_nights}
        ),
        obj=stay,
        action="shelters.admitted",
        details={"case": case.code, "shelter": shelter.code, "children": len(children_birth_years)},
    )
    return stay


def _need(
    case: Case,
    children_birth_years: Sequence[int],
    wheelchair: bool | None,
    language: str,
    security_level: int,
    day: date,
) -> rules.Need:
    survivor = case.survivor
    return rules.Need(
        sex=survivor.sex,
        age=age_on(survivor.birth_year, on=day),
        assessed_adult=assessed_adult(survivor, on=day),
        children_ages=tuple(_child_age(year, day) for year in children_birth_years),
        wheelchair=survivor.has_disability if wheelchair is None else wheelchair,
        language=language,
        security_level=security_level,
    )


def _child_age(birth_year: int, day: date) -> int:
    """An accompanying child's age; a year of birth still to come counts as a newborn."""
    return age_on(birth_year, on=day) or 0


def _end(stay: Stay, *, status: str, destination: str, by: User, day: date, version: int) -> None:
    if status not in TRANSITIONS[stay.status]:
        raise ShelterError(_("This stay has already ended."))
    stay.status = status
    stay.ended_on = day
    stay.ended_by = by
    stay.destination = destination
    stay.nights = rules.nights_between(stay.admitted_on, day)
    save_with_version(
        stay,
        expected_version=version,
        fields=["status", "ended_on", "ended_by", "destination", "nights"],
    )
    for companion in Stay.objects.filter(companion_of=stay, status=StayStatus.OPEN):
        companion.status = status
        companion.ended_on = day
        companion.ended_by = by
        companion.destination = destination
        companion.nights = rules.nights_between(companion.admitted_on, day)
        save_with_version(
            companion,
            expected_version=companion.version,
            fields=["status", "ended_on", "ended_by", "destination", "nights"],
        )


@transaction.atomic
def transfer_stay(
    *,
    stay: Stay,
    shelter: Shelter,
    by: User,
    expected_version: int,
    unit: Unit | None = None,
    planned_nights: int | None = None,
    language: str = "",
    security_level: int = 1,
    note: str = "",
) -> Stay:
    """End the stay and open the next one in another shelter (or unit), both or neither."""
    if not may_move(by, stay=stay):
        raise ShelterForbidden(_("You may not transfer this person to this shelter."))
    if stay.status != StayStatus.OPEN:
        raise ShelterError(_("This stay has already ended."))
    day = timezone.localdate()
    _lock_beds(shelter)
    companions = list(
        Stay.objects.filter(companion_of=stay, status=StayStatus.OPEN).values_list(
            "companion_birth_year", flat=True
        )
    )
    children = [year for year in companions if year is not None]
    _end(
        stay,
        status=StayStatus.TRANSFERRED,
        destination=Destination.TRANSFER,
        by=by,
        day=day,
        version=expected_version,
    )
    need = _need(stay.case, children, None, language, security_level, day)
    new_stay = _open_stay(
        case=stay.case,
        shelter=shelter,
        need=need,
        unit=unit,
        by=by,
        planned_nights=planned_nights or stay.planned_nights,
        children_birth_years=children,
        admitted_on=day,
        transferred_from=stay,
        note=note,
    )
    record_on_case(
        case=stay.case,
        kind=EventKind.SHELTER_TRANSFERRED,
        by=by,
        summary=lambda: (
            _("Transferred from %(origin)s to %(shelter)s")
            % {"origin": stay.shelter.name, "shelter": shelter.name}
        ),
        obj=new_stay,
        action="shelters.transferred",
        details={"from": stay.code, "from_shelter": stay.shelter.code, "to_shelter": shelter.code},
    )
    return new_stay


DISCHARGE_DESTINATIONS = [
    Destination.FAMILY,
    Destination.INDEPENDENT,
    Destination.REPATRIATION,
    Destination.OTHER_SERVICE,
]


@transaction.atomic
def discharge_stay(
    *,
    stay: Stay,
    destination: str,
    by: User,
    expected_version: int,
    note: str = "",
) -> Stay:
    """End the stay with the person's destination; the accompanying children leave too."""
    if not may_move(by, stay=stay):
        raise ShelterForbidden(_("You may not discharge this person."))
    if destination not in DISCHARGE_DESTINATIONS:
        raise ShelterInvalid(
            _("Choose where the person goes after the shelter."), field="destination"
        )
    if stay.survivor_id is None:
        raise ShelterInvalid(_("A child leaves with the stay they accompany."))
    _end(
        stay,
        status=StayStatus.DISCHARGED,
        destination=destination,
        by=by,
        day=timezone.localdate(),
        version=expected_version,
    )
    if note:
        Stay.objects.filter(pk=stay.pk).update(note=note[:300])
    record_on_case(
        case=stay.case,
        kind=EventKind.SHELTER_DISCHARGED,
        by=by,
        summary=lambda: (
            _("Left %(shelter)s after %(nights)s nights: %(destination)s")
            % {
                "shelter": stay.shelter.name,
                "nights": stay.nights,
                "destination": Destination(destination).label,
            }
        ),
        obj=stay,
        action="shelters.discharged",
        details={"shelter": stay.shelter.code, "destination": destination},
    )
    return stay


@transaction.atomic
def update_shelter(
    *,
    shelter: Shelter,
    by: User,
    expected_version: int,
    duty_phone: str,
    address: str,
) -> Shelter:
    """Change the duty officer phone and the address (the shelter's own staff only)."""
    if not may_manage_shelter(by, shelter):
        raise ShelterForbidden(_("Only the shelter's own staff may change its details."))
    shelter.duty_phone = duty_phone.strip()
    shelter.address = address.strip()
    save_with_version(shelter, expected_version=expected_version, fields=["duty_phone", "address"])
    record_event(action="shelters.updated", actor=by, obj=shelter)
    return shelter


def read_residents(*, shelter: Shelter, by: User) -> list[dict[str, object]]:
    """The survivors in the shelter tonight, by code and first name, for its own staff;
    the reading of their first names is audited."""
    if not may_manage_shelter(by, shelter):
        raise ShelterForbidden(_("Only the shelter's own staff see who lives in it."))
    stays = [stay for stay in residents(shelter) if stay.survivor is not None]
    if stays:
        record_reading(
            action="survivors.first_names_read",
            actor=by,
            obj=shelter,
            purpose="shelter residents list",
            details={"survivors": [stay.survivor.code for stay in stays if stay.survivor]},
        )
    return [
        {"stay": stay, "first_name": first_name(stay.survivor.name_ar)}
        for stay in stays
        if stay.survivor is not None
    ]


@transaction.atomic
def record_occupancy(*, night: date) -> int:
    """Write the occupancy of every shelter and unit for one night (idempotent).

    The rows of that night are replaced by fresh counts; returns how many were written.
    """
    unit_rows = count_occupancy(night)
    DailyOccupancy.objects.filter(on=night).delete()
    totals: dict[int, dict[str, int]] = {}
    records = []
    for row in unit_rows:
        records.append(
            DailyOccupancy(
                on=night,
                shelter_id=row["shelter_id"],
                unit_id=row["unit_id"],
                beds=row["beds"],
                occupied=row["occupied"],
                survivors=row["survivors"],
                children=row["children"],
            )
        )
        total = totals.setdefault(
            row["shelter_id"], {"beds": 0, "occupied": 0, "survivors": 0, "children": 0}
        )
        for key in total:
            total[key] += row[key]
    for shelter_id in Shelter.objects.values_list("pk", flat=True):
        total = totals.get(shelter_id, {"beds": 0, "occupied": 0, "survivors": 0, "children": 0})
        records.append(DailyOccupancy(on=night, shelter_id=shelter_id, unit=None, **total))
    DailyOccupancy.objects.bulk_create(records)
    return len(records)


# --- capacity: units and beds, managed by the shelter's own staff --------------------------

UNIT_FIELDS = [
    "label",
    "sex",
    "accepts_children",
    "accepts_adolescents",
    "accepts_adults",
    "accepts_mothers_with_children",
    "wheelchair_accessible",
    "languages",
    "security_level",
]

MAX_BEDS_AT_ONCE = 20


def _require_staff(user: User, shelter: Shelter) -> None:
    if not may_manage_shelter(user, shelter):
        raise ShelterForbidden(_("Only the shelter's own staff may change its units and beds."))


def _apply_eligibility(unit: Unit, eligibility: dict[str, Any]) -> None:
    unknown = set(eligibility) - set(UNIT_FIELDS)
    if unknown:
        raise ValueError(f"not unit fields: {sorted(unknown)}")
    for name, value in eligibility.items():
        setattr(unit, name, value)
    unit.label = unit.label.strip()
    unit.languages = rules.normalise_languages(unit.languages)
    if not unit.label:
        raise ShelterInvalid(_("Give the unit a name."), field="label")
    if not (unit.accepts_children or unit.accepts_adolescents or unit.accepts_adults):
        raise ShelterInvalid(_("A unit receives at least one age group."))
    if not unit.languages:
        raise ShelterInvalid(
            _("Give at least one language spoken by the staff of the unit."), field="languages"
        )


def _label_taken(unit: Unit) -> bool:
    return (
        Unit.objects.filter(shelter_id=unit.shelter_id, label=unit.label)
        .exclude(pk=unit.pk)
        .exists()
    )


@transaction.atomic
def add_unit(
    *,
    shelter: Shelter,
    by: User,
    eligibility: dict[str, Any],
) -> Unit:
    """Add a room (or wing) with its eligibility to the shelter (its own staff only)."""
    _require_staff(by, shelter)
    unit = Unit(shelter=shelter)
    _apply_eligibility(unit, eligibility)
    if _label_taken(unit):
        raise ShelterError(_("This shelter already has a unit with this name."))
    unit.save()
    record_event(
        action="shelters.unit_added",
        actor=by,
        obj=shelter,
        details={"unit": unit.pk, "label": unit.label},
    )
    return unit


@transaction.atomic
def update_unit(
    *,
    unit: Unit,
    by: User,
    expected_version: int,
    eligibility: dict[str, Any],
) -> Unit:
    """Change a unit's name and eligibility; a stale edit is refused and changes nothing."""
    _require_staff(by, unit.shelter)
    before = {name: getattr(unit, name) for name in UNIT_FIELDS}
    _apply_eligibility(unit, eligibility)
    if _label_taken(unit):
        raise ShelterError(_("This shelter already has a unit with this name."))
    save_with_version(unit, expected_version=expected_version, fields=UNIT_FIELDS)
    changed = sorted(name for name in UNIT_FIELDS if getattr(unit, name) != before[name])
    record_event(
        action="shelters.unit_updated",
        actor=by,
        obj=unit.shelter,
        details={"unit": unit.pk, "changed": changed},
    )
    return unit


@transaction.atomic
def add_beds(
    *,
    unit: Unit,
    by: User,
    beds: int = 0,
    cots: int = 0,
) -> list[Bed]:
    """Add beds and cots (for infants) to a unit, named after the ones it already has."""
    _require_staff(by, unit.shelter)
    if beds < 0 or cots < 0 or beds + cots < 1:
        raise ShelterInvalid(_("Add at least one bed or cot."))
    if beds + cots > MAX_BEDS_AT_ONCE:
        raise ShelterInvalid(
            _("Add at most %(count)s beds and cots at a time.") % {"count": MAX_BEDS_AT_ONCE}
        )
    _lock_beds(unit.shelter)
    taken = set(Bed.objects.filter(unit=unit).values_list("label", flat=True))
    created: list[Bed] = []
    for kind, count in ((BedKind.BED, beds), (BedKind.COT, cots)):
        for label in rules.next_bed_labels(taken, "B" if kind == BedKind.BED else "C", count):
            taken.add(label)
            created.append(Bed(unit=unit, label=label, kind=kind))
    Bed.objects.bulk_create(created)
    record_event(
        action="shelters.beds_added",
        actor=by,
        obj=unit.shelter,
        details={"unit": unit.pk, "beds": beds, "cots": cots},
    )
    return created


@transaction.atomic
def set_bed_in_service(
    *,
    bed: Bed,
    by: User,
    in_service: bool,
) -> Bed:
    """Take a bed out of service or back into service; never while it holds an open stay."""
    shelter = bed.unit.shelter
    _require_staff(by, shelter)
    # The same lock as admissions: nobody is admitted into the bed while we decide.
    _lock_beds(shelter)
    if not in_service and Stay.objects.filter(bed=bed, status=StayStatus.OPEN).exists():
        raise ShelterError(
            _(
                "Bed %(bed)s holds a person tonight: transfer or discharge the stay "
                "before taking the bed out of service."
            )
            % {"bed": bed.label}
        )
    Bed.objects.filter(pk=bed.pk).update(is_active=in_service)
    bed.is_active = in_service
    record_event(
        action="shelters.bed_in_service" if in_service else "shelters.bed_out_of_service",
        actor=by,
        obj=shelter,
        details={"unit": bed.unit_id, "bed": bed.label},
    )
    return bed
