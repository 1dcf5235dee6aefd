"""Live search of free beds: the availability selector against loading beds and stays.

``selectors.availability`` asks the database for the eligible units and for the free beds
and cots of those units (a fixed number of queries), then orders the shelters by distance.
The baseline computes the same list the naive way: it loads every unit, bed and stay,
keeps the open stays, counts free beds per unit and applies ``rules.refusals`` in Python.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from random import Random

from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks import population
from himaya.agencies.models import AgencyKind, Governorate, Role
from himaya.shelters import rules
from himaya.shelters.models import (
    Bed,
    BedKind,
    Destination,
    GovernorateCentroid,
    SexAccepted,
    Shelter,
    Stay,
    StayStatus,
    Unit,
)
from himaya.shelters.selectors import ShelterOption, UnitOption, availability

Compare = Callable[[str, Callable[[], object], Callable[[], object], int], None]
UNITS_PER_SHELTER = 5
TODAY = date(2026, 11, 28)

# What each kind of room receives: sex, children, adolescents, adults, mothers with children.
PROFILES = [
    (SexAccepted.FEMALE, False, False, True, True),
    (SexAccepted.FEMALE, True, True, False, False),
    (SexAccepted.MALE, False, False, True, False),
    (SexAccepted.MALE, True, True, False, False),
    (SexAccepted.ANY, False, True, True, False),
    (SexAccepted.FEMALE, False, True, True, True),
]
LANGUAGES = ["ar", "ar,en", "ar,en,am", "ar,fr", "ar,ti,am", "ar,en,fr"]


def _build(shelters: int, beds: int, rng: Random) -> None:
    """Shelters in every governorate, their units and beds, open stays and past stays."""
    ministry = population.agency("Ministry", AgencyKind.MINISTRY)
    worker = population.person("bench-shelter-worker", Role.CASE_WORKER, ministry)
    governorates = list(Governorate.objects.filter(centroid__isnull=False).order_by("code"))

    shelter_rows = []
    for n in range(shelters):
        operator = population.agency(
            f"Shelter {n:04d}", AgencyKind.SHELTER, governorates[n % len(governorates)].code
        )
        if n % 97 == 13:  # an operator that no longer works
            operator.is_active = False
            operator.save(update_fields=["is_active"])
        shelter_rows.append(
            Shelter(
                agency=operator,
                governorate=operator.governorate,
                is_active=n % 37 != 5,
            )
        )
    made = Shelter.objects.bulk_create(population.coded(shelter_rows))

    unit_rows = []
    for shelter in made:
        for u in range(UNITS_PER_SHELTER):
            sex, children, adolescents, adults, mothers = rng.choice(PROFILES)
            unit_rows.append(
                Unit(
                    shelter=shelter,
                    label=f"R{u + 1:02d}",
                    sex=sex,
                    accepts_children=children,
                    accepts_adolescents=adolescents,
                    accepts_adults=adults,
                    accepts_mothers_with_children=mothers,
                    wheelchair_accessible=rng.random() < 0.3,
                    languages=rng.choice(LANGUAGES),
                    security_level=rng.choice([1, 1, 2, 3]),
                    is_active=rng.random() > 0.03,
                )
            )
    units = Unit.objects.bulk_create(unit_rows, batch_size=population.BATCH)

    per_unit = max(1, beds // len(units))
    bed_rows = []
    for unit in units:
        cots = 2 if unit.accepts_mothers_with_children else 0
        for b in range(per_unit):
            kind = BedKind.COT if b >= per_unit - cots else BedKind.BED
            bed_rows.append(
                Bed(unit=unit, label=f"B{b + 1:02d}", kind=kind, is_active=rng.random() > 0.03)
            )
    all_beds = Bed.objects.bulk_create(bed_rows, batch_size=population.BATCH)
    shelter_of_unit = {unit.pk: unit.shelter_id for unit in units}

    # Tonight: each shelter is filled to its own rate, from half full to full.
    fill = {shelter.pk: rng.uniform(0.5, 1.0) for shelter in made}
    occupied = [
        bed
        for bed in all_beds
        if bed.kind == BedKind.BED and rng.random() < fill[shelter_of_unit[bed.unit_id]]
    ]
    people = population.survivors(len(occupied), agency=ministry, by=worker, rng=rng)
    files = population.cases(people, lead=ministry, workers=[worker], rng=rng)

    def stay(bed: Bed, case_index: int, **fields: object) -> Stay:
        return Stay(
            case=files[case_index],
            bed=bed,
            shelter_id=shelter_of_unit[bed.unit_id],
            admitted_by=worker,
            **fields,
        )

    open_stays = [
        stay(
            bed,
            n,
            survivor=people[n],
            admitted_on=TODAY - timedelta(days=rng.randint(0, 90)),
        )
        for n, bed in enumerate(occupied)
    ]
    Stay.objects.bulk_create(population.coded(open_stays), batch_size=population.BATCH)

    # Children in cots next to some of the mothers.
    free_cots: dict[int, list[Bed]] = defaultdict(list)
    for bed in all_beds:
        if bed.kind == BedKind.COT:
            free_cots[bed.unit_id].append(bed)
    companions = []
    for n, parent in enumerate(open_stays):
        spare = free_cots.get(parent.bed.unit_id)
        if spare and rng.random() < 0.6:
            companions.append(
                stay(
                    spare.pop(),
                    n,
                    companion_of=parent,
                    companion_birth_year=2025,
                    admitted_on=parent.admitted_on,
                )
            )
    Stay.objects.bulk_create(population.coded(companions), batch_size=population.BATCH)

    # A year of history: as many stays again, ended by discharge or transfer.
    history = []
    for _ in range(len(all_beds)):
        n = rng.randrange(len(people))
        admitted = TODAY - timedelta(days=rng.randint(100, 465))
        nights = rng.randint(1, 90)
        history.append(
            stay(
                rng.choice(all_beds),
                n,
                survivor=people[n],
                status=rng.choice([StayStatus.DISCHARGED, StayStatus.TRANSFERRED]),
                admitted_on=admitted,
                ended_on=admitted + timedelta(days=nights),
                ended_by=worker,
                nights=nights,
                destination=rng.choice([Destination.FAMILY, Destination.INDEPENDENT]),
            )
        )
    Stay.objects.bulk_create(population.coded(history), batch_size=population.BATCH)


def load_and_filter(
    need: rules.Need, near: Governorate, *, open_only: bool = False
) -> list[ShelterOption]:
    """The same answer as ``availability``, from every unit, bed and stay, in Python.

    With ``open_only`` the database already leaves out the stays that have ended.
    """
    units = Unit.objects.select_related("shelter__agency", "shelter__governorate")
    centroids = {c.governorate_id: c for c in GovernorateCentroid.objects.all()}
    stays = Stay.objects.filter(status=StayStatus.OPEN) if open_only else Stay.objects.all()
    taken = {stay.bed_id for stay in stays if stay.status == StayStatus.OPEN}
    free: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for bed in Bed.objects.all():
        if bed.is_active and bed.pk not in taken:
            free[bed.unit_id][0 if bed.kind == BedKind.BED else 1] += 1
    origin = centroids.get(near.pk)
    options: dict[int, ShelterOption] = {}
    for unit in sorted(units, key=lambda u: (u.shelter_id, u.label)):
        shelter = unit.shelter
        if not (unit.is_active and shelter.is_active and shelter.agency.is_active):
            continue
        profile = rules.UnitProfile(
            sex=unit.sex,
            accepts_children=unit.accepts_children,
            accepts_adolescents=unit.accepts_adolescents,
            accepts_adults=unit.accepts_adults,
            accepts_mothers_with_children=unit.accepts_mothers_with_children,
            wheelchair_accessible=unit.wheelchair_accessible,
            languages=tuple(rules.parse_languages(unit.languages)),
            security_level=unit.security_level,
        )
        free_beds, free_cots = free.get(unit.pk, (0, 0))
        if rules.refusals(profile, need) or rules.allocation(need, free_beds, free_cots) is None:
            continue
        option = options.get(shelter.pk)
        if option is None:
            target = centroids.get(shelter.governorate_id)
            distance = None
            if origin is not None and target is not None:
                distance = round(
                    rules.haversine_km(
                        float(origin.latitude),
                        float(origin.longitude),
                        float(target.latitude),
                        float(target.longitude),
                    ),
                    1,
                )
            option = options[shelter.pk] = ShelterOption(shelter=shelter, distance_km=distance)
        option.units.append(UnitOption(unit, free_beds, free_cots, True))
    return sorted(
        options.values(),
        key=lambda o: (
            o.distance_km if o.distance_km is not None else float("inf"),
            o.shelter.agency.name_en,
        ),
    )


def answer(options: list[ShelterOption]) -> list[tuple[object, ...]]:
    return [
        (
            option.shelter.code,
            option.distance_km,
            tuple((u.unit.pk, u.free_beds, u.free_cots) for u in option.units),
        )
        for option in options
    ]


def run(
    size: int, rounds: int, compare: Compare, compare_cost: Compare, *, beds: int = 10_000
) -> None:
    rng = Random(20261128)
    _build(size, beds, rng)
    in_service = Bed.objects.filter(is_active=True).count()
    occupied = Stay.objects.filter(status=StayStatus.OPEN).count()
    stays = Stay.objects.count()
    gov = {g.code: g for g in Governorate.objects.all()}
    searches = [
        (rules.Need(sex="female", age=24, language="ar"), gov["EG-C"]),
        (rules.Need(sex="female", age=29, children_ages=(0, 4)), gov["EG-ALX"]),
        (rules.Need(sex="male", age=15, wheelchair=True), gov["EG-ASN"]),
        (rules.Need(sex="unknown", age=31, language="am", security_level=2), gov["EG-GZ"]),
    ]

    found = []
    for need, near in searches:
        expected = answer(load_and_filter(need, near))
        assert answer(load_and_filter(need, near, open_only=True)) == expected
        with CaptureQueriesContext(connection) as queries:
            got = answer(availability(need, near=near))
        assert got == expected, (need, len(got), len(expected))
        assert got, f"no shelter found for {need}"
        found.append(f"{len(got)}/{len(queries.captured_queries)}q")
    assert len(found) == len(searches)
    print(
        f"  ({size} shelters, {in_service} beds in service, {occupied} occupied, {stays} stays "
        f"in all; shelters found/queries per search: {', '.join(found)})"
    )

    def baseline() -> None:
        for need, near in searches:
            load_and_filter(need, near)

    def baseline_open_only() -> None:
        for need, near in searches:
            load_and_filter(need, near, open_only=True)

    def candidate() -> None:
        for need, near in searches:
            availability(need, near=near)

    compare(
        f"{len(searches)} bed searches over {size} shelters / {in_service} beds: "
        f"availability selector vs loading units, beds and all {stays} stays into Python",
        baseline,
        candidate,
        rounds,
    )
    compare(
        f"{len(searches)} bed searches over {size} shelters / {in_service} beds: "
        f"availability selector vs loading units, beds and the {occupied} open stays into Python",
        baseline_open_only,
        candidate,
        rounds,
    )
