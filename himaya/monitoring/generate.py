"""A synthetic national dataset for the indicators and for load tests (``generate_national``).

Every one of Egypt's 27 governorates gets its directorate, NGOs, a shelter with units and
beds, police, prosecution and a health service (the agencies the demo already made are
reused), their staff, and cases spread over several years, weighted by population: the
survivors (with their access rows and search tokens), the cases with their phase history,
identification decisions, forms of exploitation, screenings, service deliveries, referrals
with the consent they rest on, shelter stays, fund payment requests with their approvals and
ledger lines, and enrolments in empowerment programmes.

Speed. Rows are written in bulk only, never one by one: ``executemany`` of one prepared
``INSERT`` per batch on SQLite, ``COPY … FROM STDIN`` on PostgreSQL. Primary keys are given
here (after the largest stored one; PostgreSQL sequences are moved past them at the end), so
that related rows need no round trip. Encrypting a million names with Fernet takes minutes,
so a pool of a few thousand synthetic identities is encrypted once (names, phone, date of
birth, with their blind indexes and name and phone search tokens) and its tokens are reused
across rows: many survivors share a ciphertext, which a real registry never would. Only the
search tokens of each public code are computed per survivor.

Reproducible. Everything is drawn from one ``random.Random(seed)``, public codes included
(same alphabet and check character as ``core.codes``, distinct within the run and from the
stored rows): the same seed, the same ``until`` date and the same starting database give
the same rows.

Audit. No row is written per record; one summary event says how many cases were generated,
appended through ``audit.actions.record_event`` so that the chain stays verifiable.

Refused in production (``settings.PRODUCTION``): synthetic rows never enter a real registry.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import hmac
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from decimal import Decimal
from itertools import accumulate
from random import Random
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind, Governorate, Membership, Role
from himaya.audit.actions import record_event
from himaya.cases.models import (
    Case,
    ClosureReason,
    ExploitationForm,
    IdentificationDecision,
    IdentificationStatus,
    Phase,
    PhaseChange,
)
from himaya.core import crypto
from himaya.core.codes import ALPHABET
from himaya.core.fields import EncryptedTextField
from himaya.empowerment.models import Enrolment, EnrolmentStatus, HouseholdRole, Programme
from himaya.fund.models import (
    BudgetLine,
    EntryKind,
    FiscalYear,
    LedgerEntry,
    Method,
    PaymentLimit,
    PaymentRequest,
    Purpose,
    Source,
)
from himaya.fund.models import Status as PaymentStatus
from himaya.fund.rules import fiscal_year_of
from himaya.referrals.models import ConsentBasis, Referral
from himaya.referrals.models import Status as ReferralStatus
from himaya.referrals.rules import consent_purpose_for
from himaya.screening.models import IndicatorSet, Outcome, Screening
from himaya.screening.rules import RULE_VERSION
from himaya.services.models import DeliveryStatus, ServiceDelivery, ServiceType
from himaya.shelters.models import Bed, Destination, SexAccepted, Shelter, Stay, StayStatus, Unit
from himaya.survivors.indexes import SEARCH, TOKEN_LENGTH, name_index, search_token
from himaya.survivors.models import (
    Consent,
    MigrationStatus,
    Sex,
    Survivor,
    SurvivorAccess,
    SurvivorSearchToken,
)
from himaya.survivors.rules import code_terms, name_words, phone_terms, word_terms

AUDIT_ACTION = "monitoring.synthetic_data_generated"
POOL_SIZE = 2000
CHUNK_CASES = 20000

Weighted = Sequence[tuple[Any, float]]
Converter = Callable[[Any], Any]
_MISSING = object()
# The value of each character of a code, for its check character (as ``core.codes``).
_VALUE = {char: index + 1 for index, char in enumerate(ALPHABET)}


class GenerationRefused(Exception):
    """The generator does not run here (production settings)."""


# --- distributions (synthetic, for plausibility only) ------------------------------------

SEXES: Weighted = [
    (Sex.FEMALE, 61),
    (Sex.MALE, 36),
    (Sex.OTHER, 0.5),
    (Sex.UNKNOWN, 2.5),
]
# Age at first contact: (youngest, oldest, weight); about a quarter are children.
AGES: Weighted = [
    ((6, 11), 6),
    ((12, 17), 20),
    ((18, 24), 26),
    ((25, 34), 26),
    ((35, 49), 16),
    ((50, 65), 6),
]
NATIONALITIES: Weighted = [
    ("EG", 74),
    ("SD", 8),
    ("ET", 5),
    ("ER", 4),
    ("SY", 4),
    ("SS", 2),
    ("YE", 1.5),
    ("NG", 1),
    ("SO", 0.5),
]
FOREIGN_STATUS: Weighted = [
    (MigrationStatus.REFUGEE, 30),
    (MigrationStatus.ASYLUM_SEEKER, 20),
    (MigrationStatus.IRREGULAR, 35),
    (MigrationStatus.REGULAR, 10),
    (MigrationStatus.NOT_KNOWN, 5),
]
LANGUAGES = {"EG": "ar", "SD": "ar", "ET": "am", "ER": "ti", "SY": "ar", "SS": "en,ar"}
CHANNELS: Weighted = [
    ("police", 22),
    ("hotline", 18),
    ("ngo_outreach", 20),
    ("labour_inspection", 8),
    ("border", 10),
    ("embassy", 6),
    ("self_referral", 8),
    ("online", 8),
]
RECRUITMENT: Weighted = [
    ("social_media", 24),
    ("messaging_app", 16),
    ("online_ad", 10),
    ("recruitment_website", 6),
    ("in_person", 18),
    ("family", 20),
    ("unknown", 6),
]
FORMS: Weighted = [
    ("sexual_exploitation.prostitution", 14),
    ("sexual_exploitation.remote", 5),
    ("forced_labour", 20),
    ("domestic_servitude", 16),
    ("forced_begging", 10),
    ("forced_marriage", 10),
    ("child_labour", 8),
    ("organ_removal", 4),
    ("forced_criminality", 6),
    ("mixed_sex_labour", 4),
]
ABROAD = ["LY", "SA", "JO", "AE", "KW", "LB", "IQ"]
# The path of a case, and the days spent in each phase before the next (min, max).
PATH = [Phase.IDENTIFICATION, Phase.PROTECTION, Phase.ASSISTANCE, Phase.REINTEGRATION]
PATH += [Phase.FOLLOW_UP]
STAY_DAYS: dict[str, tuple[int, int]] = {
    Phase.IDENTIFICATION: (1, 12),
    Phase.PROTECTION: (7, 45),
    Phase.ASSISTANCE: (30, 150),
    Phase.REINTEGRATION: (60, 180),
    Phase.FOLLOW_UP: (60, 150),
}
# How far a case goes (index in PATH), and whether it is then closed.
REACH: Weighted = [(0, 8), (1, 12), (2, 28), (3, 27), (4, 25)]
CLOSED_SHARE = 0.45
CLOSURES: Weighted = [
    (ClosureReason.REINTEGRATED, 45),
    (ClosureReason.REPATRIATED, 20),
    (ClosureReason.TRANSFERRED, 10),
    (ClosureReason.DECLINED, 12),
    (ClosureReason.LOST_CONTACT, 12),
    (ClosureReason.DECEASED, 1),
]
GROUNDS = {
    IdentificationStatus.POSSIBLE: "مؤشرات كافية على الاتجار من المقابلة الأولى (بيانات تركيبية)",
    IdentificationStatus.IDENTIFIED: "تأكدت صفة الضحية بعد التحقق من الوقائع (بيانات تركيبية)",
    IdentificationStatus.NOT_VICTIM: "لم تثبت عناصر الاتجار بعد التحقق (بيانات تركيبية)",
}
SCREENING_OUTCOMES: Weighted = [
    (Outcome.INDICATED, 62),
    (Outcome.PROBABLE, 24),
    (Outcome.EXPLOITATION, 9),
    (Outcome.NOT_INDICATED, 5),
]
DIMENSIONS = {
    Outcome.INDICATED: ["DR", "EX", "CD"],
    Outcome.PROBABLE: ["DR", "EX"],
    Outcome.EXPLOITATION: ["EX"],
    Outcome.CHILD_PROTECTION: ["EX"],
    Outcome.NOT_INDICATED: [],
}
EXPLANATIONS = {
    Outcome.INDICATED: ("Trafficking indicated.", "توجد مؤشرات على الاتجار."),
    Outcome.PROBABLE: ("Trafficking probable.", "الاتجار مرجح."),
    Outcome.EXPLOITATION: ("Exploitation without trafficking.", "استغلال دون اتجار."),
    Outcome.CHILD_PROTECTION: ("Child exploited.", "طفل تعرض للاستغلال."),
    Outcome.NOT_INDICATED: ("Trafficking not indicated.", "لا توجد مؤشرات على الاتجار."),
}
SERVICES: Weighted = [
    ("medical", 20),
    ("psychological", 18),
    ("legal_aid", 14),
    ("interpretation", 4),
    ("shelter", 6),
    ("repatriation", 3),
    ("family_tracing", 5),
    ("education", 6),
    ("vocational_training", 8),
    ("cash_assistance", 8),
    ("documentation", 6),
    ("security", 2),
]
PROVIDER_KIND = {
    "medical": AgencyKind.HEALTH,
    "psychological": AgencyKind.HEALTH,
    "legal_aid": AgencyKind.NGO,
    "shelter": AgencyKind.SHELTER,
    "security": AgencyKind.POLICE,
}
REFERRAL_TARGETS: Weighted = [
    (AgencyKind.NGO, 40),
    (AgencyKind.HEALTH, 25),
    (AgencyKind.SHELTER, 10),
    (AgencyKind.POLICE, 10),
    (AgencyKind.PROSECUTION, 15),
]
REFERRAL_SERVICE = {
    AgencyKind.NGO: "legal_aid",
    AgencyKind.HEALTH: "medical",
    AgencyKind.SHELTER: "shelter",
    AgencyKind.POLICE: "security",
    AgencyKind.PROSECUTION: "legal_aid",
}
SHARED = [["first_name", "sex", "age"], ["full_name", "sex", "age", "nationality", "phone"]]
DESTINATIONS: Weighted = [
    (Destination.FAMILY, 50),
    (Destination.INDEPENDENT, 20),
    (Destination.REPATRIATION, 10),
    (Destination.OTHER_SERVICE, 20),
]
PURPOSES: Weighted = [
    (Purpose.EMERGENCY_CASH, 35),
    (Purpose.MEDICAL, 20),
    (Purpose.LEGAL, 12),
    (Purpose.REPATRIATION, 6),
    (Purpose.EDUCATION, 12),
    (Purpose.START_UP, 15),
]
LIMITS = {
    Purpose.EMERGENCY_CASH: Decimal("5000.00"),
    Purpose.MEDICAL: Decimal("20000.00"),
    Purpose.LEGAL: Decimal("15000.00"),
    Purpose.REPATRIATION: Decimal("25000.00"),
    Purpose.EDUCATION: Decimal("10000.00"),
    Purpose.START_UP: Decimal("30000.00"),
}
PER_SURVIVOR_YEAR = Decimal("60000.00")
PAYMENT_OUTCOMES: Weighted = [
    (PaymentStatus.PAID, 58),
    (PaymentStatus.APPROVED, 10),
    (PaymentStatus.REQUESTED, 6),
    (PaymentStatus.SECOND_APPROVAL_NEEDED, 4),
    (PaymentStatus.REJECTED, 18),
    (PaymentStatus.REVERSED, 4),
]
HOUSEHOLD: Weighted = [
    (HouseholdRole.HEAD, 30),
    (HouseholdRole.SPOUSE, 20),
    (HouseholdRole.CHILD, 25),
    (HouseholdRole.OTHER, 10),
    (HouseholdRole.ALONE, 15),
]
ENROLMENT_OUTCOMES: Weighted = [
    (EnrolmentStatus.COMPLETED, 40),
    (EnrolmentStatus.ACTIVE, 20),
    (EnrolmentStatus.DROPPED_OUT, 15),
    (EnrolmentStatus.DECLINED, 12),
    (EnrolmentStatus.ENROLLED, 8),
    (EnrolmentStatus.REFERRED, 5),
]
FIRST_NAMES_F = [
    ("فاطمة", "Fatma"), ("مريم", "Mariam"), ("نور", "Nour"), ("سارة", "Sara"),
    ("هبة", "Heba"), ("آية", "Aya"), ("ياسمين", "Yasmin"), ("أمل", "Amal"),
    ("زينب", "Zeinab"), ("منى", "Mona"), ("رحمة", "Rahma"), ("سلمى", "Salma"),
    ("هاجر", "Hagar"), ("دعاء", "Doaa"), ("أسماء", "Asmaa"), ("حليمة", "Halima"),
]  # fmt: skip
FIRST_NAMES_M = [
    ("محمد", "Mohamed"), ("أحمد", "Ahmed"), ("محمود", "Mahmoud"), ("علي", "Ali"),
    ("عمر", "Omar"), ("يوسف", "Youssef"), ("حسن", "Hassan"), ("إبراهيم", "Ibrahim"),
    ("خالد", "Khaled"), ("مصطفى", "Mostafa"), ("آدم", "Adam"), ("سعيد", "Saeed"),
]  # fmt: skip
FAMILY_NAMES = [
    *FIRST_NAMES_M,
    ("عبد الرحمن", "Abdelrahman"), ("السيد", "El Sayed"), ("عثمان", "Osman"),
    ("جمال", "Gamal"), ("فاروق", "Farouk"), ("منصور", "Mansour"), ("شاكر", "Shaker"),
]  # fmt: skip

# The agencies each governorate has, with how many of each kind.
GOVERNORATE_AGENCIES = [
    (AgencyKind.DIRECTORATE, 1, "Directorate of Social Solidarity", "مديرية التضامن الاجتماعي"),
    (AgencyKind.NGO, 2, "Survivors' Support Association", "جمعية دعم الناجيات والناجين"),
    (AgencyKind.SHELTER, 1, "Protection Shelter", "دار الحماية"),
    (AgencyKind.POLICE, 1, "Anti-Trafficking Police", "شرطة مكافحة الاتجار بالبشر"),
    (AgencyKind.PROSECUTION, 1, "Public Prosecution Office", "نيابة"),
    (AgencyKind.HEALTH, 1, "General Hospital", "المستشفى العام"),
]


# --- the writer -----------------------------------------------------------------------------


def _utc(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, day_time(hour, minute), tzinfo=UTC)


class Writer:
    """Bulk writes with the primary keys given here, counting rows per table."""

    def __init__(self, *, batch: int, report: Callable[[str], None]) -> None:
        self.batch = batch
        self.report = report
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.next_ids: dict[type[models.Model], int] = {}
        self.postgres = connection.vendor == "postgresql"
        self._columns: dict[type[models.Model], list[tuple[str, str, Converter | None]]] = {}
        self.written: set[type[models.Model]] = set()

    def ids(self, model: type[models.Model], count: int) -> range:
        """``count`` fresh primary keys for ``model``, after every stored one."""
        start = self.next_ids.get(model)
        if start is None:
            start = (model._base_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.next_ids[model] = start + count
        return range(start, start + count)

    def _plan(self, model: type[models.Model]) -> list[tuple[str, str, Converter | None]]:
        """Each column with the function that turns a given value into a database value
        (none where the driver takes the value as it is)."""
        if model in self._columns:
            return self._columns[model]
        plan: list[tuple[str, str, Converter | None]] = []
        for model_field in model._meta.concrete_fields:
            convert: Converter | None
            if isinstance(model_field, EncryptedTextField):
                convert = None  # already a token
            elif isinstance(model_field, models.JSONField):
                convert = json.dumps
            elif isinstance(model_field, models.DateTimeField):
                convert = None if self.postgres else _sqlite_datetime
            elif isinstance(model_field, models.DateField):
                convert = None if self.postgres else _iso
            elif isinstance(model_field, models.DecimalField):
                convert = None if self.postgres else str
            elif isinstance(
                model_field,
                models.CharField
                | models.TextField
                | models.IntegerField
                | models.BooleanField
                | models.ForeignKey
                | models.AutoField
                | models.BigAutoField,
            ):
                convert = None
            else:
                convert = _prep(model_field)
            plan.append((model_field.attname, model_field.column, convert))
        self._columns[model] = plan
        return plan

    def write(self, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        """Insert the rows (each a dict by attribute name, ``id`` included); fields left out
        take their default, ``updated_at`` the row's ``created_at``."""
        if not rows:
            return
        started = time.perf_counter()
        plan = self._plan(model)
        defaults = _defaults(model)
        table = model._meta.db_table
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for _name, column, _convert in plan)
        getters = [(name, convert, defaults[name]) for name, _column, convert in plan]
        values = []
        for row in rows:
            out: list[Any] = []
            append = out.append
            get = row.get
            for name, convert, default in getters:
                value = get(name, _MISSING)
                if value is _MISSING:
                    value = get("created_at", _MISSING) if name == "updated_at" else _MISSING
                    if value is _MISSING:
                        value = default()
                if value is not None and convert is not None:
                    value = convert(value)
                append(value)
            values.append(out)
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor
                with raw.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                    for line in values:
                        copy.write_row(line)
            else:
                marks = ", ".join(["%s"] * len(plan))
                # Table and column names come from the models, never from input.
                sql = f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks})"  # noqa: S608  # model identifiers  # nosec B608
                for start in range(0, len(values), self.batch):
                    cursor.executemany(sql, values[start : start + self.batch])
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(rows)
        self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
        self.written.add(model)

    def reset_sequences(self) -> None:
        """On PostgreSQL, move each written table's sequence past the keys given here."""
        if not self.postgres or not self.written:
            return
        statements = connection.ops.sequence_reset_sql(no_style(), sorted(self.written, key=str))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _sqlite_datetime(value: datetime) -> str:
    """As Django stores an aware time on SQLite: naive, in UTC."""
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _iso(value: date) -> str:
    return value.isoformat()


def _prep(model_field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return model_field.get_db_prep_save(value, connection)

    return convert


_DEFAULTS: dict[type[models.Model], dict[str, Callable[[], Any]]] = {}


def _defaults(model: type[models.Model]) -> dict[str, Callable[[], Any]]:
    """The value of each field left out of a row: its default, or now for a timestamp."""
    if model not in _DEFAULTS:
        found: dict[str, Callable[[], Any]] = {}
        for model_field in model._meta.concrete_fields:
            if getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                found[model_field.attname] = timezone.now
            elif model_field.has_default():
                found[model_field.attname] = model_field.get_default
            elif model_field.null:
                found[model_field.attname] = _none
            elif isinstance(model_field, models.CharField | models.TextField):
                found[model_field.attname] = str
            else:
                found[model_field.attname] = _missing(model, model_field.attname)
        _DEFAULTS[model] = found
    return _DEFAULTS[model]


def _none() -> None:
    return None


def _missing(model: type[models.Model], name: str) -> Callable[[], Any]:
    def fail() -> Any:
        raise ValueError(f"{model._meta.label}.{name} needs a value")

    return fail


# --- drawing --------------------------------------------------------------------------------


class Draw:
    """Seeded choices: weighted tables are prepared once, then drawn with one bisect."""

    def __init__(self, seed: int) -> None:
        self.rng = Random(seed)
        self._tables: dict[int, tuple[list[Any], list[float]]] = {}

    def pick(self, weighted: Weighted) -> Any:
        table = self._tables.get(id(weighted))
        if table is None:
            values = [value for value, _weight in weighted]
            cumulative = list(accumulate(weight for _value, weight in weighted))
            table = self._tables[id(weighted)] = (values, cumulative)
        values, cumulative = table
        return values[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def codes(self, model: type[models.Model], count: int) -> list[str]:
        """``count`` public codes for ``model``: seeded, distinct from each other and from
        the stored rows (the same format and check character as ``core.codes``)."""
        prefix = model.CODE_PREFIX  # type: ignore[attr-defined]
        made: list[str] = []
        # Rows of earlier chunks are stored by now: the query below finds their codes.
        seen: set[str] = set()
        while len(made) < count:
            fresh = []
            for _ in range(count - len(made)):
                chars = self.rng.choices(ALPHABET, k=8)
                check = ALPHABET[sum(p * _VALUE[c] for p, c in enumerate(chars, 1)) % len(ALPHABET)]
                code = f"{prefix}-{''.join(chars[:4])}-{''.join(chars[4:])}-{check}"
                if code not in seen:
                    seen.add(code)
                    fresh.append(code)
            stored: set[str] = set()
            for start in range(0, len(fresh), 5000):
                chunk = fresh[start : start + 5000]
                stored.update(
                    model._base_manager.filter(code__in=chunk).values_list("code", flat=True)
                )
            made.extend(code for code in fresh if code not in stored)
        return made


def code_tokens(code: str) -> list[tuple[str, str]]:
    """The search tokens of a public code's endings and beginnings. A code is upper-case
    letters and digits, which normalise to themselves in lower case, so the keyed digest is
    taken directly (the tests compare it with ``survivors.indexes.survivor_search_tokens``)."""
    key = settings.BLIND_INDEX_KEY.encode("utf-8")
    return [
        (
            kind,
            hmac.digest(key, f"{SEARCH}.{kind}\x1f{text.lower()}".encode(), hashlib.sha256).hex()[
                :TOKEN_LENGTH
            ],
        )
        for kind, text in code_terms(code)
    ]


# --- the identity pool ----------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """One synthetic person's identifying values, encrypted once and reused."""

    name_ar: str
    name_latin: str
    phone: str
    date_of_birth: str
    name_ar_index: str
    name_latin_index: str
    # The search tokens of each value, sorted, so that a row gets those of the values it holds.
    tokens_ar: tuple[tuple[str, str], ...]
    tokens_latin: tuple[tuple[str, str], ...]
    tokens_phone: tuple[tuple[str, str], ...]


def _name_tokens(name: str, cache: dict[tuple[str, str], str]) -> tuple[tuple[str, str], ...]:
    """The search tokens of a name; the pool's names share words, so each term's token is
    computed once."""
    terms: set[tuple[str, str]] = set()
    for word in name_words(name):
        terms |= word_terms(word)
    tokens = set()
    for term in terms:
        if term not in cache:
            cache[term] = search_token(*term)
        tokens.add((term[0], cache[term]))
    return tuple(sorted(tokens))


def identity_pool(draw: Draw, size: int, female: bool) -> list[Identity]:
    pool = []
    cache: dict[tuple[str, str], str] = {}
    firsts = FIRST_NAMES_F if female else FIRST_NAMES_M
    for _ in range(size):
        first = draw.rng.choice(firsts)
        father, grandfather = draw.rng.choice(FAMILY_NAMES), draw.rng.choice(FAMILY_NAMES)
        name_ar = f"{first[0]} {father[0]} {grandfather[0]}"
        name_latin = f"{first[1]} {father[1]} {grandfather[1]}"
        phone = f"01{draw.rng.choice('0125')}{draw.rng.randint(10_000_000, 99_999_999)}"
        birth = date(1960, 1, 1) + draw.days(0, 20000)
        pool.append(
            Identity(
                name_ar=crypto.encrypt(name_ar),
                name_latin=crypto.encrypt(name_latin),
                phone=crypto.encrypt(phone),
                date_of_birth=crypto.encrypt(birth.isoformat()),
                name_ar_index=name_index(name_ar),
                name_latin_index=name_index(name_latin),
                tokens_ar=_name_tokens(name_ar, cache),
                tokens_latin=_name_tokens(name_latin, cache),
                tokens_phone=tuple(
                    sorted((kind, search_token(kind, text)) for kind, text in phone_terms(phone))
                ),
            )
        )
    return pool


# --- the country: agencies, staff, shelters -------------------------------------------------


@dataclass
class Place:
    """One governorate with its agencies and staff."""

    governorate: Governorate
    weight: float
    agencies: dict[str, list[int]] = field(default_factory=dict)
    workers: list[int] = field(default_factory=list)
    supervisor: int = 0
    partner_staff: dict[int, int] = field(default_factory=dict)
    shelter_staff: int = 0
    shelter: int | None = None
    # (sex accepted, accepts children) → heap of (free from, bed id, unit id)
    beds: dict[str, list[tuple[date, int]]] = field(default_factory=dict)

    @property
    def directorate(self) -> int:
        return self.agencies[AgencyKind.DIRECTORATE][0]


@dataclass
class Country:
    places: list[Place]
    ministry: int
    fund_officers: list[int]
    fund_approvers: list[int]
    empowerment_officers: list[int]


def _governorate_weights() -> list[tuple[Governorate, float]]:
    governorates = list(Governorate.objects.order_by("code"))
    known = [g.population for g in governorates if g.population]
    fallback = min(known) if known else 1
    return [(g, float(g.population or fallback)) for g in governorates]


def build_country(draw: Draw, writer: Writer, *, cases: int) -> Country:
    """The agencies of every governorate (reusing stored ones of the same kind), their staff
    and memberships, and a shelter with units and beds per governorate."""
    weights = _governorate_weights()
    total = sum(weight for _g, weight in weights)
    stored: dict[tuple[int, str], list[int]] = {}
    for pk, kind, governorate_id in (
        Agency.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", "kind", "governorate_id")
    ):
        stored.setdefault((governorate_id, kind), []).append(pk)
    ministry = Agency.objects.filter(kind=AgencyKind.MINISTRY).order_by("pk").first()
    new_agencies: list[dict[str, Any]] = []
    wanted: list[tuple[Place, str, int]] = []
    places = []
    for governorate, weight in weights:
        place = Place(governorate=governorate, weight=weight / total)
        places.append(place)
        for kind, count, name_en, name_ar in GOVERNORATE_AGENCIES:
            have = stored.get((governorate.pk, kind), [])[:count]
            place.agencies[kind] = list(have)
            for number in range(len(have), count):
                suffix = f" {number + 1}" if count > 1 else ""
                new_agencies.append(
                    {
                        "name_en": f"{governorate.name_en} {name_en}{suffix} (synthetic)",
                        "name_ar": f"{name_ar} - {governorate.name_ar}{suffix} (تجريبي)",
                        "kind": kind,
                        "governorate_id": governorate.pk,
                        "parent_id": ministry.pk if ministry and kind == "directorate" else None,
                        "created_at": _utc(date(2020, 1, 1)),
                    }
                )
                wanted.append((place, kind, 0))
    if ministry is None:
        cairo = next(g for g, _w in weights if g.code == "EG-C") if weights else None
        new_agencies.append(
            {
                "name_en": "Ministry of Social Solidarity (synthetic)",
                "name_ar": "وزارة التضامن الاجتماعي (تجريبي)",
                "kind": AgencyKind.MINISTRY,
                "governorate_id": cairo.pk if cairo else weights[0][0].pk,
                "parent_id": None,
                "created_at": _utc(date(2020, 1, 1)),
            }
        )
    ids = writer.ids(Agency, len(new_agencies))
    codes = draw.codes(Agency, len(new_agencies))
    for row, pk, code in zip(new_agencies, ids, codes, strict=True):
        row.update(id=pk, code=code)
    for (place, kind, _n), row in zip(wanted, new_agencies, strict=False):
        place.agencies[kind].append(row["id"])
    writer.write(Agency, new_agencies)
    ministry_id = ministry.pk if ministry else new_agencies[-1]["id"]

    # Staff: case workers in proportion to the cases, a supervisor, shelter staff and one
    # partner per other agency; the fund and empowerment teams at the ministry.
    users: list[dict[str, Any]] = []
    memberships: list[tuple[int, int, str]] = []
    taken = set(User.objects.filter(username__startswith="gen.").values_list("username", flat=True))

    def person(username: str, agency: int, role: str) -> int:
        user_ids = writer.ids(User, 1)
        pk = user_ids[0]
        while username in taken:
            username += "x"
        taken.add(username)
        users.append(
            {
                "id": pk,
                "username": username,
                "password": "!synthetic",
                "first_name": "",
                "last_name": "",
                "email": "",
                "is_active": True,
                "is_staff": False,
                "is_superuser": False,
                "date_joined": _utc(date(2020, 1, 1)),
            }
        )
        memberships.append((pk, agency, role))
        return pk

    for place in places:
        code = place.governorate.code.lower()
        expected = cases * place.weight
        for n in range(max(2, min(150, round(expected / 250)))):
            place.workers.append(
                person(f"gen.{code}.worker{n + 1}", place.directorate, Role.CASE_WORKER)
            )
        place.supervisor = person(f"gen.{code}.supervisor", place.directorate, Role.SUPERVISOR)
        shelter_agency = place.agencies[AgencyKind.SHELTER][0]
        place.shelter_staff = person(f"gen.{code}.shelter", shelter_agency, Role.SHELTER_STAFF)
        for kind in (AgencyKind.NGO, AgencyKind.POLICE, AgencyKind.PROSECUTION, AgencyKind.HEALTH):
            for index, agency in enumerate(place.agencies[kind]):
                place.partner_staff[agency] = person(
                    f"gen.{code}.{kind}{index + 1}", agency, Role.PARTNER_STAFF
                )
        place.partner_staff[shelter_agency] = place.shelter_staff
    officers = [person(f"gen.fund.officer{n}", ministry_id, Role.FUND_OFFICER) for n in (1, 2)]
    approvers = [
        person(f"gen.fund.approver{n}", ministry_id, Role.FUND_APPROVER) for n in (1, 2, 3)
    ]
    empowerment = [
        person(f"gen.empowerment{n}", ministry_id, Role.EMPOWERMENT_OFFICER) for n in (1, 2)
    ]
    writer.write(User, users)
    membership_ids = writer.ids(Membership, len(memberships))
    writer.write(
        Membership,
        [
            {
                "id": pk,
                "user_id": user,
                "agency_id": agency,
                "role": role,
                "is_active": True,
                "status": "active",
                "created_at": _utc(date(2020, 1, 1)),
            }
            for pk, (user, agency, role) in zip(membership_ids, memberships, strict=True)
        ],
    )
    _build_shelters(draw, writer, places, cases=cases)
    return Country(
        places=places,
        ministry=ministry_id,
        fund_officers=officers,
        fund_approvers=approvers,
        empowerment_officers=empowerment,
    )


UNITS = [
    # label, sex accepted, children, adolescents, adults, mothers, share of the beds
    ("وحدة النساء (تجريبي)", SexAccepted.FEMALE, False, False, True, True, 0.5),
    ("وحدة الفتيات (تجريبي)", SexAccepted.FEMALE, True, True, False, False, 0.25),
    ("وحدة الرجال والفتيان (تجريبي)", SexAccepted.MALE, False, True, True, False, 0.25),
]


def _build_shelters(draw: Draw, writer: Writer, places: list[Place], *, cases: int) -> None:
    """A shelter record for each governorate's shelter agency (the stored one if any), and
    synthetic units with beds sized to the expected stays; beds already holding an open
    stay are never offered."""
    existing = {s.agency_id: s.pk for s in Shelter.objects.all()}
    new_shelters = []
    for place in places:
        agency = place.agencies[AgencyKind.SHELTER][0]
        if agency in existing:
            place.shelter = existing[agency]
        else:
            place.shelter = writer.ids(Shelter, 1)[0]
            new_shelters.append(
                {
                    "id": place.shelter,
                    "agency_id": agency,
                    "governorate_id": place.governorate.pk,
                    "address": EMPTY_TOKEN(),
                    "created_at": _utc(date(2020, 1, 1)),
                }
            )
    for row, code in zip(new_shelters, draw.codes(Shelter, len(new_shelters)), strict=True):
        row["code"] = code
    writer.write(Shelter, new_shelters)
    stored_units = {
        (u.shelter_id, u.label): u.pk
        for u in Unit.objects.filter(shelter_id__in=[p.shelter for p in places])
    }
    busy = set(Stay.objects.filter(status=StayStatus.OPEN).values_list("bed_id", flat=True))
    stored_beds: dict[int, list[tuple[int, str]]] = {}
    for pk, unit, label in Bed.objects.filter(unit_id__in=stored_units.values()).values_list(
        "pk", "unit_id", "label"
    ):
        stored_beds.setdefault(unit, []).append((pk, label))
    units, beds = [], []
    for place in places:
        # Beds for about a fifth of the governorate's cases staying some 70 nights.
        needed = cases * place.weight * 0.2 * 70 / 1000
        for label, sex, children, adolescents, adults, mothers, share in UNITS:
            unit_id = stored_units.get((place.shelter, label))  # type: ignore[arg-type]
            if unit_id is None:
                unit_id = writer.ids(Unit, 1)[0]
                units.append(
                    {
                        "id": unit_id,
                        "shelter_id": place.shelter,
                        "label": label,
                        "sex": sex,
                        "accepts_children": children,
                        "accepts_adolescents": adolescents,
                        "accepts_adults": adults,
                        "accepts_mothers_with_children": mothers,
                        "created_at": _utc(date(2020, 1, 1)),
                    }
                )
            have = stored_beds.get(unit_id, [])
            count = max(4, min(2000, round(needed * share)))
            labels = {label for _pk, label in have}
            free = [(date.min, pk) for pk, _label in have if pk not in busy]
            for number in range(1, count + 1):
                if len(labels) >= count:
                    break
                bed_label = f"G{number}"
                if bed_label in labels:
                    continue
                labels.add(bed_label)
                pk = writer.ids(Bed, 1)[0]
                beds.append({"id": pk, "unit_id": unit_id, "label": bed_label})
                free.append((date.min, pk))
            heapq.heapify(free)
            key = "child" if children and not adults else str(sex)
            place.beds[key] = free
    writer.write(Unit, units)
    writer.write(Bed, beds)


_EMPTY: list[str] = []


def EMPTY_TOKEN() -> str:
    """The ciphertext of the empty string, shared by every empty encrypted field."""
    if not _EMPTY:
        _EMPTY.append(crypto.encrypt(""))
    return _EMPTY[0]


# --- fund reference: fiscal years, limits, budget lines --------------------------------------


@dataclass
class FundYear:
    year: int
    line: int
    starts_on: date
    committed: Decimal = Decimal(0)


def build_fund(draw: Draw, writer: Writer, start: date, until: date) -> dict[date, FundYear]:
    """The fiscal years of the period with their limits (kept when present) and one budget
    line each; the lines' allocations are written at the end, once the commitments are
    known, so that no balance ever falls below zero."""
    years: dict[date, FundYear] = {}
    day = start
    lines = []
    while day <= until:
        starts_on, ends_on, label = fiscal_year_of(day)
        year, _created = FiscalYear.objects.get_or_create(
            label=label, defaults={"starts_on": starts_on, "ends_on": ends_on}
        )
        for purpose, per_request in LIMITS.items():
            PaymentLimit.objects.get_or_create(
                fiscal_year=year, purpose=purpose, defaults={"per_request": per_request}
            )
        PaymentLimit.objects.get_or_create(
            fiscal_year=year, purpose="", defaults={"per_survivor_year": PER_SURVIVOR_YEAR}
        )
        line = writer.ids(BudgetLine, 1)[0]
        lines.append(
            {
                "id": line,
                "fiscal_year_id": year.pk,
                "name_en": "Victims' assistance (synthetic)",
                "name_ar": "مساعدات الضحايا (تجريبي)",
                "source": Source.GOVERNMENT,
                "amount": Decimal("1.00"),
                "created_at": _utc(starts_on),
            }
        )
        years[starts_on] = FundYear(year=year.pk, line=line, starts_on=starts_on)
        day = ends_on + timedelta(days=1)
    for row, code in zip(lines, draw.codes(BudgetLine, len(lines)), strict=True):
        row["code"] = code
    writer.write(BudgetLine, lines)
    return years


# --- the cases --------------------------------------------------------------------------------


class Rows:
    """The rows of one chunk, by model, written together."""

    ORDER: list[type[models.Model]] = [
        Survivor,
        SurvivorAccess,
        SurvivorSearchToken,
        Consent,
        Case,
        PhaseChange,
        IdentificationDecision,
        Screening,
        ServiceDelivery,
        Referral,
        Stay,
        PaymentRequest,
        LedgerEntry,
        Enrolment,
    ]

    def __init__(self) -> None:
        self.by_model: dict[type[models.Model], list[dict[str, Any]]] = {
            model: [] for model in self.ORDER
        }
        self.forms: list[dict[str, Any]] = []

    def add(self, model: type[models.Model], row: dict[str, Any]) -> None:
        self.by_model[model].append(row)


def generate(
    *,
    cases: int,
    seed: int = 1,
    years: int = 3,
    batch: int = 2000,
    until: date | None = None,
    search_tokens: bool = True,
    pool_size: int = POOL_SIZE,
    report: Callable[[str], None] = print,
) -> dict[str, int]:
    """Write ``cases`` synthetic cases (and everything around them) over ``years`` years up
    to ``until`` (today by default); returns the rows written per table."""
    if getattr(settings, "PRODUCTION", False):
        raise GenerationRefused("synthetic data is never generated in production")
    if cases < 1 or years < 1 or batch < 1:
        raise ValueError("cases, years and batch must be positive")
    started = time.perf_counter()
    until = until or timezone.localdate()
    start = until - timedelta(days=365 * years)
    draw = Draw(seed)
    writer = Writer(batch=batch, report=report)
    with _large_cache():
        _generate(
            draw,
            writer,
            cases=cases,
            seed=seed,
            years=years,
            start=start,
            until=until,
            search_tokens=search_tokens,
            pool_size=pool_size,
            report=report,
            started=started,
        )
    return dict(writer.counts)


@contextmanager
def _large_cache() -> Iterator[None]:
    """On SQLite, a page cache of 256 MB while generating: the tables' many indexes are
    then updated in memory instead of spilling pages to the log (the size is restored)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size=-262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={previous:d}")


def _generate(
    draw: Draw,
    writer: Writer,
    *,
    cases: int,
    seed: int,
    years: int,
    start: date,
    until: date,
    search_tokens: bool,
    pool_size: int,
    report: Callable[[str], None],
    started: float,
) -> None:
    with transaction.atomic():
        country = build_country(draw, writer, cases=cases)
        fund = build_fund(draw, writer, start, until)
        reference = _reference()
        pools = {
            True: identity_pool(draw, max(1, pool_size // 2), female=True),
            False: identity_pool(draw, max(1, pool_size // 2), female=False),
        }
    report(
        f"agencies, staff, shelters and the identity pool: {time.perf_counter() - started:.1f} s"
    )
    # First contacts, oldest first, a few more in recent years; the first case of each
    # governorate comes first so that every governorate has cases.
    span = (until - start).days
    firsts = sorted(
        start + timedelta(days=int(span * draw.rng.random() ** 0.85)) for _ in range(cases)
    )
    places = country.places
    place_weights = [(place, place.weight) for place in places]
    done = 0
    while done < cases:
        size = min(CHUNK_CASES, cases - done)
        rows = Rows()
        chosen = [
            places[done + n] if done + n < len(places) else draw.pick(place_weights)
            for n in range(size)
        ]
        _make_cases(
            draw,
            writer,
            rows,
            country=country,
            fund=fund,
            reference=reference,
            pools=pools,
            firsts=firsts[done : done + size],
            chosen=chosen,
            until=until,
            search_tokens=search_tokens,
        )
        with transaction.atomic():
            for model in Rows.ORDER:
                writer.write(model, rows.by_model[model])
                if model is Case:
                    writer.write(Case.exploitation_forms.through, rows.forms)
        done += size
        elapsed = time.perf_counter() - started
        report(f"{done} of {cases} cases, {elapsed:.1f} s")
    with transaction.atomic():
        _allocate(writer, fund, country)
        writer.reset_sequences()
        record_event(
            action=AUDIT_ACTION,
            actor_username="generate_national",
            object_type="cases.case",
            details={"cases": cases, "seed": seed, "years": years, "until": until.isoformat()},
        )
    elapsed = time.perf_counter() - started
    total = sum(writer.counts.values())
    for label, count in sorted(writer.counts.items()):
        seconds = writer.seconds[label]
        rate = count / seconds if seconds else 0.0
        report(f"  {label:<36} {count:>10} rows {seconds:8.1f} s {rate:>10.0f} rows/s")
    report(f"{total} rows in {elapsed:.1f} s ({total / elapsed:.0f} rows/s)")


@dataclass
class Reference:
    forms: dict[str, int]
    services: dict[str, int]
    adult_set: int
    child_set: int
    catalogue: str
    programmes: list[Programme]


def _reference() -> Reference:
    forms = dict(ExploitationForm.objects.values_list("code", "pk"))
    services = dict(ServiceType.objects.values_list("code", "pk"))
    sets = list(IndicatorSet.objects.select_related("catalogue").order_by("pk"))
    adult = next((s for s in sets if not s.for_children), sets[0] if sets else None)
    child = next((s for s in sets if s.for_children), adult)
    if adult is None or child is None:
        raise ValueError("the screening catalogue is missing: run the migrations first")
    return Reference(
        forms=forms,
        services=services,
        adult_set=adult.pk,
        child_set=child.pk,
        catalogue=adult.catalogue.label,
        programmes=list(Programme.objects.filter(is_active=True).order_by("pk")),
    )


def _make_cases(
    draw: Draw,
    writer: Writer,
    rows: Rows,
    *,
    country: Country,
    fund: dict[date, FundYear],
    reference: Reference,
    pools: dict[bool, list[Identity]],
    firsts: list[date],
    chosen: list[Place],
    until: date,
    search_tokens: bool,
) -> None:
    """The rows of one chunk of cases, in memory."""
    count = len(firsts)
    rng = draw.rng
    survivor_ids = writer.ids(Survivor, count)
    case_ids = writer.ids(Case, count)
    survivor_codes = draw.codes(Survivor, count)
    case_codes = draw.codes(Case, count)
    empty = EMPTY_TOKEN()
    form_codes = [(code, weight) for code, weight in FORMS if code in reference.forms]
    services = [(code, w) for code, w in SERVICES if code in reference.services]
    screenings: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    referrals: list[dict[str, Any]] = []
    stays: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    enrolments: list[dict[str, Any]] = []
    for n in range(count):
        place = chosen[n]
        first = firsts[n]
        survivor_id, case_id = survivor_ids[n], case_ids[n]
        sex = draw.pick(SEXES)
        low, high = draw.pick(AGES)
        age = rng.randint(low, high)
        child = age < 18
        nationality = draw.pick(NATIONALITIES)
        foreign = nationality != "EG"
        status = draw.pick(FOREIGN_STATUS) if foreign else MigrationStatus.NOT_KNOWN
        person = rng.choice(pools[sex != Sex.MALE])
        has_latin, has_phone = rng.random() < 0.6, rng.random() < 0.7
        worker = rng.choice(place.workers)
        lead = place.directorate
        created = _utc(first, 9 + n % 8, n % 60)
        rows.add(
            Survivor,
            {
                "id": survivor_id,
                "code": survivor_codes[n],
                "name_ar": person.name_ar,
                "name_latin": person.name_latin if has_latin else empty,
                "aliases": empty,
                "date_of_birth": person.date_of_birth if rng.random() < 0.5 else empty,
                "phone": person.phone if has_phone else empty,
                "address": empty,
                "family_contact": empty,
                "unhcr_reference": empty,
                "name_ar_index": person.name_ar_index,
                "name_latin_index": person.name_latin_index if has_latin else "",
                "sex": sex,
                "birth_year": first.year - age,
                "age_is_estimated": rng.random() < 0.3,
                "nationality": nationality,
                "governorate_of_origin_id": None
                if foreign
                else (
                    place.governorate.pk
                    if rng.random() < 0.7
                    else rng.choice(chosen).governorate.pk
                ),
                "languages": LANGUAGES.get(nationality, "ar"),
                "has_disability": rng.random() < 0.04,
                "migration_status": status,
                "unhcr_registered": status
                in {MigrationStatus.REFUGEE, MigrationStatus.ASYLUM_SEEKER}
                and rng.random() < 0.8,
                "registered_by_agency_id": lead,
                "registered_by_id": worker,
                "created_at": created,
            },
        )
        rows.add(SurvivorAccess, {"survivor_id": survivor_id, "agency_id": lead})
        if search_tokens:
            tokens = set(person.tokens_ar)
            if has_latin:
                tokens.update(person.tokens_latin)
            if has_phone:
                tokens.update(person.tokens_phone)
            tokens.update(code_tokens(survivor_codes[n]))
            for kind, token in sorted(tokens):
                rows.add(
                    SurvivorSearchToken, {"survivor_id": survivor_id, "kind": kind, "token": token}
                )

        # The path through the phases.
        identified = min(first + draw.days(0, 10), until)
        moves: list[tuple[str, str, date]] = [("", Phase.IDENTIFICATION, identified)]
        reach = draw.pick(REACH)
        day = identified
        dates: dict[str, date] = {}
        for index in range(1, reach + 1):
            low_days, high_days = STAY_DAYS[PATH[index - 1]]
            nxt = day + draw.days(low_days, high_days)
            if nxt > until:
                break
            dates[PATH[index]] = nxt
            moves.append((PATH[index - 1], PATH[index], nxt))
            day = nxt
        reach = len(dates)
        phase = moves[-1][1]
        closed_on, reason = None, ""
        if rng.random() < CLOSED_SHARE:
            low_days, high_days = STAY_DAYS[phase]
            end = day + draw.days(low_days, high_days)
            if end <= until:
                closed_on, reason = end, draw.pick(CLOSURES)
                if phase == Phase.IDENTIFICATION and reason == ClosureReason.REINTEGRATED:
                    reason = ClosureReason.DECLINED
                moves.append((phase, Phase.CLOSED, end))
                phase = Phase.CLOSED
        transnational = foreign or rng.random() < 0.1
        abroad = not foreign and transnational
        # Identification decisions: reasonable grounds on identification, conclusive for
        # most that moved on; a case closed in identification was found not a victim.
        decisions = [(IdentificationStatus.POSSIBLE, identified, worker)]
        conclusive = identified + draw.days(10, 60)
        if reach >= 1 and conclusive <= (closed_on or until) and rng.random() < 0.85:
            decisions.append((IdentificationStatus.IDENTIFIED, conclusive, place.supervisor))
        elif closed_on and reach == 0 and rng.random() < 0.5:
            decisions.append((IdentificationStatus.NOT_VICTIM, closed_on, place.supervisor))
        # Screening for three in four, between first contact and identification.
        screening_code = ""
        if rng.random() < 0.75:
            screened = first + timedelta(days=rng.randint(0, (identified - first).days))
            outcome = draw.pick(SCREENING_OUTCOMES)
            if child and outcome == Outcome.EXPLOITATION:
                outcome = Outcome.CHILD_PROTECTION
            english, arabic = EXPLANATIONS[outcome]
            screenings.append(
                {
                    "survivor_id": survivor_id,
                    "indicator_set_id": reference.child_set if child else reference.adult_set,
                    "agency_id": lead,
                    "screened_by_id": worker,
                    "screened_on": screened,
                    "child_rule": child,
                    "age_at_recruitment": age if rng.random() < 0.6 else None,
                    "consent_by": "guardian" if child else "person",
                    "child_assent": child,
                    "outcome": outcome,
                    "positive_dimensions": DIMENSIONS[outcome],
                    "rule_version": RULE_VERSION,
                    "catalogue_version": reference.catalogue,
                    "explanation_en": english,
                    "explanation_ar": arabic,
                    "created_at": _utc(screened, 11),
                }
            )
            screening_code = "pending"
        rows.add(
            Case,
            {
                "id": case_id,
                "code": case_codes[n],
                "survivor_id": survivor_id,
                "lead_agency_id": lead,
                "case_worker_id": worker,
                "phase": phase,
                "first_contact_on": first,
                "identified_on": identified,
                "governorate_of_exploitation_id": None if abroad else place.governorate.pk,
                "country_of_exploitation": rng.choice(ABROAD) if abroad else "EG",
                "is_transnational": transnational,
                "closed_on": closed_on,
                "identified_by": draw.pick(CHANNELS),
                "identifying_agency_id": place.agencies[AgencyKind.POLICE][0]
                if rng.random() < 0.3
                else None,
                "recruitment_channel": draw.pick(RECRUITMENT),
                "screening_code": screening_code,
                "protection_started_on": dates.get(Phase.PROTECTION),
                "assistance_started_on": dates.get(Phase.ASSISTANCE),
                "reintegration_started_on": dates.get(Phase.REINTEGRATION),
                "follow_up_started_on": dates.get(Phase.FOLLOW_UP),
                "closure_reason": reason,
                "assigned_on": first,
                "identification_status": decisions[-1][0],
                "identification_decided_on": decisions[-1][1],
                "created_at": created,
            },
        )
        for form in sorted({draw.pick(form_codes) for _ in range(1 if rng.random() < 0.8 else 2)}):
            rows.forms.append({"case_id": case_id, "exploitationform_id": reference.forms[form]})
        for from_phase, to_phase, on in moves:
            rows.add(
                PhaseChange,
                {
                    "case_id": case_id,
                    "from_phase": from_phase,
                    "to_phase": to_phase,
                    "changed_on": on,
                    "changed_at": _utc(on, 12),
                    "changed_by_id": worker if to_phase != Phase.CLOSED else place.supervisor,
                },
            )
        previous = ""
        for status_now, on, by in decisions:
            rows.add(
                IdentificationDecision,
                {
                    "case_id": case_id,
                    "from_status": previous,
                    "status": status_now,
                    "decided_on": on,
                    "deciding_agency_id": lead,
                    "decided_by_id": by,
                    "grounds": GROUNDS[status_now],
                    "screening_code": "pending" if screening_code else "",
                    "created_at": _utc(on, 13),
                },
            )
            previous = status_now
        end = closed_on or until
        ctx = _CaseContext(
            case_id=case_id,
            survivor_id=survivor_id,
            place=place,
            worker=worker,
            identified=identified,
            end=end,
            until=until,
            sex=sex,
            age=age,
            child=child,
            dates=dates,
            reached=reach,
            phase=phase,
        )
        if reach >= 1 or rng.random() < 0.3:
            _services(draw, ctx, services, reference, deliveries)
        if rng.random() < 0.5:
            _referrals(draw, ctx, reference, referrals, rows)
        # Shelters receive women and children (a unit for men and boys from twelve).
        suits_shelter = sex == Sex.FEMALE or (sex == Sex.MALE and child)
        if reach >= 1 and suits_shelter and rng.random() < 0.35:
            _stay(draw, ctx, stays)
        if reach >= 2 and rng.random() < 0.15:
            _payments(draw, ctx, country, fund, payments)
        if reach >= 3 and rng.random() < 0.4:
            _enrolment(draw, ctx, country, reference, enrolments)

    # Codes and keys of the dependent rows; the screening reference on its case.
    screening_codes = draw.codes(Screening, len(screenings))
    by_survivor = {}
    for row, pk, code in zip(
        screenings, writer.ids(Screening, len(screenings)), screening_codes, strict=True
    ):
        row.update(id=pk, code=code)
        by_survivor[row["survivor_id"]] = code
    for case in rows.by_model[Case]:
        if case["screening_code"]:
            case["screening_code"] = by_survivor[case["survivor_id"]]
    survivor_of = {case["id"]: case["survivor_id"] for case in rows.by_model[Case]}
    for decision in rows.by_model[IdentificationDecision]:
        if decision["screening_code"]:
            decision["screening_code"] = by_survivor[survivor_of[decision["case_id"]]]
    rows.by_model[Screening] = screenings
    for model, found in (
        (ServiceDelivery, deliveries),
        (Referral, referrals),
        (Stay, stays),
        (Enrolment, enrolments),
    ):
        for row, pk, code in zip(
            found, writer.ids(model, len(found)), draw.codes(model, len(found)), strict=True
        ):
            row.update(id=pk, code=code)
        rows.by_model[model] = found
    payment_ids = writer.ids(PaymentRequest, len(payments))
    for row, pk, code in zip(
        payments, payment_ids, draw.codes(PaymentRequest, len(payments)), strict=True
    ):
        row.update(id=pk, code=code)
        for entry in row.pop("_entries"):
            entry["request_id"] = pk
            rows.add(LedgerEntry, entry)
    rows.by_model[PaymentRequest] = payments
    plain: tuple[type[models.Model], ...] = (
        SurvivorAccess,
        SurvivorSearchToken,
        Consent,
        PhaseChange,
        IdentificationDecision,
        LedgerEntry,
    )
    for plain_model in plain:
        found = rows.by_model[plain_model]
        for row, pk in zip(found, writer.ids(plain_model, len(found)), strict=True):
            row["id"] = pk
    through = Case.exploitation_forms.through
    for row, pk in zip(rows.forms, writer.ids(through, len(rows.forms)), strict=True):
        row["id"] = pk


@dataclass
class _CaseContext:
    case_id: int
    survivor_id: int
    place: Place
    worker: int
    identified: date
    end: date
    until: date
    sex: str
    age: int
    child: bool
    dates: dict[str, date]
    reached: int
    phase: str


def _services(
    draw: Draw,
    ctx: _CaseContext,
    services: Weighted,
    reference: Reference,
    out: list[dict[str, Any]],
) -> None:
    """One to four services, planned days after identification, most delivered."""
    rng = draw.rng
    for _ in range(rng.randint(1, 4)):
        service = draw.pick(services)
        planned = ctx.identified + draw.days(2, 60)
        if planned > ctx.end + timedelta(days=30):
            continue
        kind = PROVIDER_KIND.get(service, AgencyKind.NGO)
        provider = rng.choice(ctx.place.agencies.get(kind) or [ctx.place.directorate])
        delivered = None
        status = DeliveryStatus.PLANNED
        if planned <= ctx.until:
            roll = rng.random()
            if roll < 0.85:
                delivered = min(planned + draw.days(0, 5), ctx.until)
                status = DeliveryStatus.DELIVERED
            elif roll < 0.92:
                status = DeliveryStatus.CANCELLED
        out.append(
            {
                "case_id": ctx.case_id,
                "service_type_id": reference.services[service],
                "provider_id": provider,
                "status": status,
                "planned_on": planned,
                "delivered_on": delivered,
                "planned_by_id": ctx.worker,
                "created_at": _utc(min(planned, ctx.until), 10),
            }
        )


def _referrals(
    draw: Draw, ctx: _CaseContext, reference: Reference, out: list[dict[str, Any]], rows: Rows
) -> None:
    """One or two referrals to the governorate's partners; answers in hours, some late;
    each rests on the survivor's consent for that recipient (or, rarely, an override)."""
    rng = draw.rng
    for _ in range(1 if rng.random() < 0.7 else 2):
        kind = draw.pick(REFERRAL_TARGETS)
        to_agency = rng.choice(ctx.place.agencies[kind])
        service = REFERRAL_SERVICE[kind]
        sent_on = ctx.identified + draw.days(0, 30)
        if sent_on > ctx.until or service not in reference.services:
            continue
        sent_at = _utc(sent_on, 8 + rng.randint(0, 8), rng.randint(0, 59))
        now = _utc(ctx.until, 23, 59)
        hours = rng.lognormvariate(3.0, 0.8)  # a median near 20 hours, some beyond 48
        answered_at = sent_at + timedelta(hours=hours)
        override = rng.random() < 0.03
        row: dict[str, Any] = {
            "case_id": ctx.case_id,
            "from_agency_id": ctx.place.directorate,
            "to_agency_id": to_agency,
            "service_type_id": reference.services[service],
            "shared_fields": rng.choice(SHARED),
            "medical_note": EMPTY_TOKEN(),
            "safety_note": EMPTY_TOKEN(),
            "status": ReferralStatus.SENT,
            "sent_at": sent_at,
            "respond_by": sent_at + timedelta(hours=48),
            "sent_by_id": ctx.worker,
            "consent_basis": ConsentBasis.OVERRIDE if override else ConsentBasis.CONSENT,
            "override_reason": "خطر داهم على سلامة الناجية (بيانات تركيبية)" if override else "",
            "override_by_id": ctx.place.supervisor if override else None,
            "created_at": sent_at,
        }
        partner = ctx.place.partner_staff.get(to_agency, ctx.place.supervisor)
        roll = rng.random()
        if roll < 0.05:
            row.update(
                status=ReferralStatus.CANCELLED,
                cancelled_at=min(sent_at + timedelta(hours=6), now),
                cancelled_by_id=ctx.worker,
            )
        elif answered_at <= now:
            row.update(answered_at=answered_at, answered_by_id=partner)
            if roll < 0.15:
                row.update(status=ReferralStatus.DECLINED, decline_reason="لا تتوفر سعة حالياً")
            else:
                completed_at = answered_at + timedelta(days=rng.randint(3, 40))
                if completed_at <= now and roll < 0.8:
                    row.update(
                        status=ReferralStatus.COMPLETED,
                        completed_at=completed_at,
                        completed_by_id=partner,
                        outcome_note="قُدمت الخدمة (بيانات تركيبية)",
                    )
                else:
                    row["status"] = ReferralStatus.ACCEPTED
        out.append(row)
        if not override:
            rows.add(
                Consent,
                {
                    "survivor_id": ctx.survivor_id,
                    "purpose": consent_purpose_for(kind),
                    "recipient_id": to_agency,
                    "given_on": sent_on,
                    "recorded_by_id": ctx.worker,
                    "created_at": sent_at,
                },
            )


def _stay(draw: Draw, ctx: _CaseContext, out: list[dict[str, Any]]) -> None:
    """A stay in the governorate's shelter when a suitable bed is free on the day."""
    rng = draw.rng
    admitted = ctx.identified + draw.days(0, 5)
    if admitted > ctx.until:
        return
    if ctx.sex == Sex.MALE:
        key = "male" if ctx.age >= 12 else ""
    else:
        key = "child" if ctx.child else "female"
    beds = ctx.place.beds.get(key)
    if not beds or beds[0][0] > admitted:
        return
    _free, bed = heapq.heappop(beds)
    planned = rng.randint(30, 180)
    nights = max(1, int(planned * rng.uniform(0.4, 1.3)))
    ended = admitted + timedelta(days=nights)
    row: dict[str, Any] = {
        "case_id": ctx.case_id,
        "survivor_id": ctx.survivor_id,
        "bed_id": bed,
        "shelter_id": ctx.place.shelter,
        "status": StayStatus.OPEN,
        "admitted_on": admitted,
        "planned_nights": planned,
        "admitted_by_id": ctx.place.shelter_staff,
        "created_at": _utc(admitted, 15),
    }
    if ended <= ctx.until:
        row.update(
            status=StayStatus.DISCHARGED,
            ended_on=ended,
            ended_by_id=ctx.place.shelter_staff,
            destination=draw.pick(DESTINATIONS),
            nights=nights,
        )
        heapq.heappush(beds, (ended, bed))
    # An open stay keeps its bed: it is not offered again.
    out.append(row)


def _payments(
    draw: Draw,
    ctx: _CaseContext,
    country: Country,
    fund: dict[date, FundYear],
    out: list[dict[str, Any]],
) -> None:
    """A payment request in assistance, with its approvals and ledger lines."""
    rng = draw.rng
    requested_on = ctx.dates[Phase.ASSISTANCE] + draw.days(0, 90)
    if requested_on > ctx.until:
        return
    starts_on, _ends_on, _label = fiscal_year_of(requested_on)
    year = fund.get(starts_on)
    if year is None:
        return
    purpose = draw.pick(PURPOSES)
    limit = LIMITS[purpose]
    over = rng.random() < 0.1
    amount = Decimal(
        rng.randint(5, 40) * 250 if not over else int(limit) + rng.randint(1, 20) * 500
    )
    if not over:
        amount = min(amount, limit)
    status = draw.pick(PAYMENT_OUTCOMES)
    requested_at = _utc(requested_on, 10)
    if requested_at + timedelta(days=20) > _utc(ctx.until, 0) and status != PaymentStatus.REJECTED:
        status = PaymentStatus.REQUESTED
    if status == PaymentStatus.SECOND_APPROVAL_NEEDED and not over:
        status = PaymentStatus.APPROVED
    officer = rng.choice(country.fund_officers)
    first, second = rng.sample(country.fund_approvers, 2)
    row: dict[str, Any] = {
        "case_id": ctx.case_id,
        "budget_line_id": year.line,
        "purpose": purpose,
        "amount": amount,
        "justification": "احتياج موثق في خطة الرعاية (بيانات تركيبية)",
        "status": status,
        "approvals_required": 2 if over else 1,
        "limit_per_request": limit,
        "limit_per_survivor_year": PER_SURVIVOR_YEAR,
        "requested_by_id": officer,
        "created_at": requested_at,
    }
    entries: list[dict[str, Any]] = []

    def entry(kind: str, at: datetime, by: int, note: str = "") -> None:
        entries.append(
            {
                "budget_line_id": year.line,
                "kind": kind,
                "amount": amount,
                "occurred_at": at,
                "by_id": by,
                "note": note,
            }
        )

    approved_at = requested_at + timedelta(days=rng.randint(1, 6))
    second_at = approved_at + timedelta(days=rng.randint(1, 4))
    paid_at = second_at + timedelta(days=rng.randint(1, 7))
    if status == PaymentStatus.REJECTED:
        if over:  # rejected at the second approval: the commitment is released
            row.update(approved_by_id=first, approved_at=approved_at)
            entry(EntryKind.COMMITMENT, approved_at, first)
            entry(EntryKind.RELEASE, second_at, second, "rejected")
        row.update(rejected_by_id=second if over else first, rejection_reason="غير مستوفٍ للشروط")
    elif status != PaymentStatus.REQUESTED:
        row.update(approved_by_id=first, approved_at=approved_at)
        entry(EntryKind.COMMITMENT, approved_at, first)
        year.committed += amount
        if over and status != PaymentStatus.SECOND_APPROVAL_NEEDED:
            row.update(second_approved_by_id=second, second_approved_at=second_at)
        if status in {PaymentStatus.PAID, PaymentStatus.REVERSED}:
            reference = f"TRF-{rng.randint(100000, 999999)}"
            row.update(
                paid_by_id=officer,
                paid_at=paid_at,
                method=rng.choice([Method.BANK_TRANSFER, Method.MOBILE_WALLET, Method.CASH]),
                reference=reference,
            )
            entry(EntryKind.PAYMENT, paid_at, officer, reference)
        if status == PaymentStatus.REVERSED:
            reversed_at = paid_at + timedelta(days=rng.randint(1, 10))
            row.update(
                reversed_by_id=first, reversed_at=reversed_at, reversal_reason="تحويل إلى حساب خاطئ"
            )
            entry(EntryKind.REVERSAL, reversed_at, first, "reversal")
    if over and status == PaymentStatus.REJECTED:
        year.committed += amount
    row["_entries"] = entries
    out.append(row)


def _enrolment(
    draw: Draw,
    ctx: _CaseContext,
    country: Country,
    reference: Reference,
    out: list[dict[str, Any]],
) -> None:
    """A referral to an empowerment programme the survivor is eligible for, in reintegration."""
    rng = draw.rng
    referred = ctx.dates[Phase.REINTEGRATION] + draw.days(0, 60)
    if referred > ctx.until:
        return
    age = ctx.age + (referred.year - ctx.identified.year)
    eligible = [
        p
        for p in reference.programmes
        if (p.min_age is None or age >= p.min_age)
        and (p.max_age is None or age <= p.max_age)
        and (not p.allowed_sexes or ctx.sex in p.allowed_sexes)
    ]
    if not eligible:
        return
    programme = rng.choice(eligible)
    follow_up = ctx.dates.get(Phase.FOLLOW_UP)
    phase = Phase.FOLLOW_UP if follow_up and follow_up <= referred else Phase.REINTEGRATION
    status = draw.pick(ENROLMENT_OUTCOMES)
    decided = referred + draw.days(7, 40)
    ended = decided + draw.days(60, 240)
    if decided > ctx.until:
        status = EnrolmentStatus.REFERRED
    elif status in {EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT} and ended > ctx.until:
        status = EnrolmentStatus.ACTIVE
    row: dict[str, Any] = {
        "programme_id": programme.pk,
        "case_id": ctx.case_id,
        "household_role": draw.pick(HOUSEHOLD),
        "case_phase": phase,
        "status": status,
        "referred_on": referred,
        "referred_by_id": ctx.worker,
        "created_at": _utc(referred, 11),
    }
    if status != EnrolmentStatus.REFERRED:
        row.update(decided_on=decided, decided_by_id=rng.choice(country.empowerment_officers))
    if status == EnrolmentStatus.DECLINED:
        row["decline_reason"] = "لا تنطبق شروط البرنامج حالياً"
    if status in {EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT}:
        row["ended_on"] = ended
    out.append(row)


def _allocate(writer: Writer, fund: dict[date, FundYear], country: Country) -> None:
    """Each line's allocation, a quarter above everything ever committed on it, at the start
    of its fiscal year: the available balance never falls below zero."""
    entries = []
    approver = country.fund_approvers[0]
    for year in fund.values():
        amount = max(
            Decimal("100000.00"), (year.committed * Decimal("1.25")).quantize(Decimal(1000))
        )
        BudgetLine.objects.filter(pk=year.line).update(amount=amount)
        entries.append(
            {
                "budget_line_id": year.line,
                "kind": EntryKind.ALLOCATION,
                "amount": amount,
                "occurred_at": _utc(year.starts_on, 8),
                "by_id": approver,
                "note": "",
            }
        )
    for row, pk in zip(entries, writer.ids(LedgerEntry, len(entries)), strict=True):
        row["id"] = pk
    writer.write(LedgerEntry, entries)


def table_digest(models_: Iterable[type[models.Model]]) -> str:
    """A digest of the rows of the tables (every column but the timestamps of writing), to
    compare two generated databases."""
    import hashlib

    digest = hashlib.sha256()
    for model in models_:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        ]
        for row in model._base_manager.order_by("pk").values_list(*names):
            digest.update(repr(row).encode())
    return digest.hexdigest()
