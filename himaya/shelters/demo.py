"""Demo shelters across the country, their units and beds, stays of demo cases, and
90 nights of occupancy history (synthetic, idempotent)."""

import random
from datetime import timedelta

from django.utils import timezone

from himaya.agencies import demo as agencies_demo
from himaya.agencies.models import Agency, AgencyKind, Governorate
from himaya.cases.models import Case
from himaya.shelters import rules
from himaya.shelters.actions import record_occupancy
from himaya.shelters.models import Bed, BedKind, Destination, Shelter, Stay, StayStatus, Unit
from himaya.shelters.selectors import may_admit
from himaya.survivors.rules import age_on

# Extra shelter agencies of the demo: (English name, Arabic name, governorate).
EXTRA_AGENCIES = [
    ("Asyut Protection Shelter", "دار الحماية بأسيوط", "EG-AST"),
    ("Sharqia Women's Shelter", "دار إيواء المرأة بالشرقية", "EG-SHR"),
    ("Red Sea Protection Shelter", "دار الحماية بالبحر الأحمر", "EG-BA"),
]

# Units: label, sex, children, adolescents, adults, mothers, wheelchair, languages,
# security level, beds, cots.
UnitSpec = tuple[str, str, bool, bool, bool, bool, bool, str, int, int, int]
WOMEN: UnitSpec = ("جناح النساء", "female", False, False, True, False, True, "ar,en", 2, 6, 0)
MOTHERS: UnitSpec = (
    "جناح الأمهات والأطفال",
    "female",
    False,
    True,
    True,
    True,
    False,
    "ar,en,am",
    2,
    4,
    3,
)
GIRLS: UnitSpec = ("جناح الفتيات", "female", True, True, False, False, False, "ar", 3, 5, 0)
BOYS: UnitSpec = ("جناح الفتيان", "male", True, True, False, False, False, "ar", 3, 4, 0)
MEN: UnitSpec = ("جناح الرجال", "male", False, False, True, False, True, "ar,en,fr", 1, 5, 0)
FOREIGN: UnitSpec = (
    "جناح الوافدات",
    "female",
    False,
    True,
    True,
    True,
    False,
    "ar,en,am,ti,so",
    2,
    4,
    2,
)

SHELTERS: list[tuple[str, str, list[UnitSpec]]] = [
    (agencies_demo.CAIRO_SHELTER, "+20 2 2345 6789", [WOMEN, MOTHERS, GIRLS, MEN, FOREIGN]),
    ("Alexandria Protection Shelter", "+20 3 4567 8901", [WOMEN, MOTHERS, BOYS]),
    ("Aswan Protection Shelter", "+20 97 231 4567", [MOTHERS, GIRLS, FOREIGN]),
    ("Asyut Protection Shelter", "+20 88 234 5678", [WOMEN, BOYS]),
    ("Sharqia Women's Shelter", "+20 55 236 7890", [WOMEN, MOTHERS]),
    ("Red Sea Protection Shelter", "+20 65 344 5566", [FOREIGN, MEN]),
]

ADDRESSES = [
    "شارع الجمهورية، عمارة ١٤، الدور الثالث",
    "طريق الكورنيش، خلف مجمع المصالح",
    "شارع السوق السياحي، بجوار مكتب البريد",
    "حي الأربعين، شارع الثورة",
    "شارع فاروق، بجوار مدرسة الشهيد",
    "حي الدهار، شارع النصر",
]

HISTORY_DAYS = 90


def _shelter_agencies() -> int:
    created = 0
    ministry = Agency.objects.filter(name_en=agencies_demo.MINISTRY).first()
    for name_en, name_ar, code in EXTRA_AGENCIES:
        _, was_created = Agency.objects.get_or_create(
            name_en=name_en,
            defaults={
                "name_ar": name_ar,
                "kind": AgencyKind.SHELTER,
                "governorate": Governorate.objects.get(code=code),
                "parent": ministry,
            },
        )
        created += was_created
    return created


def _shelters() -> tuple[int, int]:
    shelters = beds = 0
    for index, (name_en, phone, units) in enumerate(SHELTERS):
        agency = Agency.objects.filter(name_en=name_en).first()
        if agency is None:
            continue
        shelter, was_created = Shelter.objects.get_or_create(
            agency=agency,
            defaults={
                "governorate": agency.governorate,
                "duty_phone": phone,
                "address": ADDRESSES[index % len(ADDRESSES)],
            },
        )
        shelters += was_created
        for spec in units:
            label, sex, children, adolescents, adults, mothers, wheel, langs, level, n, cots = spec
            unit, _ = Unit.objects.get_or_create(
                shelter=shelter,
                label=label,
                defaults={
                    "sex": sex,
                    "accepts_children": children,
                    "accepts_adolescents": adolescents,
                    "accepts_adults": adults,
                    "accepts_mothers_with_children": mothers,
                    "wheelchair_accessible": wheel,
                    "languages": langs,
                    "security_level": level,
                },
            )
            for number in range(1, n + 1):
                beds += Bed.objects.get_or_create(unit=unit, label=f"س{number}")[1]
            for number in range(1, cots + 1):
                beds += Bed.objects.get_or_create(
                    unit=unit, label=f"م{number}", defaults={"kind": BedKind.COT}
                )[1]
    return shelters, beds


def _profile(unit: Unit) -> rules.UnitProfile:
    return rules.UnitProfile(
        sex=unit.sex,
        accepts_children=unit.accepts_children,
        accepts_adolescents=unit.accepts_adolescents,
        accepts_adults=unit.accepts_adults,
        accepts_mothers_with_children=unit.accepts_mothers_with_children,
        wheelchair_accessible=unit.wheelchair_accessible,
        languages=tuple(rules.parse_languages(unit.languages)),
        security_level=unit.security_level,
    )


def _stays() -> int:
    """Stays of about two thirds of the demo cases; each demo stay has a bed of its own."""
    today = timezone.localdate()
    randomiser = random.Random(2026)
    used_beds = set(Stay.objects.values_list("bed_id", flat=True))
    units = list(Unit.objects.filter(is_active=True).select_related("shelter").order_by("pk"))
    free: dict[int, list[Bed]] = {unit.pk: [] for unit in units}
    for bed in Bed.objects.filter(is_active=True).order_by("pk"):
        if bed.pk not in used_beds and bed.unit_id in free:
            free[bed.unit_id].append(bed)
    housed = set(Stay.objects.exclude(survivor=None).values_list("survivor_id", flat=True))
    created = 0
    cases = Case.objects.select_related("survivor", "case_worker").order_by("pk")
    for index, case in enumerate(cases):
        draw = randomiser.random()
        admitted_on = today - timedelta(days=randomiser.randint(1, HISTORY_DAYS - 1))
        length = randomiser.randint(5, 60)
        infant = randomiser.random() < 0.25
        planned = randomiser.choice([30, 45, 60, 90])
        destination = randomiser.choice(
            [
                Destination.FAMILY,
                Destination.INDEPENDENT,
                Destination.REPATRIATION,
                Destination.OTHER_SERVICE,
            ]
        )
        # Every draw above is made for every case, so that a second run makes the same
        # choices and, finding the same survivors housed, creates nothing.
        if draw > 0.66 or case.survivor_id in housed or case.phase == "closed":
            continue
        survivor = case.survivor
        age = age_on(survivor.birth_year, on=admitted_on)
        with_infant = infant and survivor.sex == "female" and age is not None and age >= 14
        need = rules.Need(sex=survivor.sex, age=age, children_ages=(0,) if with_infant else ())
        unit = next(
            (
                u
                for u in units
                if rules.is_eligible(_profile(u), need)
                and rules.allocation(
                    need,
                    sum(1 for b in free[u.pk] if b.kind == BedKind.BED),
                    sum(1 for b in free[u.pk] if b.kind == BedKind.COT),
                )
            ),
            None,
        )
        # The demo admits as the real pages do: the case's own worker, who works for its
        # lead agency (shelter staff would need a referral to their shelter).
        if unit is None or not may_admit(case.case_worker, case=case, shelter=unit.shelter):
            continue
        bed = next(b for b in free[unit.pk] if b.kind == BedKind.BED)
        free[unit.pk].remove(bed)
        ended_on = admitted_on + timedelta(days=length)
        ended = ended_on <= today and index % 3 != 0
        closing = {
            "status": StayStatus.DISCHARGED if ended else StayStatus.OPEN,
            "ended_on": ended_on if ended else None,
            "ended_by": case.case_worker if ended else None,
            "destination": destination if ended else "",
            "nights": length if ended else None,
        }
        stay = Stay.objects.create(
            case=case,
            survivor=survivor,
            bed=bed,
            shelter=unit.shelter,
            admitted_on=admitted_on,
            planned_nights=planned,
            admitted_by=case.case_worker,
            **closing,
        )
        created += 1
        housed.add(survivor.pk)
        if with_infant:
            cots = [b for b in free[unit.pk] if b.kind == BedKind.COT]
            cot = cots[0] if cots else next(b for b in free[unit.pk] if b.kind == BedKind.BED)
            free[unit.pk].remove(cot)
            Stay.objects.create(
                case=case,
                companion_of=stay,
                companion_birth_year=admitted_on.year,
                bed=cot,
                shelter=unit.shelter,
                admitted_on=admitted_on,
                planned_nights=stay.planned_nights,
                admitted_by=case.case_worker,
                **closing,
            )
    return created


def seed() -> str:
    agencies = _shelter_agencies()
    shelters, beds = _shelters()
    stays = _stays()
    today = timezone.localdate()
    for back in range(HISTORY_DAYS, 0, -1):
        record_occupancy(night=today - timedelta(days=back))
    return (
        f"{agencies} shelter agencies, {shelters} shelters, {beds} beds and {stays} stays "
        f"created; occupancy recorded for the last {HISTORY_DAYS} nights"
    )
