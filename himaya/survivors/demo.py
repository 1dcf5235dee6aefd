"""Synthetic demo survivors (idempotent): a few hundred people, Egyptians and foreigners.

Arabic names come from Faker's ``ar_AA`` locale with a plain Latin transliteration;
people from non-Arabic-speaking countries get names of their country in both scripts.
They are registered by the demo case workers for their directorates, with consents.
Cases for them are opened by the cases demo, which takes ``demo_survivors()``.
"""

import datetime
import random

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from faker import Faker
from pyarabic import araby

from himaya.accounts.models import User
from himaya.agencies import demo as agencies_demo
from himaya.agencies.models import Agency, Governorate
from himaya.audit.actions import record_event
from himaya.survivors.indexes import document_index, name_index, rebuild_search_tokens
from himaya.survivors.models import (
    BestInterestsAssessment,
    BestInterestsRecommendation,
    ChildAssent,
    Consent,
    ConsentPurpose,
    DocumentKind,
    GuardianAppointment,
    GuardianKind,
    Sex,
    Survivor,
    SurvivorAccess,
    SurvivorDocument,
    SurvivorSearchToken,
)

COUNT = 300
SEED = 20261128

# Who registers, for which directorate, and how large a share.
REGISTRARS = [
    ("caseworker", agencies_demo.CAIRO_DIRECTORATE, 0.45),
    ("supervisor", agencies_demo.CAIRO_DIRECTORATE, 0.15),
    ("caseworker.alex", agencies_demo.ALEXANDRIA_DIRECTORATE, 0.40),
]

# Nationality, weight, language spoken.
NATIONALITIES = [
    ("EG", 55, "العربية"),
    ("SD", 10, "العربية"),
    ("ER", 7, "التغرينية"),
    ("ET", 7, "الأمهرية، الأورومية"),
    ("SY", 6, "العربية"),
    ("NG", 5, "الإنجليزية، اليوروبا"),
    ("PH", 4, "الفلبينية، الإنجليزية"),
    ("SS", 3, "العربية، الإنجليزية"),
    ("YE", 3, "العربية"),
]
ARABIC_SPEAKING = {"EG", "SD", "SY", "YE", "SS"}

# Names of non-Arabic-speaking countries: (Latin, Arabic).
FOREIGN_NAMES: dict[str, dict[str, list[tuple[str, str]]]] = {
    "ER": {
        "female": [("Selam", "سلام"), ("Helen", "هيلين"), ("Luwam", "لوام"), ("Senait", "سنايت")],
        "male": [("Yonas", "يوناس"), ("Tesfay", "تسفاي"), ("Dawit", "داويت"), ("Filmon", "فيلمون")],
        "last": [("Tesfamariam", "تسفامريام"), ("Ghebremedhin", "غبرمدهن"), ("Haile", "هايلي")],
    },
    "ET": {
        "female": [
            ("Tigist", "تيغيست"),
            ("Meseret", "مسرت"),
            ("Hiwot", "هيوت"),
            ("Almaz", "ألماز"),
        ],
        "male": [
            ("Abebe", "أبيبي"),
            ("Getachew", "غيتاتشو"),
            ("Solomon", "سليمون"),
            ("Kebede", "كيبيدي"),
        ],
        "last": [
            ("Bekele", "بيكيلي"),
            ("Tadesse", "تاديسي"),
            ("Alemu", "أليمو"),
            ("Girma", "غيرما"),
        ],
    },
    "NG": {
        "female": [
            ("Blessing", "بليسينغ"),
            ("Chioma", "تشيوما"),
            ("Favour", "فيفور"),
            ("Ngozi", "نغوزي"),
        ],
        "male": [
            ("Emeka", "إميكا"),
            ("Tunde", "توندي"),
            ("Chinedu", "تشينيدو"),
            ("Segun", "سيغون"),
        ],
        "last": [
            ("Okafor", "أوكافور"),
            ("Adeyemi", "أديمي"),
            ("Eze", "إيزي"),
            ("Balogun", "بالوغون"),
        ],
    },
    "PH": {
        "female": [
            ("Maricel", "ماريسيل"),
            ("Rowena", "روينا"),
            ("Jocelyn", "جوسلين"),
            ("Analyn", "أنالين"),
        ],
        "male": [("Jomar", "جومار"), ("Rodel", "روديل"), ("Arnel", "أرنيل"), ("Jerome", "جيروم")],
        "last": [
            ("Santos", "سانتوس"),
            ("Reyes", "رييس"),
            ("Dela Cruz", "ديلا كروز"),
            ("Bautista", "باوتيستا"),
        ],
    },
}

_TRANSLITERATION = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "aa", "ء": "", "ؤ": "u", "ئ": "e", "ب": "b", "ت": "t",
    "ث": "th", "ج": "g", "ح": "h", "خ": "kh", "د": "d", "ذ": "z", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "a", "غ": "gh",
    "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a",
    "و": "o", "ي": "y", "ى": "a", " ": " ", "-": "-",
}  # fmt: skip


def _latin_word(word: str) -> str:
    letters = []
    for position, char in enumerate(word):
        if position > 0 and char == "ي":
            letters.append("i")
        elif position > 0 and char == "و":
            letters.append("ou")
        else:
            letters.append(_TRANSLITERATION.get(char, ""))
    latin = "".join(letters)
    return latin[:1].upper() + latin[1:]


def transliterate(arabic: str) -> str:
    """A plain, readable Latin spelling of an Arabic name (Egyptian usage: ج → g)."""
    words = []
    for word in araby.strip_tashkeel(arabic).split():
        if word.startswith("ال") and len(word) > 3:
            words.append("El-" + _latin_word(word[2:]))
        else:
            words.append(_latin_word(word))
    return " ".join(word for word in words if word.strip("-"))


def _pick_nationality(rng: random.Random) -> tuple[str, str]:
    codes = [n for n, _w, _l in NATIONALITIES]
    weights = [w for _n, w, _l in NATIONALITIES]
    code = rng.choices(codes, weights=weights)[0]
    language = next(lang for n, _w, lang in NATIONALITIES if n == code)
    return code, language


def _names(rng: random.Random, fake: Faker, nationality: str, sex: str) -> tuple[str, str]:
    if nationality in FOREIGN_NAMES:
        table = FOREIGN_NAMES[nationality]
        first = rng.choice(table["female" if sex == Sex.FEMALE else "male"])
        father = rng.choice(table["male"])
        last = rng.choice(table["last"])
        return f"{first[1]} {father[1]} {last[1]}", f"{first[0]} {father[0]} {last[0]}"
    given = fake.first_name_female() if sex == Sex.FEMALE else fake.first_name_male()
    arabic = f"{given} {fake.first_name_male()} {fake.last_name()}"
    return arabic, transliterate(arabic)


def _phone(rng: random.Random, nationality: str) -> str:
    if rng.random() < 0.25:
        return ""
    return f"+20 1{rng.choice('0125')} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"


def _relative(rng: random.Random, fake: Faker) -> str:
    relation = rng.choice(["الأب", "الأم", "الأخ", "العم"])
    return f"{fake.first_name_male()} ({relation}) {_phone(rng, 'EG') or ''}".strip()


def demo_survivors() -> QuerySet[Survivor]:
    """The demo survivors in a stable order (the order they were registered in): the first
    ``COUNT`` that the demo's registrars made, so that survivors other apps' demos register
    later (the duplicates demo's twins) never become part of it on a second run."""
    usernames = [username for username, _agency, _share in REGISTRARS]
    registered = Survivor.objects.filter(registered_by__username__in=usernames).order_by("id")
    first = list(registered.values_list("id", flat=True)[:COUNT])
    return Survivor.objects.filter(id__in=first).order_by("id")


# A guardian is appointed this many days before today for each demo child, before any
# of the child's consents.
GUARDIAN_DAYS_AGO = 400

GUARDIAN_BODIES = ["محكمة الأسرة", "لجنة حماية الطفل بالمحافظة", "النيابة العامة"]


def _children_of(survivors: list[Survivor], today: datetime.date) -> list[Survivor]:
    return [s for s in survivors if s.birth_year is None or today.year - s.birth_year < 18]


def seed_children() -> str:
    """Every demo child gets a guardian, and the guardian's consent with the child's assent
    on the child's consents; the first child also gets a best-interests assessment and is
    recorded as unaccompanied. Idempotent: children who have a guardian are left alone."""
    rng = random.Random(SEED + 1)
    fake = Faker("ar_AA")
    fake.seed_instance(SEED + 1)
    today = timezone.localdate()
    children = [
        child
        for child in _children_of(list(demo_survivors()), today)
        if not GuardianAppointment.objects.filter(survivor=child).exists()
    ]
    appointed_on = today - datetime.timedelta(days=GUARDIAN_DAYS_AGO)
    kinds = [GuardianKind.LEGAL_GUARDIAN, GuardianKind.COURT_REPRESENTATIVE]
    for child in children:
        guardian = GuardianAppointment.objects.create(
            survivor=child,
            guardian_name=f"{fake.first_name_female()} {fake.last_name()}",
            kind=rng.choice(kinds),
            appointing_body=rng.choice(GUARDIAN_BODIES),
            appointed_on=appointed_on,
            recorded_by=child.registered_by,
        )
        Consent.objects.filter(survivor=child, guardian__isnull=True).update(
            guardian=guardian,
            guardian_consented_on=models.F("given_on"),
            child_assent=ChildAssent.GIVEN,
        )
    assessed = 0
    first = next(iter(_children_of(list(demo_survivors()), today)), None)
    if first is not None and not BestInterestsAssessment.objects.filter(survivor=first).exists():
        BestInterestsAssessment.objects.create(
            survivor=first,
            assessed_on=today - datetime.timedelta(days=30),
            assessed_by=first.registered_by,
            summary="الطفلة في أمان لدى أسرة بديلة، وتريد العودة إلى المدرسة.",
            child_views_heard=True,
            recommendation=BestInterestsRecommendation.FAMILY_TRACING,
        )
        Survivor.objects.filter(pk=first.pk).update(unaccompanied=True)
        assessed = 1
    return f"{len(children)} guardians appointed, {assessed} best-interests assessment"


def seed() -> str:
    if demo_survivors().exists():
        children = seed_children()
        return f"0 survivors created, {demo_survivors().count()} in the demo; {children}"
    rng = random.Random(SEED)
    fake = Faker("ar_AA")
    fake.seed_instance(SEED)
    today = timezone.localdate()
    registrars = [
        (User.objects.get(username=u), Agency.objects.get(name_en=a), share)
        for u, a, share in REGISTRARS
    ]
    governorates = list(Governorate.objects.order_by("code"))
    embassies = list(Agency.objects.filter(kind="embassy").order_by("name_en"))
    partners = list(
        Agency.objects.filter(kind__in=["ngo", "police", "health", "international"]).order_by(
            "name_en"
        )
    )
    survivors: list[Survivor] = []
    documents: list[tuple[int, str, str, str]] = []
    for number in range(COUNT):
        user, agency, _share = rng.choices(registrars, weights=[r[2] for r in registrars])[0]
        nationality, language = _pick_nationality(rng)
        sex = rng.choices([Sex.FEMALE, Sex.MALE], weights=[65, 35])[0]
        age = rng.choice([rng.randint(9, 17), rng.randint(18, 45), rng.randint(18, 30)])
        birth_year = today.year - age
        has_date = rng.random() < 0.55
        date_of_birth = (
            datetime.date(birth_year, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
            if has_date
            else ""
        )
        name_ar, name_latin = _names(rng, fake, nationality, sex)
        governorate = rng.choice(governorates) if nationality == "EG" else None
        place = governorate.name_ar if governorate else agency.governorate.name_ar
        survivors.append(
            Survivor(
                name_ar=name_ar,
                name_latin=name_latin,
                aliases="" if rng.random() < 0.85 else fake.first_name_female(),
                date_of_birth=date_of_birth,
                phone=_phone(rng, nationality),
                address=f"{rng.randint(1, 120)} شارع {fake.last_name()}، {place}",
                family_contact="" if rng.random() < 0.4 else _relative(rng, fake),
                name_ar_index=name_index(name_ar),
                name_latin_index=name_index(name_latin),
                sex=sex,
                birth_year=birth_year,
                age_is_estimated=not has_date,
                nationality=nationality,
                governorate_of_origin=governorate,
                languages=language,
                has_disability=rng.random() < 0.06,
                registered_by_agency=agency,
                registered_by=user,
            )
        )
        if nationality == "EG" and age >= 16 and rng.random() < 0.7:
            digits = f"{2 if birth_year < 2000 else 3}{rng.randint(10**12, 10**13 - 1)}"
            documents.append((number, DocumentKind.NATIONAL_ID, digits, "EG"))
        elif nationality != "EG" and rng.random() < 0.55:
            passport = f"{rng.choice('ABCEKMNPT')}{rng.randint(1000000, 9999999)}"
            documents.append((number, DocumentKind.PASSPORT, passport, nationality))
            if rng.random() < 0.3:
                permit = f"RP-{rng.randint(100000, 999999)}"
                documents.append((number, DocumentKind.RESIDENCE_PERMIT, permit, "EG"))
    # bulk_create does not call save(): codes distinct within the batch and from stored rows.
    for survivor, code in zip(survivors, Survivor.fresh_codes(len(survivors)), strict=True):
        survivor.code = code
    Survivor.objects.bulk_create(survivors)
    survivors = list(demo_survivors())
    # What the registration writes besides the survivor: its scope and its search tokens.
    SurvivorAccess.objects.bulk_create(
        SurvivorAccess(survivor=survivor, agency_id=survivor.registered_by_agency_id)
        for survivor in survivors
    )
    rebuild_search_tokens(
        Survivor, SurvivorSearchToken, survivor_ids=[survivor.pk for survivor in survivors]
    )
    SurvivorDocument.objects.bulk_create(
        SurvivorDocument(
            survivor=survivors[index],
            kind=kind,
            number=value,
            number_index=document_index(value),
            issuing_country=country,
            recorded_by=survivors[index].registered_by,
        )
        for index, kind, value, country in documents
    )
    consents: list[Consent] = []
    for survivor in survivors:
        given_on = today - datetime.timedelta(days=rng.randint(0, 365))
        common = {"survivor": survivor, "recorded_by": survivor.registered_by}
        care_withdrawn = given_on + datetime.timedelta(days=30) if rng.random() < 0.04 else None
        if care_withdrawn is not None and care_withdrawn > today:
            care_withdrawn = None
        consents.append(
            Consent(
                purpose=ConsentPurpose.CARE,
                given_on=given_on,
                withdrawn_on=care_withdrawn,
                **common,
            )
        )
        if rng.random() < 0.6:
            consents.append(Consent(purpose=ConsentPurpose.STATISTICS, given_on=given_on, **common))
        if partners and rng.random() < 0.25:
            consents.append(
                Consent(
                    purpose=ConsentPurpose.REFERRAL,
                    recipient=rng.choice(partners),
                    given_on=given_on,
                    **common,
                )
            )
        embassy = next((e for e in embassies if e.country == survivor.nationality), None)
        if embassy is not None and rng.random() < 0.5:
            consents.append(
                Consent(
                    purpose=ConsentPurpose.EMBASSY,
                    recipient=embassy,
                    given_on=given_on,
                    note="للمساعدة في استخراج وثيقة سفر",
                    **common,
                )
            )
    Consent.objects.bulk_create(consents)
    children = seed_children()
    record_event(
        action="survivor.demo_loaded",
        actor_username="seed_demo",
        object_type="survivors.survivor",
        details={"survivors": len(survivors), "documents": len(documents)},
    )
    return (
        f"{len(survivors)} survivors created with {len(documents)} documents "
        f"and {len(consents)} consents; {children}"
    )
