"""Scoped reads of shelters, stays and occupancy, and the live search of free beds.

Every shelter, unit and bed count is visible to the holders of ``shelters.find_bed``;
an address only to the shelter's own staff. Stays are visible to the staff of the
shelter and to the case workers and supervisors of the case's lead agency.

Cases reach this app through one door, ``cases_admittable_by(user)``: the case workers
and supervisors of the case's lead agency, and the staff of a shelter whose agency holds
an open (sent or accepted) referral of the case. Nothing here falls back to all cases.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.agencies.models import Governorate, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.cases.models import Case
from himaya.cases.selectors import cases_visible_to
from himaya.core.typing import AnyUser
from himaya.referrals.models import OPEN_STATUSES as OPEN_REFERRAL_STATUSES
from himaya.referrals.models import Referral
from himaya.referrals.rules import AGE, DISABILITY, SEX
from himaya.referrals.selectors import sharing_allowed
from himaya.shelters import rules
from himaya.shelters.models import (
    Bed,
    BedKind,
    DailyOccupancy,
    GovernorateCentroid,
    Shelter,
    Stay,
    StayStatus,
    Unit,
)
from himaya.survivors.rules import age_on
from himaya.survivors.selectors import assessed_adult

OPEN = StayStatus.OPEN


# --- shelters -----------------------------------------------------------------------------


def staffed_shelter_ids(user: AnyUser) -> set[int]:
    """Shelters run by an agency in which the user is shelter staff."""
    if not user.has_perm("shelters.manage_stays"):
        return set()
    agencies = agency_ids_for(user, Role.SHELTER_STAFF)
    return set(Shelter.objects.filter(agency_id__in=agencies).values_list("pk", flat=True))


def shelters_visible_to(user: AnyUser) -> QuerySet[Shelter]:
    """Active shelters, for those who search beds or run a shelter."""
    if not (user.has_perm("shelters.find_bed") or user.has_perm("shelters.manage_stays")):
        return Shelter.objects.none()
    return Shelter.objects.filter(is_active=True, agency__is_active=True)


def with_bed_counts(shelters: QuerySet[Shelter]) -> QuerySet[Shelter]:
    """Annotate ``beds_in_service`` and ``beds_occupied`` with two subqueries."""
    beds = (
        Bed.objects.filter(unit__shelter=OuterRef("pk"), is_active=True, unit__is_active=True)
        .order_by()
        .values("unit__shelter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    occupied = (
        Stay.objects.filter(shelter=OuterRef("pk"), status=OPEN)
        .order_by()
        .values("shelter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return shelters.annotate(
        beds_in_service=Coalesce(Subquery(beds, output_field=IntegerField()), 0),
        beds_occupied=Coalesce(Subquery(occupied, output_field=IntegerField()), 0),
    ).annotate(beds_free=F("beds_in_service") - F("beds_occupied"))


def shelter_list(user: AnyUser) -> QuerySet[Shelter]:
    return with_bed_counts(
        shelters_visible_to(user).select_related("agency", "governorate")
    ).order_by("governorate__name_en", "agency__name_en")


def get_shelter_or_404(user: AnyUser, code: str) -> Shelter:
    shelter = (
        shelters_visible_to(user).select_related("agency", "governorate").filter(code=code).first()
    )
    if shelter is None:
        raise Http404
    return shelter


def may_manage_shelter(user: AnyUser, shelter: Shelter) -> bool:
    """The shelter's own staff: they alone read its address and its residents, change its
    details, and manage its units and beds. Partner agencies never do."""
    return shelter.pk in staffed_shelter_ids(user)


def units_with_free_beds(shelter: Shelter) -> list[Unit]:
    """Units of the shelter with ``beds_total``, ``free_beds`` and ``free_cots`` (two queries)."""
    units: list[Unit] = list(
        Unit.objects.filter(shelter=shelter)
        .annotate(beds_total=Count("beds", filter=Q(beds__is_active=True)))
        .order_by("label")
    )
    counts = free_counts([u.pk for u in units])
    for unit in units:
        unit.free_beds, unit.free_cots = counts.get(unit.pk, (0, 0))  # type: ignore[attr-defined]
    return units


def units_with_beds(shelter: Shelter) -> list[Unit]:
    """Every unit of the shelter with its beds, each bed marked ``occupied`` (two queries)."""
    occupied = Stay.objects.filter(bed=OuterRef("pk"), status=OPEN)
    beds = Bed.objects.annotate(occupied=Exists(occupied)).order_by("kind", "label")
    return list(
        Unit.objects.filter(shelter=shelter)
        .prefetch_related(Prefetch("beds", queryset=beds))
        .order_by("label")
    )


def get_unit_or_404(shelter: Shelter, pk: int) -> Unit:
    """A unit of this shelter (the caller has scoped the shelter)."""
    unit = Unit.objects.select_related("shelter__agency").filter(shelter=shelter, pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def get_bed_or_404(shelter: Shelter, pk: int) -> Bed:
    """A bed of one of this shelter's units (the caller has scoped the shelter)."""
    bed = (
        Bed.objects.select_related("unit__shelter__agency")
        .filter(unit__shelter=shelter, pk=pk)
        .first()
    )
    if bed is None:
        raise Http404
    return bed


# --- cases: the one door through which a case reaches this app -------------------------


def case_not_found_message() -> str:
    """The answer for a case code that is missing or out of the user's scope (the same)."""
    return _("No case open to you has this code.")


def open_referrals_to_shelters(shelter_ids: set[int]) -> QuerySet[Referral]:
    """Referrals still open (sent or accepted) addressed to the agencies of these shelters."""
    return Referral.objects.filter(
        status__in=OPEN_REFERRAL_STATUSES,
        to_agency_id__in=Shelter.objects.filter(pk__in=shelter_ids).values("agency_id"),
    )


def cases_admittable_by(user: AnyUser) -> QuerySet[Case]:
    """Cases the user may find a bed for, admit, and learn the shelter situation of.

    The case workers and supervisors of the case's lead agency reach their cases; the
    staff of a shelter reach only the cases referred to their shelter's agency by a
    referral still open. Everyone else reaches none.
    """
    condition = Q(pk__in=[])
    if user.has_perm("cases.work_cases"):
        condition |= Q(pk__in=cases_visible_to(user).values("pk"))
    shelters = staffed_shelter_ids(user)
    if shelters:
        condition |= Q(pk__in=open_referrals_to_shelters(shelters).values("case_id"))
    return Case.objects.filter(condition)


def case_for_admission(user: AnyUser, code: str) -> Case | None:
    """The case with this code if it is in the user's scope, else None (missing alike)."""
    if not code:
        return None
    return (
        cases_admittable_by(user)
        .select_related("survivor", "lead_agency")
        .filter(code=code.strip().upper())
        .first()
    )


def works_on_case(user: AnyUser, case: Case) -> bool:
    """A case worker or supervisor of the case's lead agency."""
    return bool(
        user.has_perm("cases.work_cases") and cases_visible_to(user).filter(pk=case.pk).exists()
    )


def referred_shelter_ids(user: AnyUser, case: Case) -> set[int]:
    """The user's shelters whose agency holds an open referral of the case."""
    shelters = staffed_shelter_ids(user)
    if not shelters:
        return set()
    referred = open_referrals_to_shelters(shelters).filter(case=case)
    return set(
        Shelter.objects.filter(
            pk__in=shelters, agency_id__in=referred.values("to_agency_id")
        ).values_list("pk", flat=True)
    )


def shelters_admitting(user: AnyUser, case: Case) -> set[int] | None:
    """Shelters the user may admit the case into: ``None`` for any (the lead agency's team)."""
    if works_on_case(user, case):
        return None
    return referred_shelter_ids(user, case)


def may_admit(user: AnyUser, *, case: Case, shelter: Shelter) -> bool:
    """The lead agency's team into any shelter; a shelter's staff a case referred to it."""
    allowed = shelters_admitting(user, case)
    return allowed is None or shelter.pk in allowed


def admittable_among(user: AnyUser, case: Case, shelter_ids: set[int]) -> set[int]:
    """Which of these shelters the user may admit the case into."""
    allowed = shelters_admitting(user, case)
    return set(shelter_ids) if allowed is None else shelter_ids & allowed


def unit_of(shelter: Shelter, unit_id: int | None) -> Unit | None:
    """The unit of this shelter with this id (``None`` for none, or one of another shelter)."""
    if unit_id is None:
        return None
    return Unit.objects.filter(pk=unit_id, shelter=shelter).first()


def may_move(user: AnyUser, *, stay: Stay) -> bool:
    """Transfer or discharge: the staff of the shelter the person is in, or the case team."""
    return stay.shelter_id in staffed_shelter_ids(user) or works_on_case(user, stay.case)


# What a find-bed form may fill in from the survivor's record, and the referral field
# that has to be shared for a shelter's staff to see it.
PREFILL_FROM_REFERRAL = {"sex": SEX, "age": AGE, "wheelchair": DISABILITY}


def prefill_allowed(user: AnyUser, case: Case) -> set[str]:
    """Which of sex, age and wheelchair the user may see pre-filled for the case.

    The lead agency's team sees all three; a shelter's staff only what an open referral
    to their shelter shares, and only while it may be shown (the referrals app decides:
    the survivor's consent still stands, or a supervisor's override).
    """
    if works_on_case(user, case):
        return set(PREFILL_FROM_REFERRAL)
    shelters = staffed_shelter_ids(user)
    if not shelters:
        return set()
    shared: set[str] = set()
    referrals = (
        open_referrals_to_shelters(shelters)
        .filter(case=case)
        .select_related("case__survivor", "to_agency")
    )
    for referral in referrals:
        if sharing_allowed(referral):
            shared.update(referral.shared_fields or [])
    return {name for name, field in PREFILL_FROM_REFERRAL.items() if field in shared}


# --- stays --------------------------------------------------------------------------------


def stays_visible_to(user: AnyUser) -> QuerySet[Stay]:
    """Stays in the user's shelters, and stays of cases the user works on."""
    condition = Q(pk__in=[])
    shelters = staffed_shelter_ids(user)
    if shelters:
        condition |= Q(shelter_id__in=shelters)
    if user.has_perm("cases.work_cases"):
        condition |= Q(case__in=cases_visible_to(user))
    return Stay.objects.filter(condition)


def stay_not_found_message() -> str:
    """The answer for a stay code that is missing or out of the user's scope (the same)."""
    return _("No stay open to you has this code.")


def get_stay_or_404(user: AnyUser, code: str) -> Stay:
    stay = (
        stays_visible_to(user)
        .select_related("shelter__agency", "shelter__governorate", "bed__unit", "case", "survivor")
        .filter(code=code)
        .first()
    )
    if stay is None:
        raise Http404(stay_not_found_message())
    return stay


def residents(shelter: Shelter) -> QuerySet[Stay]:
    """Survivors in the shelter tonight with their companions counted (caller is scoped)."""
    return (
        Stay.objects.filter(shelter=shelter, status=OPEN, survivor__isnull=False)
        .select_related("survivor", "bed__unit", "case")
        .annotate(children=Count("companions", filter=Q(companions__status=OPEN)))
        .order_by("bed__unit__label", "bed__label")
    )


def current_stay(case: Case) -> Stay | None:
    return (
        Stay.objects.filter(case=case, status=OPEN, survivor__isnull=False)
        .select_related("shelter__agency", "shelter__governorate", "bed__unit")
        .annotate(children=Count("companions", filter=Q(companions__status=OPEN)))
        .first()
    )


def stays_of_case(case: Case) -> QuerySet[Stay]:
    return (
        Stay.objects.filter(case=case, survivor__isnull=False)
        .select_related("shelter__agency", "bed__unit")
        .order_by("-admitted_on", "-id")
    )


# --- availability -------------------------------------------------------------------------


@dataclass
class UnitOption:
    unit: Unit
    free_beds: int
    free_cots: int
    fits: bool


@dataclass
class ShelterOption:
    shelter: Shelter
    distance_km: float | None
    units: list[UnitOption] = field(default_factory=list)

    @property
    def free_beds(self) -> int:
        return sum(option.free_beds for option in self.units if option.fits)

    @property
    def free_cots(self) -> int:
        return sum(option.free_cots for option in self.units if option.fits)


def eligible_units(need: rules.Need) -> QuerySet[Unit]:
    """Active units that accept the need, as a query (mirrors ``rules.refusals``)."""
    units = Unit.objects.filter(
        is_active=True,
        shelter__is_active=True,
        shelter__agency__is_active=True,
        sex__in=sorted(rules.sexes_accepted_for(need.sex)),
        security_level__gte=need.security_level,
    )
    group = need.group
    if group == rules.AgeGroup.CHILD:
        units = units.filter(accepts_children=True)
    elif group == rules.AgeGroup.ADOLESCENT:
        units = units.filter(accepts_adolescents=True)
    elif group == rules.AgeGroup.MINOR:
        units = units.filter(Q(accepts_children=True) | Q(accepts_adolescents=True))
    else:
        units = units.filter(accepts_adults=True)
    if need.with_children:
        units = units.filter(accepts_mothers_with_children=True)
    if need.wheelchair:
        units = units.filter(wheelchair_accessible=True)
    if need.language and rules.is_language_code(need.language):
        units = units.filter(languages__iregex=rf"(^|,)\s*{need.language}\s*(,|$)")
    return units


def free_counts(unit_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Free beds and free cots per unit, in one aggregate query."""
    rows = (
        Bed.objects.filter(unit_id__in=unit_ids, is_active=True)
        .exclude(stays__status=OPEN)
        .order_by()
        .values("unit_id")
        .annotate(
            beds=Count("pk", filter=Q(kind=BedKind.BED)),
            cots=Count("pk", filter=Q(kind=BedKind.COT)),
        )
    )
    return {row["unit_id"]: (row["beds"], row["cots"]) for row in rows}


def centroid_of(governorate: Governorate | None) -> GovernorateCentroid | None:
    if governorate is None:
        return None
    return GovernorateCentroid.objects.filter(governorate=governorate).first()


def availability(
    need: rules.Need,
    *,
    near: Governorate | None = None,
    shelter_ids: set[int] | None = None,
) -> list[ShelterOption]:
    """Shelters with a free bed for the need, nearest first (a fixed number of queries).

    A shelter is listed when at least one of its eligible units has enough free beds
    (and cots) for the person and the accompanying children.
    """
    units_query = eligible_units(need).select_related(
        "shelter__agency", "shelter__governorate__centroid"
    )
    if shelter_ids is not None:
        units_query = units_query.filter(shelter_id__in=shelter_ids)
    units = list(units_query.order_by("shelter_id", "label"))
    counts = free_counts([u.pk for u in units])
    origin = centroid_of(near)
    options: dict[int, ShelterOption] = {}
    for unit in units:
        free_beds, free_cots = counts.get(unit.pk, (0, 0))
        fits = rules.allocation(need, free_beds, free_cots) is not None
        if not fits:
            continue
        option = options.get(unit.shelter_id)
        if option is None:
            option = ShelterOption(shelter=unit.shelter, distance_km=_distance(origin, unit))
            options[unit.shelter_id] = option
        option.units.append(UnitOption(unit, free_beds, free_cots, fits))
    return sorted(
        options.values(),
        key=lambda o: (
            o.distance_km if o.distance_km is not None else float("inf"),
            o.shelter.agency.name_en,
        ),
    )


def _distance(origin: GovernorateCentroid | None, unit: Unit) -> float | None:
    if origin is None:
        return None
    try:
        target = unit.shelter.governorate.centroid
    except GovernorateCentroid.DoesNotExist:
        return None
    return round(
        rules.haversine_km(
            float(origin.latitude),
            float(origin.longitude),
            float(target.latitude),
            float(target.longitude),
        ),
        1,
    )


def prefill_for_case(case: Case, allowed: set[str], *, today: date) -> dict[str, object]:
    """The find-bed form filled from the record, with only what the user may see of it.

    An unknown age stays empty: the search then treats the person as a child."""
    survivor = case.survivor
    initial: dict[str, object] = {"case": case.code, "near": case.lead_agency.governorate_id}
    if "sex" in allowed:
        initial["sex"] = survivor.sex
    if "age" in allowed:
        initial["age"] = age_on(survivor.birth_year, on=today)
    if "wheelchair" in allowed:
        initial["wheelchair"] = survivor.has_disability
    return initial


def need_for_case(
    case: Case,
    *,
    children_ages: tuple[int, ...] = (),
    wheelchair: bool | None = None,
    language: str = "",
    security_level: int = 1,
    today: date | None = None,
) -> rules.Need:
    """The need of the case's survivor: sex and age from the record, the rest as asked."""
    survivor = case.survivor
    day = today or timezone.localdate()
    return rules.Need(
        sex=survivor.sex,
        age=age_on(survivor.birth_year, on=day),
        assessed_adult=assessed_adult(survivor, on=day),
        children_ages=children_ages,
        wheelchair=survivor.has_disability if wheelchair is None else wheelchair,
        language=language,
        security_level=security_level,
    )


# --- occupancy ----------------------------------------------------------------------------


def stays_on_night(night: date) -> QuerySet[Stay]:
    """Stays holding a bed on the night starting ``night`` (mirrors ``rules.occupies_night``)."""
    return Stay.objects.filter(admitted_on__lte=night).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=night)
    )


def count_occupancy(night: date) -> list[dict[str, int]]:
    """Per unit: beds in service, beds occupied, survivors and children (two aggregates)."""
    beds = {
        row["unit_id"]: (row["unit__shelter_id"], row["n"])
        for row in Bed.objects.filter(is_active=True)
        .order_by()
        .values("unit_id", "unit__shelter_id")
        .annotate(n=Count("pk"))
    }
    occupied = {
        row["bed__unit_id"]: row
        for row in stays_on_night(night)
        .order_by()
        .values("bed__unit_id", "shelter_id")
        .annotate(
            occupied=Count("pk"),
            survivors=Count("pk", filter=Q(survivor__isnull=False)),
            children=Count("pk", filter=Q(survivor__isnull=True)),
        )
    }
    rows = []
    for unit_id in sorted(set(beds) | set(occupied)):
        taken = occupied.get(unit_id, {})
        shelter_id, bed_count = beds[unit_id] if unit_id in beds else (taken["shelter_id"], 0)
        rows.append(
            {
                "unit_id": unit_id,
                "shelter_id": shelter_id,
                "beds": bed_count,
                "occupied": taken.get("occupied", 0),
                "survivors": taken.get("survivors", 0),
                "children": taken.get("children", 0),
            }
        )
    return rows


def occupancy_history(
    *, since: date, until: date, shelter_ids: set[int] | None = None
) -> QuerySet[DailyOccupancy]:
    """Recorded shelter-level occupancy for the days in range (unit rows excluded)."""
    rows = DailyOccupancy.objects.filter(on__gte=since, on__lte=until, unit__isnull=True)
    if shelter_ids is not None:
        rows = rows.filter(shelter_id__in=shelter_ids)
    return rows.select_related("shelter__agency").order_by("-on", "shelter__agency__name_en")


def national_occupancy(*, since: date, until: date) -> list[dict[str, object]]:
    """Beds and occupants across all shelters per recorded night (for the indicators)."""
    return list(
        DailyOccupancy.objects.filter(on__gte=since, on__lte=until, unit__isnull=True)
        .values("on")
        .annotate(
            beds=Sum("beds"),
            occupied=Sum("occupied"),
            survivors=Sum("survivors"),
            children=Sum("children"),
        )
        .order_by("on")
    )


def length_of_stay(*, since: date, until: date) -> dict[str, object]:
    """Survivors' stays that ended in the range: how many, average and longest nights."""
    figures = Stay.objects.filter(
        survivor__isnull=False, ended_on__gte=since, ended_on__lte=until
    ).aggregate(stays=Count("pk"), average_nights=Avg("nights"), longest_nights=Max("nights"))
    return figures
