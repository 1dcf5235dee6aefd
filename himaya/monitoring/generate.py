"""A synthetic national dataset for the indicators and for load tests (``generate_national``).

Every one of Egypt's 27 governorates gets its directorate, NGOs, a shelter with units and
beds, police, prosecution and a health service (the agencies the demo already made are
reused), their staff, and cases spread over several years, weighted by population: the
survivors (with their access rows and search tokens), the cases with their phase history,
identification decisions, forms of exploitation, screenings, service deliveries, referrals
with the consent they rest on, shelter stays, fund payment requests with their approvals and
ledger lines, and enrolments in empowerment programmes.

Speed. Rows are written in bulk only, never one by one: ``executemany`` of one prepared
``INSERT`` per batch on SQLite, ``COPY … FROM STDIN`` on PostgreSQL (rows holding only
numbers and plain text, the search tokens among them, as preformatted text blocks). Primary
keys are given here (after the largest stored one; PostgreSQL sequences are moved past them
at the end), so that related rows need no round trip. The rows of the cases are built as
tuples in column order with each value already as the database takes it: days are ordinals
turned into text by a table lookup, each draw is one call of ``random()`` into a prepared
cumulative table, public codes are drawn a chunk at a time with numpy. Encrypting a million
names with Fernet takes minutes, so a pool of a few thousand synthetic identities is
encrypted once (names, phone, date of birth, with their blind indexes and name and phone
search tokens) and its tokens are reused across rows: many survivors share a ciphertext,
which a real registry never would. Only the search tokens of each public code are computed
per survivor. Run outside a transaction (as the command does), the loaded tables' secondary
indexes (and, on PostgreSQL, their foreign keys) are dropped for the load and created again
at the end, then the tables are analysed.

Reproducible. Everything is drawn from one ``random.Random(seed)`` (the numpy generator of
each batch of codes is seeded from it), public codes included (same alphabet and check
character as ``core.codes``, distinct within the run and from the stored rows): the same
seed, the same ``until`` date and the same starting database give the same rows.

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
from bisect import bisect as bisect_
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from decimal import Decimal
from hmac import digest as _hmac_digest
from itertools import accumulate, chain, repeat
from random import Random
from typing import Any

import numpy as np
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
from himaya.fund.actions import recount_line_totals
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
from himaya.survivors.indexes import SEARCH, TOKEN_LENGTH, match_token, name_index, search_token
from himaya.survivors.models import (
    Consent,
    MigrationStatus,
    Sex,
    Survivor,
    SurvivorAccess,
    SurvivorMatchKey,
    SurvivorSearchToken,
)
from himaya.survivors.rules import (
    CODE,
    CODE_SUFFIX_FROM,
    blocking_parts,
    code_terms,
    match_keys_of_parts,
    name_words,
    phone_terms,
    word_terms,
)

AUDIT_ACTION = "monitoring.synthetic_data_generated"
POOL_SIZE = 2000
CHUNK_CASES = 20000

Weighted = Sequence[tuple[Any, float]]
Converter = Callable[[Any], Any]
_MISSING = object()


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
        self.building = 0.0

    def next_id(self, model: type[models.Model], count: int = 0) -> int:
        """The next free primary key of ``model``, taking ``count`` keys from there."""
        start = self.next_ids.get(model)
        if start is None:
            start = (model._base_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.next_ids[model] = start + count
        return start

    def ids(self, model: type[models.Model], count: int) -> range:
        """``count`` fresh primary keys for ``model``, after every stored one."""
        start = self.next_id(model, count)
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

    def template(self, model: type[models.Model], names: Sequence[str]) -> list[Any]:
        """A row of the ``names`` columns holding each field's default as the database
        takes it (none for a field that has no default): copied, then filled in."""
        converters = {name: convert for name, _column, convert in self._plan(model)}
        defaults = _defaults(model)
        row: list[Any] = []
        for name in names:
            try:
                value = defaults[name]()
            except ValueError:
                value = None  # required: always given
            convert = converters[name]
            row.append(convert(value) if value is not None and convert is not None else value)
        return row

    def write_rows(
        self,
        model: type[models.Model],
        names: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        plain: bool = False,
    ) -> None:
        """Insert rows given in the order of ``names`` (``id`` included), each value as the
        database takes it (days and times as text, JSON as text); the other fields take
        their default, ``updated_at`` the row's ``created_at``. ``plain`` rows hold only
        numbers and text without tabs, newlines, backslashes or nulls: on PostgreSQL they
        are sent as preformatted text."""
        if not rows:
            return
        started = time.perf_counter()
        plan = self._plan(model)
        defaults = _defaults(model)
        quote = connection.ops.quote_name
        column_of = {name: column for name, column, _convert in plan}
        columns = [column_of[name] for name in names]
        copied: int | None = None
        tail: list[Any] = []
        tail_columns: list[str] = []
        for name, column, convert in plan:
            if name in names:
                continue
            if name == "updated_at" and "created_at" in names:
                copied = list(names).index("created_at")
                columns.append(column)
                continue
            value = defaults[name]()
            if value is not None and convert is not None:
                value = convert(value)
            tail.append(value)
            tail_columns.append(column)
        columns += tail_columns
        extra = tuple(tail)
        if copied is not None:
            full: Sequence[Sequence[Any]] = [(*row, row[copied], *extra) for row in rows]
        elif extra:
            full = [(*row, *extra) for row in rows]
        else:
            full = rows
        table = quote(model._meta.db_table)
        column_list = ", ".join(quote(column) for column in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                    if plain:
                        join = "\t".join
                        for start in range(0, len(full), 50000):
                            block = [join(map(str, row)) for row in full[start : start + 50000]]
                            block.append("")
                            copy.write("\n".join(block))
                    else:
                        for line in full:
                            copy.write_row(line)
            else:
                marks = ", ".join(["?"] * len(columns))
                # Table and column names come from the models, never from input.
                sql = f"INSERT INTO {table} ({column_list}) VALUES ({marks})"  # noqa: S608  # model identifiers  # nosec B608
                # The driver's own executemany: the values are already in its style.
                raw = cursor.connection
                for start in range(0, len(full), self.batch):
                    raw.executemany(sql, full[start : start + self.batch])
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
            for code in _draw_codes(prefix, count - len(made), self.rng.getrandbits(64)):
                if code not in seen:
                    seen.add(code)
                    fresh.append(code)
            stored: set[str] = set()
            table = connection.ops.quote_name(model._meta.db_table)
            for start in range(0, len(fresh), 5000):
                chunk = fresh[start : start + 5000]
                marks = ", ".join(["%s"] * len(chunk))
                with connection.cursor() as cursor:
                    # The table name comes from the model; the codes are parameters.
                    cursor.execute(
                        f"SELECT code FROM {table} WHERE code IN ({marks})",  # noqa: S608  # nosec B608
                        chunk,
                    )
                    stored.update(code for (code,) in cursor.fetchall())
            made.extend(code for code in fresh if code not in stored)
        return made


_LETTERS = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_POSITIONS = np.arange(1, 9, dtype=np.int64)


def _draw_codes(prefix: str, count: int, seed: int) -> list[str]:
    """``count`` codes drawn at once from a generator seeded with ``seed``: eight characters
    of the alphabet and the check character of ``core.codes``, laid out as bytes."""
    chosen = np.random.default_rng(seed).integers(0, len(ALPHABET), size=(count, 8))
    check = ((chosen + 1) @ _POSITIONS) % len(ALPHABET)
    layout = np.frombuffer(f"{prefix}-0000-0000-0".encode("ascii"), dtype=np.uint8)
    width = len(layout)
    out = np.tile(layout, (count, 1))
    at = len(prefix) + 1
    out[:, at : at + 4] = _LETTERS[chosen[:, :4]]
    out[:, at + 5 : at + 9] = _LETTERS[chosen[:, 4:]]
    out[:, at + 10] = _LETTERS[check]
    text = out.tobytes().decode("ascii")
    return [text[start : start + width] for start in range(0, len(text), width)]


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
    # What the blocking keys combine, in memory only: the parts of each name (split once
    # for every survivor given this identity) and the phone number.
    parts_ar: tuple[str, ...] = ()
    parts_latin: tuple[str, ...] = ()
    phone_number: str = ""


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
                parts_ar=tuple(blocking_parts(name_ar)),
                parts_latin=tuple(blocking_parts(name_latin)),
                phone_number=phone,
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
    # The unit's key ("female", "child", "male") → heap of (day free from, bed id).
    beds: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # Set once the agencies exist (``prepare``).
    directorate_id: int = 0
    governorate_id: int = 0
    police: int = 0
    # Service code → the agencies that provide it here.
    providers: dict[str, list[int]] = field(default_factory=dict)

    @property
    def directorate(self) -> int:
        return self.agencies[AgencyKind.DIRECTORATE][0]

    def prepare(self) -> None:
        """The values each case reads, looked up once."""
        self.directorate_id = self.directorate
        self.governorate_id = self.governorate.pk
        self.police = self.agencies[AgencyKind.POLICE][0]
        for service, _weight in SERVICES:
            kind = PROVIDER_KIND.get(service, AgencyKind.NGO)
            self.providers[service] = self.agencies.get(kind) or [self.directorate]


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
            free = [(0, pk) for pk, _label in have if pk not in busy]
            for number in range(1, count + 1):
                if len(labels) >= count:
                    break
                bed_label = f"G{number}"
                if bed_label in labels:
                    continue
                labels.add(bed_label)
                pk = writer.ids(Bed, 1)[0]
                beds.append({"id": pk, "unit_id": unit_id, "label": bed_label})
                free.append((0, pk))
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
#
# Rows are built as tuples (or lists, where a value is filled in after the loop) in the
# column order below, each value already as the database takes it: days and times as text
# looked up in the tables of a ``Calendar``, JSON as text. Every draw is one call of the
# seeded ``random()``, picked from prepared cumulative tables with one bisect.

SURVIVOR_COLUMNS = (
    "id", "code", "name_ar", "name_latin", "aliases", "date_of_birth", "phone", "address",
    "family_contact", "unhcr_reference", "name_ar_index", "name_latin_index", "sex",
    "birth_year", "age_is_estimated", "nationality", "governorate_of_origin_id", "languages",
    "has_disability", "migration_status", "unhcr_registered", "registered_by_agency_id",
    "registered_by_id", "created_at",
)  # fmt: skip
ACCESS_COLUMNS = ("id", "survivor_id", "agency_id")
TOKEN_COLUMNS = ("id", "survivor_id", "kind", "token")
MATCH_KEY_COLUMNS = ("id", "survivor_id", "key")
CONSENT_COLUMNS = (
    "id", "survivor_id", "purpose", "recipient_id", "given_on", "recorded_by_id", "created_at",
)  # fmt: skip
CASE_COLUMNS = (
    "id", "code", "survivor_id", "lead_agency_id", "case_worker_id", "phase",
    "first_contact_on", "identified_on", "governorate_of_exploitation_id",
    "country_of_exploitation", "is_transnational", "closed_on", "identified_by",
    "identifying_agency_id", "recruitment_channel", "screening_code", "protection_started_on",
    "assistance_started_on", "reintegration_started_on", "follow_up_started_on",
    "closure_reason", "assigned_on", "identification_status", "identification_decided_on",
    "created_at",
)  # fmt: skip
CASE_SCREENING = CASE_COLUMNS.index("screening_code")
FORM_COLUMNS = ("id", "case_id", "exploitationform_id")
PHASE_COLUMNS = (
    "id", "case_id", "from_phase", "to_phase", "changed_on", "changed_at", "changed_by_id",
)  # fmt: skip
DECISION_COLUMNS = (
    "id", "case_id", "from_status", "status", "decided_on", "deciding_agency_id",
    "decided_by_id", "grounds", "screening_code", "created_at",
)  # fmt: skip
DECISION_SCREENING = DECISION_COLUMNS.index("screening_code")
SCREENING_COLUMNS = (
    "id", "code", "survivor_id", "indicator_set_id", "agency_id", "screened_by_id",
    "screened_on", "child_rule", "age_at_recruitment", "consent_by", "child_assent", "outcome",
    "positive_dimensions", "rule_version", "catalogue_version", "explanation_en",
    "explanation_ar", "created_at",
)  # fmt: skip
DELIVERY_COLUMNS = (
    "id", "code", "case_id", "service_type_id", "provider_id", "status", "planned_on",
    "delivered_on", "planned_by_id", "created_at",
)  # fmt: skip
REFERRAL_COLUMNS = (
    "id", "code", "case_id", "from_agency_id", "to_agency_id", "service_type_id",
    "shared_fields", "medical_note", "safety_note", "status", "sent_at", "respond_by",
    "sent_by_id", "consent_basis", "override_reason", "override_by_id", "created_at",
    "cancelled_at", "cancelled_by_id", "answered_at", "answered_by_id", "decline_reason",
    "completed_at", "completed_by_id", "outcome_note",
)  # fmt: skip
STAY_COLUMNS = (
    "id", "code", "case_id", "survivor_id", "bed_id", "shelter_id", "status", "admitted_on",
    "planned_nights", "admitted_by_id", "created_at", "ended_on", "ended_by_id", "destination",
    "nights",
)  # fmt: skip
PAYMENT_COLUMNS = (
    "id", "code", "case_id", "budget_line_id", "purpose", "amount", "justification", "status",
    "approvals_required", "limit_per_request", "limit_per_survivor_year", "requested_by_id",
    "created_at", "approved_by_id", "approved_at", "second_approved_by_id",
    "second_approved_at", "rejected_by_id", "rejection_reason", "paid_by_id", "paid_at",
    "method", "reference", "reversed_by_id", "reversed_at", "reversal_reason",
)  # fmt: skip
LEDGER_COLUMNS = (
    "id", "budget_line_id", "request_id", "kind", "amount", "occurred_at", "by_id", "note",
)  # fmt: skip
ENROLMENT_COLUMNS = (
    "id", "code", "programme_id", "case_id", "household_role", "case_phase", "status",
    "referred_on", "referred_by_id", "created_at", "decided_on", "decided_by_id",
    "decline_reason", "ended_on",
)  # fmt: skip


def _positions(columns: tuple[str, ...]) -> Any:
    """The index of each column, as attributes: ``R.status``."""
    return type("Positions", (), {name: index for index, name in enumerate(columns)})


R = _positions(REFERRAL_COLUMNS)
S = _positions(STAY_COLUMNS)
P = _positions(PAYMENT_COLUMNS)
E = _positions(ENROLMENT_COLUMNS)


def _table(weighted: Weighted) -> tuple[list[Any], list[float]]:
    """The values of a weighted table and their cumulative shares (the last exactly 1), so
    that ``values[bisect(shares, random())]`` draws one."""
    total = sum(weight for _value, weight in weighted)
    shares = [share / total for share in accumulate(weight for _value, weight in weighted)]
    shares[-1] = 1.0
    return [value for value, _weight in weighted], shares


class Calendar:
    """Days as ordinals, turned into the text the database takes by a table lookup."""

    def __init__(self, first: int, last: int, *, postgres: bool) -> None:
        self.tz = "+00:00" if postgres else ""
        self.days = [""] * (last + 1)
        for ordinal in range(first, last + 1):
            self.days[ordinal] = date.fromordinal(ordinal).isoformat()
        # " HH:MM:00" for each minute of the day.
        self.minutes = [f" {m // 60:02d}:{m % 60:02d}:00{self.tz}" for m in range(24 * 60)]

    def at(self, ordinal: int, hour: int, minute: int = 0) -> str:
        return self.days[ordinal] + self.minutes[hour * 60 + minute]

    def moment(self, value: datetime) -> str:
        """A naive UTC time as the database takes it (as Django writes it)."""
        return f"{value}{self.tz}"


@dataclass
class Chunk:
    """The rows of one chunk of cases, by model, in the order they are written."""

    survivors: list[tuple[Any, ...]] = field(default_factory=list)
    access: list[tuple[Any, ...]] = field(default_factory=list)
    tokens: list[tuple[Any, ...]] = field(default_factory=list)
    match_keys: list[tuple[Any, ...]] = field(default_factory=list)
    consents: list[tuple[Any, ...]] = field(default_factory=list)
    cases: list[list[Any]] = field(default_factory=list)
    forms: list[tuple[Any, ...]] = field(default_factory=list)
    phases: list[tuple[Any, ...]] = field(default_factory=list)
    decisions: list[list[Any]] = field(default_factory=list)
    screenings: list[list[Any]] = field(default_factory=list)
    deliveries: list[list[Any]] = field(default_factory=list)
    referrals: list[list[Any]] = field(default_factory=list)
    stays: list[list[Any]] = field(default_factory=list)
    payments: list[list[Any]] = field(default_factory=list)
    ledger: list[tuple[Any, ...]] = field(default_factory=list)
    enrolments: list[list[Any]] = field(default_factory=list)

    def write(self, writer: Writer) -> None:
        writer.write_rows(Survivor, SURVIVOR_COLUMNS, self.survivors)
        writer.write_rows(SurvivorAccess, ACCESS_COLUMNS, self.access, plain=True)
        writer.write_rows(SurvivorSearchToken, TOKEN_COLUMNS, self.tokens, plain=True)
        writer.write_rows(SurvivorMatchKey, MATCH_KEY_COLUMNS, self.match_keys, plain=True)
        writer.write_rows(Consent, CONSENT_COLUMNS, self.consents)
        writer.write_rows(Case, CASE_COLUMNS, self.cases)
        writer.write_rows(Case.exploitation_forms.through, FORM_COLUMNS, self.forms, plain=True)
        writer.write_rows(PhaseChange, PHASE_COLUMNS, self.phases, plain=True)
        writer.write_rows(IdentificationDecision, DECISION_COLUMNS, self.decisions)
        writer.write_rows(Screening, SCREENING_COLUMNS, self.screenings)
        writer.write_rows(ServiceDelivery, DELIVERY_COLUMNS, self.deliveries)
        writer.write_rows(Referral, REFERRAL_COLUMNS, self.referrals)
        writer.write_rows(Stay, STAY_COLUMNS, self.stays)
        writer.write_rows(PaymentRequest, PAYMENT_COLUMNS, self.payments)
        writer.write_rows(LedgerEntry, LEDGER_COLUMNS, self.ledger)
        writer.write_rows(Enrolment, ENROLMENT_COLUMNS, self.enrolments)


def generate(
    *,
    cases: int,
    seed: int = 1,
    years: int = 3,
    batch: int = 2000,
    until: date | None = None,
    search_tokens: bool = True,
    match_keys: bool = True,
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
    with _bulk_settings(), _without_secondary_indexes(report):
        _generate(
            draw,
            writer,
            cases=cases,
            seed=seed,
            years=years,
            start=start,
            until=until,
            search_tokens=search_tokens,
            match_keys=match_keys,
            pool_size=pool_size,
            report=report,
            started=started,
        )
    total = sum(writer.counts.values())
    elapsed = time.perf_counter() - started
    report(f"{total} rows in {elapsed:.1f} s ({total / elapsed:.0f} rows/s)")
    return dict(writer.counts)


@contextmanager
def _bulk_settings() -> Iterator[None]:
    """On SQLite, a page cache of 256 MB while generating (the tables' many indexes are then
    updated in memory instead of spilling pages to the log) and, outside a transaction, no
    wait for the disk at each commit; both restored at the end."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size=-262144")
        synchronous = None
        if not connection.in_atomic_block:
            cursor.execute("PRAGMA synchronous")
            synchronous = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={previous:d}")
            if synchronous is not None:
                cursor.execute(f"PRAGMA synchronous={synchronous:d}")


# The tables written per case, whose secondary indexes and foreign keys PostgreSQL builds
# once after the load rather than row by row.
LOADED: list[type[models.Model]] = [
    Survivor,
    SurvivorAccess,
    SurvivorSearchToken,
    SurvivorMatchKey,
    Consent,
    Case,
    Case.exploitation_forms.through,
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


@contextmanager
def _without_secondary_indexes(report: Callable[[str], None]) -> Iterator[None]:
    """On PostgreSQL, outside a transaction: drop the foreign keys and the secondary indexes
    of the loaded tables (keeping the primary keys, the indexes on ``code`` that the
    generator queries, and any index a foreign key relies on), and create them again at the
    end, even after a failure; then ANALYZE. Building an index once over sorted input is
    much cheaper than updating a dozen indexes per row, and checking a foreign key once
    over the whole table cheaper than once per row."""
    if connection.in_atomic_block or connection.vendor not in {"postgresql", "sqlite"}:
        yield
        return
    tables = [model._meta.db_table for model in LOADED]
    if connection.vendor == "sqlite":
        with _sqlite_without_secondary_indexes(tables, report):
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])"
            " ORDER BY 1, 2",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,"
            " pg_get_indexdef(i.indexrelid), c.conname, pg_get_constraintdef(c.oid)"
            " FROM pg_index i LEFT JOIN pg_constraint c"
            " ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid"
            " AND c.contype IN ('u', 'x')"
            " WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f'"
            " AND f.conindid = i.indexrelid AND NOT f.conrelid = ANY(%s::regclass[]))"
            " ORDER BY 1, 2",
            [tables, tables],
        )
        indexes = [row for row in cursor.fetchall() if "USING btree (code)" not in row[2]]
        with transaction.atomic():
            for table, name, _definition in foreign_keys:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for table, index, _definition, constraint, _constraint_def in indexes:
                if constraint:
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
                else:
                    cursor.execute(f"DROP INDEX {index}")
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            with transaction.atomic():
                for table, _index, definition, constraint, constraint_def in indexes:
                    if constraint:
                        cursor.execute(
                            f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {constraint_def}'
                        )
                    else:
                        cursor.execute(definition)
                for table, name, definition in foreign_keys:
                    cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("RESET synchronous_commit")
            cursor.execute("ANALYZE")
        report(
            f"{len(indexes)} indexes and {len(foreign_keys)} foreign keys created again, "
            f"tables analysed: {time.perf_counter() - started:.1f} s"
        )


@contextmanager
def _sqlite_without_secondary_indexes(
    tables: list[str], report: Callable[[str], None]
) -> Iterator[None]:
    """The same on SQLite for the indexes created apart from their table (the unique
    columns' own indexes, ``code`` among them, stay); foreign keys are checked at commit."""
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            # Table names from the models, passed as parameters; only the marks are joined.
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"  # noqa: S608  # nosec B608
            f" AND tbl_name IN ({marks}) ORDER BY name",
            tables,
        )
        indexes = [(name, sql) for name, sql in cursor.fetchall() if '("code")' not in sql]
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
            cursor.execute("ANALYZE")
        report(
            f"{len(indexes)} indexes created again, tables analysed: "
            f"{time.perf_counter() - started:.1f} s"
        )


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
    match_keys: bool,
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
    rnd = draw.rng.random
    start_day = start.toordinal()
    firsts = sorted(start_day + int(span * rnd() ** 0.85) for _ in range(cases))
    calendar = Calendar(start_day - 1, until.toordinal() + 400, postgres=writer.postgres)
    maker = CaseMaker(
        draw,
        writer,
        calendar,
        country=country,
        fund=fund,
        reference=reference,
        pools=pools,
        until=until,
        search_tokens=search_tokens,
        match_keys=match_keys,
    )
    places = country.places
    place_values, place_shares = _table([(place, place.weight) for place in places])
    done = 0
    while done < cases:
        size = min(CHUNK_CASES, cases - done)
        chosen = [
            places[done + n]
            if done + n < len(places)
            else place_values[bisect_(place_shares, rnd())]
            for n in range(size)
        ]
        chunk = maker.chunk(firsts[done : done + size], chosen)
        with transaction.atomic():
            chunk.write(writer)
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
    report(f"building the rows: {writer.building:.1f} s; {total} rows written in {elapsed:.1f} s")


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


class CaseMaker:
    """Builds the rows of each chunk of cases; the tables, pools and texts that do not
    change from one case to the next are prepared once here."""

    def __init__(
        self,
        draw: Draw,
        writer: Writer,
        calendar: Calendar,
        *,
        country: Country,
        fund: dict[date, FundYear],
        reference: Reference,
        pools: dict[bool, list[Identity]],
        until: date,
        search_tokens: bool,
        match_keys: bool = True,
    ) -> None:
        self.draw = draw
        self.writer = writer
        self.calendar = calendar
        self.country = country
        self.fund = fund
        self.reference = reference
        self.until = until.toordinal()
        self.now = datetime.combine(until, day_time(23, 59))
        self.search_tokens = search_tokens
        self.match_keys = match_keys
        # Each blocking key's keyed digest, computed once (the pool's names share parts).
        self.match_tokens: dict[str, str] = {}
        self.empty = EMPTY_TOKEN()
        empty = self.empty
        # Each identity as the survivor's columns with and without the latin name, phone
        # and date of birth, and the sorted search tokens of each combination.
        self.pools: dict[bool, list[tuple[Any, ...]]] = {}
        for female, pool in pools.items():
            self.pools[female] = [
                (
                    person.name_ar,
                    (empty, person.name_latin),
                    (empty, person.phone),
                    (empty, person.date_of_birth),
                    person.name_ar_index,
                    ("", person.name_latin_index),
                    [
                        [
                            _kinds_and_tokens(
                                set(person.tokens_ar)
                                | (set(person.tokens_latin) if latin else set())
                                | (set(person.tokens_phone) if phone else set())
                            )
                            for phone in (0, 1)
                        ]
                        for latin in (0, 1)
                    ],
                    # What the blocking keys combine: the names' parts (the latin name's
                    # only when the row holds it) and the phone number (likewise).
                    ([list(person.parts_ar)], [list(person.parts_ar), list(person.parts_latin)]),
                    ("", person.phone_number),
                )
                for person in pool
            ]
        self.tables = {
            id(weighted): _table(weighted)
            for weighted in (
                SEXES, AGES, NATIONALITIES, FOREIGN_STATUS, CHANNELS, RECRUITMENT, REACH,
                CLOSURES, SCREENING_OUTCOMES, REFERRAL_TARGETS, DESTINATIONS, PURPOSES,
                HOUSEHOLD, ENROLMENT_OUTCOMES, PAYMENT_OUTCOMES,
            )
        }  # fmt: skip
        self.form_table = _table([(c, w) for c, w in FORMS if c in reference.forms])
        self.service_table = _table([(c, w) for c, w in SERVICES if c in reference.services])
        self.dimensions = {outcome: json.dumps(dims) for outcome, dims in DIMENSIONS.items()}
        self.shared = [json.dumps(fields) for fields in SHARED]
        self.programmes: dict[tuple[int, str], list[int]] = {}
        self.templates = {
            model: writer.template(model, columns)
            for model, columns in (
                (Referral, REFERRAL_COLUMNS),
                (Stay, STAY_COLUMNS),
                (PaymentRequest, PAYMENT_COLUMNS),
                (Enrolment, ENROLMENT_COLUMNS),
            )
        }
        self.token_key = settings.BLIND_INDEX_KEY.encode("utf-8")
        self.code_prefix = f"{SEARCH}.{CODE}\x1f"
        for place in country.places:
            place.prepare()

    def pick(self, weighted: Weighted) -> Any:
        values, shares = self.tables[id(weighted)]
        return values[bisect_(shares, self.draw.rng.random())]

    def eligible(self, age: int, sex: str) -> list[int]:
        """The programmes a survivor of that age and sex may join (computed once each)."""
        key = (age, sex)
        found = self.programmes.get(key)
        if found is None:
            found = self.programmes[key] = [
                p.pk
                for p in self.reference.programmes
                if (p.min_age is None or age >= p.min_age)
                and (p.max_age is None or age <= p.max_age)
                and (not p.allowed_sexes or sex in p.allowed_sexes)
            ]
        return found

    def chunk(self, firsts: list[int], chosen: list[Place]) -> Chunk:
        """The rows of one chunk of cases, in memory."""
        started = time.perf_counter()
        draw, writer, calendar = self.draw, self.writer, self.calendar
        rnd = draw.rng.random
        count = len(firsts)
        out = Chunk()
        days, at, minutes = calendar.days, calendar.at, calendar.minutes
        until, empty, reference = self.until, self.empty, self.reference
        tables = self.tables
        sex_v, sex_s = tables[id(SEXES)]
        age_v, age_s = tables[id(AGES)]
        nat_v, nat_s = tables[id(NATIONALITIES)]
        status_v, status_s = tables[id(FOREIGN_STATUS)]
        channel_v, channel_s = tables[id(CHANNELS)]
        recruit_v, recruit_s = tables[id(RECRUITMENT)]
        reach_v, reach_s = tables[id(REACH)]
        closure_v, closure_s = tables[id(CLOSURES)]
        outcome_v, outcome_s = tables[id(SCREENING_OUTCOMES)]
        form_v, form_s = self.form_table
        forms_of = reference.forms
        pools = self.pools
        stay_days = [STAY_DAYS[phase] for phase in PATH]
        path = PATH
        unhcr = {MigrationStatus.REFUGEE, MigrationStatus.ASYLUM_SEEKER}
        survivor_ids = writer.ids(Survivor, count)
        case_ids = writer.ids(Case, count)
        survivor_codes = draw.codes(Survivor, count)
        case_codes = draw.codes(Case, count)
        next_id = writer.next_id
        access_id = next_id(SurvivorAccess)
        token_id = next_id(SurvivorSearchToken)
        key_id = next_id(SurvivorMatchKey)
        keys_extend = out.match_keys.extend
        with_match_keys, match_tokens = self.match_keys, self.match_tokens
        form_id = next_id(Case.exploitation_forms.through)
        phase_id = next_id(PhaseChange)
        decision_id = next_id(IdentificationDecision)
        screening_id = next_id(Screening)
        survivors_add, access_add = out.survivors.append, out.access.append
        tokens_extend, cases_add = out.tokens.extend, out.cases.append
        forms_add, phases_add = out.forms.append, out.phases.append
        decisions_add, screenings_add = out.decisions.append, out.screenings.append
        # (case row, its decisions, its screening): the screening's code once drawn.
        screened_cases: list[tuple[list[Any], list[list[Any]], list[Any]]] = []
        search_tokens, code_tokens_of = self.search_tokens, self.code_tokens
        adult_set, child_set, catalogue = (
            reference.adult_set,
            reference.child_set,
            reference.catalogue,
        )
        female_pool, male_pool = pools[True], pools[False]
        closed_share = CLOSED_SHARE
        for n in range(count):
            place = chosen[n]
            first = firsts[n]
            survivor_id, case_id = survivor_ids[n], case_ids[n]
            sex = sex_v[bisect_(sex_s, rnd())]
            low, high = age_v[bisect_(age_s, rnd())]
            age = low + int(rnd() * (high - low + 1))
            child = age < 18
            nationality = nat_v[bisect_(nat_s, rnd())]
            foreign = nationality != "EG"
            status = status_v[bisect_(status_s, rnd())] if foreign else MigrationStatus.NOT_KNOWN
            pool = male_pool if sex == Sex.MALE else female_pool
            person = pool[int(rnd() * len(pool))]
            has_latin, has_phone = int(rnd() < 0.6), int(rnd() < 0.7)
            workers = place.workers
            worker = workers[int(rnd() * len(workers))]
            lead = place.directorate_id
            supervisor = place.supervisor
            governorate = place.governorate_id
            created = days[first] + minutes[(9 + n % 8) * 60 + n % 60]
            with_birth = rnd() < 0.5
            estimated = rnd() < 0.3
            if foreign:
                origin = None
            elif rnd() < 0.7:
                origin = governorate
            else:
                origin = chosen[int(rnd() * count)].governorate_id
            disability = rnd() < 0.04
            registered = status in unhcr and rnd() < 0.8
            birth_year = days_year(days[first]) - age
            survivors_add(
                (
                    survivor_id,
                    survivor_codes[n],
                    person[0],
                    person[1][has_latin],
                    empty,
                    person[3][with_birth],
                    person[2][has_phone],
                    empty,
                    empty,
                    empty,
                    person[4],
                    person[5][has_latin],
                    sex,
                    birth_year,
                    estimated,
                    nationality,
                    origin,
                    LANGUAGES.get(nationality, "ar"),
                    disability,
                    status,
                    registered,
                    lead,
                    worker,
                    created,
                )
            )
            access_add((access_id, survivor_id, lead))
            access_id += 1
            if search_tokens:
                kinds, tokens = person[6][has_latin][has_phone]
                code_tokens = code_tokens_of(survivor_codes[n])
                written = len(tokens) + len(code_tokens)
                tokens_extend(
                    zip(
                        range(token_id, token_id + written),
                        repeat(survivor_id),
                        chain(kinds, repeat(CODE, len(code_tokens))),
                        chain(tokens, code_tokens),
                        strict=False,
                    )
                )
                token_id += written
            if with_match_keys:
                keys = match_keys_of_parts(
                    parts=person[7][has_latin],
                    birth_year=birth_year,
                    document_numbers=[],
                    phones=person[8][has_phone],
                )
                digests = []
                for key in keys:
                    digest = match_tokens.get(key)
                    if digest is None:
                        digest = match_tokens[key] = match_token(key)
                    digests.append(digest)
                keys_extend(zip(range(key_id, key_id + len(digests)), repeat(survivor_id), digests))
                key_id += len(digests)

            # The path through the phases.
            identified = min(first + int(rnd() * 11), until)
            moves: list[tuple[str, str, int]] = [("", Phase.IDENTIFICATION, identified)]
            reach = reach_v[bisect_(reach_s, rnd())]
            day = identified
            dates: list[int | None] = [None] * 5
            reached = 0
            for index in range(1, reach + 1):
                low, high = stay_days[index - 1]
                nxt = day + low + int(rnd() * (high - low + 1))
                if nxt > until:
                    break
                dates[index] = nxt
                moves.append((path[index - 1], path[index], nxt))
                day = nxt
                reached = index
            reach = reached
            phase = moves[-1][1]
            closed_on: int | None = None
            reason = ""
            if rnd() < closed_share:
                low, high = STAY_DAYS[phase]
                end = day + low + int(rnd() * (high - low + 1))
                if end <= until:
                    closed_on, reason = end, closure_v[bisect_(closure_s, rnd())]
                    if phase == Phase.IDENTIFICATION and reason == ClosureReason.REINTEGRATED:
                        reason = ClosureReason.DECLINED
                    moves.append((phase, Phase.CLOSED, end))
                    phase = Phase.CLOSED
            transnational = foreign or rnd() < 0.1
            abroad = not foreign and transnational
            # Identification decisions: reasonable grounds on identification, conclusive
            # for most that moved on; a case closed in identification was found not a victim.
            decided = [(IdentificationStatus.POSSIBLE, identified, worker)]
            conclusive = identified + 10 + int(rnd() * 51)
            if reach >= 1 and conclusive <= (closed_on or until) and rnd() < 0.85:
                decided.append((IdentificationStatus.IDENTIFIED, conclusive, supervisor))
            elif closed_on and reach == 0 and rnd() < 0.5:
                decided.append((IdentificationStatus.NOT_VICTIM, closed_on, supervisor))
            # Screening for three in four, between first contact and identification.
            screening: list[Any] | None = None
            if rnd() < 0.75:
                screened = first + int(rnd() * (identified - first + 1))
                outcome = outcome_v[bisect_(outcome_s, rnd())]
                if child and outcome == Outcome.EXPLOITATION:
                    outcome = Outcome.CHILD_PROTECTION
                english, arabic = EXPLANATIONS[outcome]
                recruited_age = age if rnd() < 0.6 else None
                screening = [
                    screening_id,
                    "",
                    survivor_id,
                    child_set if child else adult_set,
                    lead,
                    worker,
                    days[screened],
                    child,
                    recruited_age,
                    "guardian" if child else "person",
                    child,
                    outcome,
                    self.dimensions[outcome],
                    RULE_VERSION,
                    catalogue,
                    english,
                    arabic,
                    at(screened, 11),
                ]
                screening_id += 1
                screenings_add(screening)
            last_status, last_on, _by = decided[-1]
            police = place.police if rnd() < 0.3 else None
            case = [
                case_id,
                case_codes[n],
                survivor_id,
                lead,
                worker,
                phase,
                days[first],
                days[identified],
                None if abroad else governorate,
                ABROAD[int(rnd() * len(ABROAD))] if abroad else "EG",
                transnational,
                None if closed_on is None else days[closed_on],
                channel_v[bisect_(channel_s, rnd())],
                police,
                recruit_v[bisect_(recruit_s, rnd())],
                "",
                None if dates[1] is None else days[dates[1]],
                None if dates[2] is None else days[dates[2]],
                None if dates[3] is None else days[dates[3]],
                None if dates[4] is None else days[dates[4]],
                reason,
                days[first],
                last_status,
                days[last_on],
                created,
            ]
            cases_add(case)
            picked = {form_v[bisect_(form_s, rnd())] for _ in range(1 if rnd() < 0.8 else 2)}
            for form in sorted(picked):
                forms_add((form_id, case_id, forms_of[form]))
                form_id += 1
            for from_phase, to_phase, on in moves:
                phases_add(
                    (
                        phase_id,
                        case_id,
                        from_phase,
                        to_phase,
                        days[on],
                        at(on, 12),
                        worker if to_phase != Phase.CLOSED else supervisor,
                    )
                )
                phase_id += 1
            previous = ""
            decision_rows = []
            for status_now, on, by in decided:
                decision = [
                    decision_id,
                    case_id,
                    previous,
                    status_now,
                    days[on],
                    lead,
                    by,
                    GROUNDS[status_now],
                    "",
                    at(on, 13),
                ]
                decision_id += 1
                decisions_add(decision)
                decision_rows.append(decision)
                previous = status_now
            if screening is not None:
                screened_cases.append((case, decision_rows, screening))
            end = closed_on or until
            if reach >= 1 or rnd() < 0.3:
                self.services(out, case_id, place, worker, identified, end)
            if rnd() < 0.5:
                self.referrals(out, case_id, survivor_id, place, worker, identified)
            # Shelters receive women and children (a unit for men and boys from twelve).
            suits_shelter = sex == Sex.FEMALE or (sex == Sex.MALE and child)
            if reach >= 1 and suits_shelter and rnd() < 0.35:
                self.stay(out, case_id, survivor_id, place, identified, sex, age, child)
            if reach >= 2 and rnd() < 0.15:
                self.payment(out, case_id, dates[2])  # type: ignore[arg-type]
            if reach >= 3 and rnd() < 0.4:
                self.enrolment(out, case_id, worker, identified, sex, age, dates)
        writer.next_ids[SurvivorAccess] = access_id
        writer.next_ids[SurvivorSearchToken] = token_id
        writer.next_ids[SurvivorMatchKey] = key_id
        writer.next_ids[Case.exploitation_forms.through] = form_id
        writer.next_ids[PhaseChange] = phase_id
        writer.next_ids[IdentificationDecision] = decision_id
        writer.next_ids[Screening] = screening_id
        # The codes of the dependent rows; the screening's code on its case and decisions.
        for model, found in (
            (Screening, out.screenings),
            (ServiceDelivery, out.deliveries),
            (Referral, out.referrals),
            (Stay, out.stays),
            (PaymentRequest, out.payments),
            (Enrolment, out.enrolments),
        ):
            for row, code in zip(found, draw.codes(model, len(found)), strict=True):
                row[1] = code
        for case, decision_rows, screening in screened_cases:
            case[CASE_SCREENING] = screening[1]
            for decision in decision_rows:
                decision[DECISION_SCREENING] = screening[1]
        writer.building += time.perf_counter() - started
        return out

    def code_tokens(self, code: str) -> list[str]:
        """As ``code_tokens``, for a code drawn here (``XX-ABCD-EFGH-K``): its endings with
        and without the check character and its beginnings, cut directly."""
        key, prefix = self.token_key, self.code_prefix
        body = (code[-11:-7] + code[-6:-2] + code[-1]).lower()
        texts = {body[start:] for start in range(len(body) - CODE_SUFFIX_FROM + 1)}
        texts.update(body[start:-1] for start in range(len(body) - CODE_SUFFIX_FROM))
        texts.update(body[:end] for end in range(CODE_SUFFIX_FROM, len(body)))
        return [
            _hmac_digest(key, f"{prefix}{text}".encode(), "sha256").hex()[:TOKEN_LENGTH]
            for text in sorted(texts)
        ]

    def services(
        self, out: Chunk, case_id: int, place: Place, worker: int, identified: int, end: int
    ) -> None:
        """One to four services, planned days after identification, most delivered."""
        rnd = self.draw.rng.random
        values, shares = self.service_table
        days, at, until = self.calendar.days, self.calendar.at, self.until
        for _ in range(1 + int(rnd() * 4)):
            service = values[bisect_(shares, rnd())]
            planned = identified + 2 + int(rnd() * 59)
            if planned > end + 30:
                continue
            providers = place.providers[service]
            provider = providers[int(rnd() * len(providers))]
            delivered = None
            status = DeliveryStatus.PLANNED
            if planned <= until:
                roll = rnd()
                if roll < 0.85:
                    delivered = days[min(planned + int(rnd() * 6), until)]
                    status = DeliveryStatus.DELIVERED
                elif roll < 0.92:
                    status = DeliveryStatus.CANCELLED
            out.deliveries.append(
                [
                    self.writer.next_id(ServiceDelivery, 1),
                    "",
                    case_id,
                    self.reference.services[service],
                    provider,
                    status,
                    days[planned],
                    delivered,
                    worker,
                    at(min(planned, until), 10),
                ]
            )

    def referrals(
        self,
        out: Chunk,
        case_id: int,
        survivor_id: int,
        place: Place,
        worker: int,
        identified: int,
    ) -> None:
        """One or two referrals to the governorate's partners; answers in hours, some
        late; each rests on the survivor's consent for that recipient (or, rarely, an
        override)."""
        rng = self.draw.rng
        rnd = rng.random
        calendar = self.calendar
        moment = calendar.moment
        services = self.reference.services
        now = self.now
        for _ in range(1 if rnd() < 0.7 else 2):
            kind = self.pick(REFERRAL_TARGETS)
            targets = place.agencies[kind]
            to_agency = targets[int(rnd() * len(targets))]
            service = REFERRAL_SERVICE[kind]
            sent_on = identified + int(rnd() * 31)
            if sent_on > self.until or service not in services:
                continue
            sent_at = datetime.fromordinal(sent_on) + timedelta(
                hours=8 + int(rnd() * 9), minutes=int(rnd() * 60)
            )
            hours = rng.lognormvariate(3.0, 0.8)  # a median near 20 hours, some beyond 48
            answered_at = sent_at + timedelta(hours=hours)
            override = rnd() < 0.03
            sent_text = moment(sent_at)
            row = self.templates[Referral][:]
            row[R.id] = self.writer.next_id(Referral, 1)
            row[R.case_id] = case_id
            row[R.from_agency_id] = place.directorate_id
            row[R.to_agency_id] = to_agency
            row[R.service_type_id] = services[service]
            row[R.shared_fields] = self.shared[int(rnd() * len(self.shared))]
            row[R.medical_note] = row[R.safety_note] = self.empty
            row[R.status] = ReferralStatus.SENT
            row[R.sent_at] = row[R.created_at] = sent_text
            row[R.respond_by] = moment(sent_at + timedelta(hours=48))
            row[R.sent_by_id] = worker
            row[R.consent_basis] = ConsentBasis.OVERRIDE if override else ConsentBasis.CONSENT
            if override:
                row[R.override_reason] = "خطر داهم على سلامة الناجية (بيانات تركيبية)"
                row[R.override_by_id] = place.supervisor
            partner = place.partner_staff.get(to_agency, place.supervisor)
            roll = rnd()
            if roll < 0.05:
                row[R.status] = ReferralStatus.CANCELLED
                row[R.cancelled_at] = moment(min(sent_at + timedelta(hours=6), now))
                row[R.cancelled_by_id] = worker
            elif answered_at <= now:
                row[R.answered_at] = moment(answered_at)
                row[R.answered_by_id] = partner
                if roll < 0.15:
                    row[R.status] = ReferralStatus.DECLINED
                    row[R.decline_reason] = "لا تتوفر سعة حالياً"
                else:
                    completed_at = answered_at + timedelta(days=3 + int(rnd() * 38))
                    if completed_at <= now and roll < 0.8:
                        row[R.status] = ReferralStatus.COMPLETED
                        row[R.completed_at] = moment(completed_at)
                        row[R.completed_by_id] = partner
                        row[R.outcome_note] = "قُدمت الخدمة (بيانات تركيبية)"
                    else:
                        row[R.status] = ReferralStatus.ACCEPTED
            out.referrals.append(row)
            if not override:
                out.consents.append(
                    (
                        self.writer.next_id(Consent, 1),
                        survivor_id,
                        consent_purpose_for(kind),
                        to_agency,
                        calendar.days[sent_on],
                        worker,
                        sent_text,
                    )
                )

    def stay(
        self,
        out: Chunk,
        case_id: int,
        survivor_id: int,
        place: Place,
        identified: int,
        sex: str,
        age: int,
        child: bool,
    ) -> None:
        """A stay in the governorate's shelter when a suitable bed is free on the day."""
        rnd = self.draw.rng.random
        admitted = identified + int(rnd() * 6)
        if admitted > self.until:
            return
        # Men and boys from twelve in their unit, girls in theirs, women in theirs.
        key = ("male" if age >= 12 else "") if sex == Sex.MALE else "child" if child else "female"
        beds = place.beds.get(key)
        if not beds or beds[0][0] > admitted:
            return
        _free, bed = heapq.heappop(beds)
        planned = 30 + int(rnd() * 151)
        nights = max(1, int(planned * (0.4 + 0.9 * rnd())))
        ended = admitted + nights
        row = self.templates[Stay][:]
        row[S.id] = self.writer.next_id(Stay, 1)
        row[S.case_id] = case_id
        row[S.survivor_id] = survivor_id
        row[S.bed_id] = bed
        row[S.shelter_id] = place.shelter
        row[S.status] = StayStatus.OPEN
        row[S.admitted_on] = self.calendar.days[admitted]
        row[S.planned_nights] = planned
        row[S.admitted_by_id] = place.shelter_staff
        row[S.created_at] = self.calendar.at(admitted, 15)
        if ended <= self.until:
            row[S.status] = StayStatus.DISCHARGED
            row[S.ended_on] = self.calendar.days[ended]
            row[S.ended_by_id] = place.shelter_staff
            row[S.destination] = self.pick(DESTINATIONS)
            row[S.nights] = nights
            heapq.heappush(beds, (ended, bed))
        # An open stay keeps its bed: it is not offered again.
        out.stays.append(row)

    def payment(self, out: Chunk, case_id: int, assistance: int) -> None:
        """A payment request in assistance, with its approvals and ledger lines."""
        rng = self.draw.rng
        rnd = rng.random
        requested_on = assistance + int(rnd() * 91)
        if requested_on > self.until:
            return
        starts_on, _ends_on, _label = fiscal_year_of(date.fromordinal(requested_on))
        year = self.fund.get(starts_on)
        if year is None:
            return
        country, moment, writer = self.country, self.calendar.moment, self.writer
        purpose = self.pick(PURPOSES)
        limit = LIMITS[purpose]
        over = rnd() < 0.1
        amount = Decimal(
            (5 + int(rnd() * 36)) * 250 if not over else int(limit) + (1 + int(rnd() * 20)) * 500
        )
        if not over:
            amount = min(amount, limit)
        status = self.pick(PAYMENT_OUTCOMES)
        requested_at = datetime.fromordinal(requested_on) + timedelta(hours=10)
        if requested_on + 20 >= self.until and status != PaymentStatus.REJECTED:
            status = PaymentStatus.REQUESTED
        if status == PaymentStatus.SECOND_APPROVAL_NEEDED and not over:
            status = PaymentStatus.APPROVED
        officers, approvers = country.fund_officers, country.fund_approvers
        officer = officers[int(rnd() * len(officers))]
        first, second = rng.sample(approvers, 2)
        row = self.templates[PaymentRequest][:]
        request_id = writer.next_id(PaymentRequest, 1)
        amount_text = str(amount)
        row[P.id] = request_id
        row[P.case_id] = case_id
        row[P.budget_line_id] = year.line
        row[P.purpose] = purpose
        row[P.amount] = amount_text
        row[P.justification] = "احتياج موثق في خطة الرعاية (بيانات تركيبية)"
        row[P.status] = status
        row[P.approvals_required] = 2 if over else 1
        row[P.limit_per_request] = str(limit)
        row[P.limit_per_survivor_year] = str(PER_SURVIVOR_YEAR)
        row[P.requested_by_id] = officer
        row[P.created_at] = moment(requested_at)

        def entry(kind: str, when: datetime, by: int, note: str = "") -> None:
            out.ledger.append(
                (
                    writer.next_id(LedgerEntry, 1),
                    year.line,
                    request_id,
                    kind,
                    amount_text,
                    moment(when),
                    by,
                    note,
                )
            )

        approved_at = requested_at + timedelta(days=1 + int(rnd() * 6))
        second_at = approved_at + timedelta(days=1 + int(rnd() * 4))
        paid_at = second_at + timedelta(days=1 + int(rnd() * 7))
        if status == PaymentStatus.REJECTED:
            if over:  # rejected at the second approval: the commitment is released
                row[P.approved_by_id], row[P.approved_at] = first, moment(approved_at)
                entry(EntryKind.COMMITMENT, approved_at, first)
                entry(EntryKind.RELEASE, second_at, second, "rejected")
            row[P.rejected_by_id] = second if over else first
            row[P.rejection_reason] = "غير مستوفٍ للشروط"
        elif status != PaymentStatus.REQUESTED:
            row[P.approved_by_id], row[P.approved_at] = first, moment(approved_at)
            entry(EntryKind.COMMITMENT, approved_at, first)
            year.committed += amount
            if over and status != PaymentStatus.SECOND_APPROVAL_NEEDED:
                row[P.second_approved_by_id] = second
                row[P.second_approved_at] = moment(second_at)
            if status in {PaymentStatus.PAID, PaymentStatus.REVERSED}:
                reference = f"TRF-{100000 + int(rnd() * 900000)}"
                methods = (Method.BANK_TRANSFER, Method.MOBILE_WALLET, Method.CASH)
                row[P.paid_by_id], row[P.paid_at] = officer, moment(paid_at)
                row[P.method] = methods[int(rnd() * 3)]
                row[P.reference] = reference
                entry(EntryKind.PAYMENT, paid_at, officer, reference)
            if status == PaymentStatus.REVERSED:
                reversed_at = paid_at + timedelta(days=1 + int(rnd() * 10))
                row[P.reversed_by_id], row[P.reversed_at] = first, moment(reversed_at)
                row[P.reversal_reason] = "تحويل إلى حساب خاطئ"
                entry(EntryKind.REVERSAL, reversed_at, first, "reversal")
        if over and status == PaymentStatus.REJECTED:
            year.committed += amount
        out.payments.append(row)

    def enrolment(
        self,
        out: Chunk,
        case_id: int,
        worker: int,
        identified: int,
        sex: str,
        age: int,
        dates: list[int | None],
    ) -> None:
        """A referral to an empowerment programme the survivor is eligible for, in
        reintegration."""
        rnd = self.draw.rng.random
        days, until = self.calendar.days, self.until
        referred = dates[3] + int(rnd() * 61)  # type: ignore[operator]
        if referred > until:
            return
        age_then = age + (int(days[referred][:4]) - int(days[identified][:4]))
        eligible = self.eligible(age_then, sex)
        if not eligible:
            return
        programme = eligible[int(rnd() * len(eligible))]
        follow_up = dates[4]
        phase = Phase.FOLLOW_UP if follow_up and follow_up <= referred else Phase.REINTEGRATION
        status = self.pick(ENROLMENT_OUTCOMES)
        decided = referred + 7 + int(rnd() * 34)
        ended = decided + 60 + int(rnd() * 181)
        if decided > until:
            status = EnrolmentStatus.REFERRED
        elif status in {EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT} and ended > until:
            status = EnrolmentStatus.ACTIVE
        row = self.templates[Enrolment][:]
        row[E.id] = self.writer.next_id(Enrolment, 1)
        row[E.programme_id] = programme
        row[E.case_id] = case_id
        row[E.household_role] = self.pick(HOUSEHOLD)
        row[E.case_phase] = phase
        row[E.status] = status
        row[E.referred_on] = days[referred]
        row[E.referred_by_id] = worker
        row[E.created_at] = self.calendar.at(referred, 11)
        if status != EnrolmentStatus.REFERRED:
            officers = self.country.empowerment_officers
            row[E.decided_on] = days[decided]
            row[E.decided_by_id] = officers[int(rnd() * len(officers))]
        if status == EnrolmentStatus.DECLINED:
            row[E.decline_reason] = "لا تنطبق شروط البرنامج حالياً"
        if status in {EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT}:
            row[E.ended_on] = days[ended]
        out.enrolments.append(row)


def _kinds_and_tokens(tokens: set[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Sorted (kind, token) pairs as a list of kinds and a list of tokens."""
    ordered = sorted(tokens)
    return [kind for kind, _token in ordered], [token for _kind, token in ordered]


def days_year(day: str) -> int:
    """The year of a day written YYYY-MM-DD."""
    return int(day[:4])


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
    # The lines keep the sums of their ledger, as the actions keep them one movement at a time.
    recount_line_totals([year.line for year in fund.values()])


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
