"""The indicators, declared in code: what each one means, how it is broken down, its
target and thresholds, and the function that computes the values of every day of a period
for every cell with one or two aggregate queries grouped by day (see docs/monitoring.md).

An administrator of indicators may change the target and thresholds
(``IndicatorSetting``); the values declared here hold until then.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import (
    CharField,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, TruncDate
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.agencies.models import Governorate
from himaya.cases.models import (
    CarePlan,
    CarePlanStatus,
    Case,
    ClosureReason,
    IdentificationChannel,
    IdentificationDecision,
    IdentificationStatus,
)
from himaya.empowerment.models import Enrolment, EnrolmentStatus, Project
from himaya.fund.models import PaymentRequest, Purpose
from himaya.fund.models import Status as PaymentStatus
from himaya.grants.models import Tranche
from himaya.monitoring import rules
from himaya.referrals.models import Referral
from himaya.referrals.models import Status as ReferralStatus
from himaya.returns.models import ReturnPlan, ReturnStatus
from himaya.screening.models import Outcome, Screening
from himaya.services.models import DeliveryStatus, ServiceDelivery
from himaya.shelters.models import DailyOccupancy
from himaya.survivors.models import Sex
from himaya.survivors.selectors import in_statistics

# --- disaggregations ------------------------------------------------------------------------

SEX = "sex"
AGE = "age"
NATIONALITY = "nat"
FORM = "form"
GOVERNORATE = "gov"
AGENCY = "agency"
CHANNEL = "channel"
REASON = "reason"
SERVICE = "service"
PURPOSE = "purpose"
PROGRAMME = "programme"
SEX_AGE = "sexage"

DIMENSIONS: dict[str, Promise] = {
    SEX: _("Sex"),
    AGE: _("Age group"),
    NATIONALITY: _("Egyptian or foreign"),
    FORM: _("Form of exploitation"),
    GOVERNORATE: _("Governorate"),
    AGENCY: _("Agency"),
    CHANNEL: _("Identification channel"),
    REASON: _("Reason for closure"),
    SERVICE: _("Type of service"),
    PURPOSE: _("Purpose of payment"),
    PROGRAMME: _("Programme"),
    SEX_AGE: _("Sex and age group"),
}

NOT_RECORDED = "none"
AGE_GROUPS: dict[str, Promise] = {
    "child": _("Children (under 18)"),
    "adult": _("Adults (18 and over)"),
    NOT_RECORDED: _("Age not recorded"),
}
NATIONALITY_GROUPS: dict[str, Promise] = {
    "egyptian": _("Egyptian"),
    "foreign": _("Foreign national"),
}
NOT_RECORDED_LABEL = _("Not recorded")
# Sex crossed with age group (SDG 16.2.2 asks for both at once): "female-child"…
SEX_AGE_GROUPS: dict[str, Any] = {
    f"{sex}-{age}": format_lazy(
        pgettext_lazy("sex and age group", "{sex}, {age}"), sex=sex_label, age=age_label
    )
    for sex, sex_label in Sex.choices
    for age, age_label in AGE_GROUPS.items()
}

FAMILIES: dict[str, Promise] = {
    "identification": _("Identification"),
    "protection": _("Protection"),
    "services": _("Services and referrals"),
    "fund": _("Fund, empowerment and grants"),
    "outcomes": _("Outcomes"),
    "sdg": _("SDG 16.2.2"),
}


@dataclass(frozen=True)
class Grouping:
    """How to read one disaggregation's member (and its names) from a query's rows."""

    member: Any
    name_ar: Any = None
    name_en: Any = None
    labels: Mapping[str, Promise] | None = None


class CellValue(NamedTuple):
    """One cell of one day: a tuple, made by the thousand for every period computed."""

    dimension: str
    member: str
    member_ar: str
    member_en: str
    numerator: Decimal
    denominator: Decimal | None


def _survivor_groupings(
    path: str, day: datetime.date, *, crossed: bool = False
) -> dict[str, Grouping]:
    """Sex, age group (on the day) and nationality of the survivor at ``path`` (and
    ``crossed``, sex and age group together)."""
    born = f"{path}birth_year"
    age = When_(
        When(**{f"{born}__isnull": True}, then=Value(NOT_RECORDED)),
        When(**{f"{born}__gt": day.year - 18}, then=Value("child")),
        default=Value("adult"),
    )
    found = {
        SEX: Grouping(F(f"{path}sex"), labels=dict(Sex.choices)),
        AGE: Grouping(age, labels=AGE_GROUPS),
        SEX_AGE: Grouping(
            Concat(F(f"{path}sex"), Value("-"), age, output_field=CharField()),
            labels=SEX_AGE_GROUPS,
        ),
        NATIONALITY: Grouping(
            When_(
                When(**{f"{path}nationality": "EG"}, then=Value("egyptian")),
                default=Value("foreign"),
            ),
            labels=NATIONALITY_GROUPS,
        ),
    }
    if not crossed:
        del found[SEX_AGE]
    return found


def _named(path: str, key: str = "code") -> Grouping:
    return Grouping(F(f"{path}{key}"), F(f"{path}name_ar"), F(f"{path}name_en"))


def _case_groupings(path: str, day: datetime.date, *, crossed: bool = False) -> dict[str, Grouping]:
    """Every disaggregation of the case at ``path`` ("" for a case itself)."""
    return {
        **_survivor_groupings(f"{path}survivor__", day, crossed=crossed),
        FORM: Grouping(
            Coalesce(
                F(f"{path}exploitation_forms__parent__code"),
                F(f"{path}exploitation_forms__code"),
            ),
            Coalesce(
                F(f"{path}exploitation_forms__parent__name_ar"),
                F(f"{path}exploitation_forms__name_ar"),
            ),
            Coalesce(
                F(f"{path}exploitation_forms__parent__name_en"),
                F(f"{path}exploitation_forms__name_en"),
            ),
        ),
        GOVERNORATE: _named(f"{path}governorate_of_exploitation__"),
        AGENCY: _named(f"{path}lead_agency__"),
        CHANNEL: Grouping(F(f"{path}identified_by"), labels=dict(IdentificationChannel.choices)),
    }


def _in_both_languages(label: Promise | str) -> tuple[str, str]:
    with translation.override("ar"):
        arabic = str(label)
    with translation.override("en"):
        english = str(label)
    return arabic, english


def _decimal(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, datetime.timedelta):
        # Whole days stay whole; a duration between two moments counts fractions of days.
        seconds = Decimal(value.days * 86_400 + value.seconds)
        return (seconds / Decimal(86_400)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Decimal(value)


def _exact_days(value: Any) -> Decimal:
    """A duration (or a number of days) in days, unrounded."""
    if isinstance(value, datetime.timedelta):
        return Decimal(value.days * 86_400 + value.seconds) / Decimal(86_400)
    return Decimal(value or 0)


def _add(before: Any, value: Any) -> Any:
    """The sum of two partial aggregates (numbers or durations; none is nothing)."""
    if value is None:
        return before
    if before is None:
        return value
    return before + value


Days = dict[datetime.date, list[CellValue]]

# The disaggregations that reach their members through a many-to-many relation: a row
# may belong to several members, so they are counted in a query of their own.
MULTIPLE = frozenset({FORM})


class _Names:
    """The Arabic and English names of members, translated once per member."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str], tuple[str, str]] = {}

    def of(
        self, dimension: str, grouping: Grouping, member: str, row: Mapping[str, Any], prefix: str
    ) -> tuple[str, str]:
        key = (dimension, member)
        names = self.known.get(key)
        if names is None:
            if member == NOT_RECORDED:
                names = _in_both_languages(NOT_RECORDED_LABEL)
            elif grouping.labels is not None:
                names = _in_both_languages(grouping.labels.get(member, member))
            else:
                names = (
                    row.get(f"{prefix}_ar") or member,
                    row.get(f"{prefix}_en") or member,
                )
            self.known[key] = names
        return names


def _member(value: Any) -> str:
    return str(value) if value not in (None, "") else NOT_RECORDED


def _each_day(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def tabulate_range(
    queryset: QuerySet[Any],
    groupings: Mapping[str, Grouping],
    *,
    day: Any,
    start: datetime.date,
    end: datetime.date,
    numerator: Any,
    denominator: Any = None,
    shift: int = 0,
) -> Days:
    """Every day from ``start`` to ``end``: its total and every member of every
    disaggregation, from the rows of ``queryset`` (already limited to the period) whose
    ``day`` expression, moved ``shift`` days on, falls on it.

    One aggregate query grouped by day and by every disaggregation that a row belongs to
    once (sex, governorate, agency…): its groups are the finest cells, few beside the
    rows they count, and the total and each disaggregation are their sums, added up here.
    One more query grouped by day and member for each disaggregation a row may belong to
    several times (forms of exploitation). A day without rows has its total only.
    """
    aggregates = {"num": numerator}
    if denominator is not None:
        aggregates["den"] = denominator
    queryset = queryset.order_by()
    moved = datetime.timedelta(days=shift)
    names = _Names()
    # (day, dimension, member) → [numerator, denominator]; the total has dimension "".
    sums: dict[tuple[datetime.date, str, str], list[Any]] = {}
    labels: dict[tuple[str, str], tuple[str, str]] = {}

    def read(chosen: list[tuple[str, Grouping]], fields: dict[str, Any], with_total: bool) -> None:
        keys = [(dimension, f"m{index}") for index, (dimension, _grouping) in enumerate(chosen)]
        for index, (_dimension, grouping) in enumerate(chosen):
            fields[f"m{index}"] = grouping.member
            if grouping.name_ar is not None:
                fields[f"m{index}_ar"] = grouping.name_ar
                fields[f"m{index}_en"] = grouping.name_en
        dated: dict[Any, datetime.date] = {}
        for row in queryset.values(**fields).annotate(**aggregates).order_by():
            raw = row["d"]
            on = dated.get(raw)
            if on is None:
                on = dated[raw] = _as_date(raw) + moved
            num, den = row["num"], row.get("den")
            cells = [(on, "", "")] if with_total else []
            for index, (dimension, key) in enumerate(keys):
                value = row[key]
                member = NOT_RECORDED if value is None or value == "" else str(value)
                if (dimension, member) not in labels:
                    labels[(dimension, member)] = names.of(
                        dimension, chosen[index][1], member, row, key
                    )
                cells.append((on, dimension, member))
            for cell in cells:
                found = sums.get(cell)
                if found is None:
                    sums[cell] = [num, den]
                else:
                    if num is not None:
                        found[0] = num if found[0] is None else found[0] + num
                    if den is not None:
                        found[1] = den if found[1] is None else found[1] + den

    read([(k, g) for k, g in groupings.items() if k not in MULTIPLE], {"d": day}, True)
    for dimension, grouping in groupings.items():
        if dimension in MULTIPLE:
            read([(dimension, grouping)], {"d": day}, False)

    ratio = denominator is not None
    result: Days = {
        on: [CellValue("", "", "", "", Decimal(0), Decimal(0) if ratio else None)]
        for on in _each_day(start, end)
    }
    for (on, dimension, member), (num, den) in sums.items():
        cells = result.get(on)
        if cells is None:
            continue
        value = CellValue(
            dimension,
            member,
            *(labels[(dimension, member)] if dimension else ("", "")),
            _decimal(num),
            _decimal(den) if ratio else None,
        )
        if dimension:
            cells.append(value)
        else:
            cells[0] = value
    return result


def _as_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value  # type: ignore[no-any-return]


def median_range(
    queryset: QuerySet[Any],
    groupings: Mapping[str, Grouping],
    *,
    day: Any,
    start: datetime.date,
    end: datetime.date,
    waited: Any,
) -> Days:
    """Every day from ``start`` to ``end``: the median of ``waited`` (a duration) over the
    rows of ``queryset`` falling on it, for the total and every member, as numerator,
    and the number of rows as denominator. One query reads the day, the members and the
    duration of each row (the rows of the period only); the medians are taken here, the
    same way on every database."""
    fields: dict[str, Any] = {"d": day, "w": waited}
    for index, grouping in enumerate(groupings.values()):
        fields[f"m{index}"] = grouping.member
        if grouping.name_ar is not None:
            fields[f"m{index}_ar"] = grouping.name_ar
            fields[f"m{index}_en"] = grouping.name_en
    names = _Names()
    found: dict[datetime.date, dict[tuple[str, str], list[Decimal]]] = {}
    labels: dict[tuple[str, str], tuple[str, str]] = {}
    for row in queryset.order_by().values(**fields):
        on = _as_date(row["d"])
        days = _exact_days(row["w"])
        cells = found.setdefault(on, {})
        cells.setdefault(("", ""), []).append(days)
        for index, (dimension, grouping) in enumerate(groupings.items()):
            member = _member(row[f"m{index}"])
            if (dimension, member) not in labels:
                labels[(dimension, member)] = names.of(
                    dimension, grouping, member, row, f"m{index}"
                )
            cells.setdefault((dimension, member), []).append(days)
    result: Days = {}
    for on in _each_day(start, end):
        cells = found.get(on, {})
        total = cells.pop(("", ""), [])
        result[on] = [CellValue("", "", "", "", rules.median(total), Decimal(len(total)))]
        for (dimension, member), values in cells.items():
            arabic, english = labels[(dimension, member)]
            result[on].append(
                CellValue(
                    dimension, member, arabic, english, rules.median(values), Decimal(len(values))
                )
            )
    return result


def count_spans(
    queryset: QuerySet[Any],
    groupings: Mapping[str, Grouping],
    *,
    span: Callable[[Mapping[str, Any]], tuple[datetime.date, datetime.date | None]],
    start: datetime.date,
    end: datetime.date,
    fields: Mapping[str, Any],
) -> Days:
    """Every day from ``start`` to ``end``: how many rows of ``queryset`` (already
    limited to those that may overlap the period) stand on it, for the total and every
    member. ``span`` gives the first and last day a row stands (none: still standing);
    one query reads the rows' members and ``fields``, and the days are added up here as
    changes at the first day and after the last."""
    values: dict[str, Any] = dict(fields)
    for index, grouping in enumerate(groupings.values()):
        values[f"m{index}"] = grouping.member
        if grouping.name_ar is not None:
            values[f"m{index}_ar"] = grouping.name_ar
            values[f"m{index}_en"] = grouping.name_en
    names = _Names()
    labels: dict[tuple[str, str], tuple[str, str]] = {}
    days = _each_day(start, end)
    steps: dict[tuple[str, str], list[int]] = {("", ""): [0] * (len(days) + 1)}
    for row in queryset.order_by().values(**values):
        first, last = span(row)
        first = max(first, start)
        last = end if last is None else min(last, end)
        if last < first:
            continue
        cells = [("", "")]
        for index, (dimension, grouping) in enumerate(groupings.items()):
            member = _member(row[f"m{index}"])
            if (dimension, member) not in labels:
                labels[(dimension, member)] = names.of(
                    dimension, grouping, member, row, f"m{index}"
                )
            cells.append((dimension, member))
        for cell in cells:
            step = steps.setdefault(cell, [0] * (len(days) + 1))
            step[(first - start).days] += 1
            step[(last - start).days + 1] -= 1
    running = dict.fromkeys(steps, 0)
    result: Days = {}
    for index, day in enumerate(days):
        for cell, step in steps.items():
            running[cell] += step[index]
        result[day] = [CellValue("", "", "", "", Decimal(running[("", "")]), None)]
        result[day] += [
            CellValue(cell[0], cell[1], *labels[cell], Decimal(count), None)
            for cell, count in running.items()
            if cell[0] and count
        ]
    return result


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of the day and of the next one, in the display time zone (Cairo)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def period_bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of ``start`` and of the day after ``end``, in the display time zone."""
    return day_bounds(start)[0], day_bounds(end)[1]


def local_day(field_name: str) -> TruncDate:
    """The day, in the display time zone, of the moment in ``field_name``."""
    return TruncDate(field_name, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _pick(groupings: Mapping[str, Grouping], keys: tuple[str, ...]) -> dict[str, Grouping]:
    return {key: groupings[key] for key in keys}


# --- the declared object ----------------------------------------------------------------------


RangeCompute = Callable[[datetime.date, datetime.date], Days]


def _statistics_open() -> bool:
    """Whether the policy counts every survivor in aggregates (no consent to check day by
    day)."""
    return in_statistics("case__survivor", on=datetime.date.today()) == Q()


def _years(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The period cut at the new years (an age group depends on the year of the day)."""
    parts = []
    while start <= end:
        last = min(end, datetime.date(start.year, 12, 31))
        parts.append((start, last))
        start = last + datetime.timedelta(days=1)
    return parts


@dataclass(frozen=True)
class Indicator:
    code: str
    family: str
    name: Promise
    definition: Promise
    unit: str
    numerator_text: Promise
    denominator_text: Promise | None
    dimensions: tuple[str, ...]
    # Computes every day of a period within one calendar year, with a few queries.
    period: RangeCompute
    higher_is_better: bool = True
    target: Decimal | None = None
    warning: Decimal | None = None
    critical: Decimal | None = None
    # Which figure counts people for small-cell suppression (none: nothing to protect).
    suppress_on: str | None = "numerator"
    source: Promise | str = ""
    # A median's numerator is the median itself (the denominator counts the rows).
    median: bool = False
    order: int = field(default=0)

    def compute_range(self, start: datetime.date, end: datetime.date) -> Days:
        """The values of every day from ``start`` to ``end`` included. Where statistics
        count only the survivors whose consent stands on each day, day by day."""
        if not _statistics_open():
            return {day: self.period(day, day)[day] for day in _each_day(start, end)}
        values: Days = {}
        for first, last in _years(start, end):
            values.update(self.period(first, last))
        return values

    def compute(self, day: datetime.date) -> list[CellValue]:
        """The values of one day."""
        return self.compute_range(day, day)[day]


REGISTRY: dict[str, Indicator] = {}


def indicator(**declared: Any) -> Callable[[RangeCompute], RangeCompute]:
    """Declare the decorated function (of a period) as the computation of an indicator."""

    def register(period: RangeCompute) -> RangeCompute:
        item = Indicator(period=period, order=len(REGISTRY), **declared)
        if item.unit not in rules.UNITS:
            raise ValueError(f"unknown unit {item.unit}")
        for dimension in item.dimensions:
            if dimension not in DIMENSIONS:
                raise ValueError(f"unknown disaggregation {dimension}")
        REGISTRY[item.code] = item
        return period

    return register


_ORDERED: list[Indicator] = []


def all_indicators() -> list[Indicator]:
    """Every indicator in the order declared (a list made once, not to be changed)."""
    if len(_ORDERED) != len(REGISTRY):
        _ORDERED[:] = sorted(REGISTRY.values(), key=lambda item: item.order)
    return _ORDERED


def get_indicator(code: str) -> Indicator | None:
    return REGISTRY.get(code)


ALL_CASE_DIMENSIONS = (SEX, AGE, NATIONALITY, FORM, GOVERNORATE, AGENCY, CHANNEL)
PEOPLE = (SEX, AGE, NATIONALITY)
POSITIVE_SCREENING = [Outcome.INDICATED, Outcome.PROBABLE]

# --- identification ---------------------------------------------------------------------------


def _screenings(
    start: datetime.date, end: datetime.date
) -> tuple[QuerySet[Any], dict[str, Grouping]]:
    groupings = {
        **_survivor_groupings("survivor__", start),
        AGENCY: _named("agency__"),
    }
    return Screening.objects.filter(screened_on__range=(start, end)), groupings


@indicator(
    code="screenings",
    family="identification",
    name=_("Screenings done"),
    definition=_(
        "Screenings of presumed victims recorded on the day, whatever their outcome. A "
        "screening is not an identification: it proposes a decision that an authorised "
        "person takes."
    ),
    unit=rules.COUNT,
    numerator_text=_("Screenings recorded on the day"),
    denominator_text=None,
    dimensions=(SEX, AGE, NATIONALITY, AGENCY),
)
def compute_screenings(start: datetime.date, end: datetime.date) -> Days:
    queryset, groupings = _screenings(start, end)
    return tabulate_range(
        queryset, groupings, day=F("screened_on"), start=start, end=end, numerator=Count("id")
    )


@indicator(
    code="screenings_positive",
    family="identification",
    name=_("Share of screenings indicating trafficking"),
    definition=_(
        "Screenings of the day whose outcome is that trafficking is indicated or probable, "
        "as a share of all screenings of the day."
    ),
    unit=rules.PERCENT,
    numerator_text=_("Screenings indicating trafficking (indicated or probable)"),
    denominator_text=_("Screenings recorded on the day"),
    dimensions=(SEX, AGE, NATIONALITY, AGENCY),
    suppress_on="denominator",
)
def compute_screenings_positive(start: datetime.date, end: datetime.date) -> Days:
    queryset, groupings = _screenings(start, end)
    return tabulate_range(
        queryset,
        groupings,
        day=F("screened_on"),
        start=start,
        end=end,
        numerator=Count("id", filter=Q(outcome__in=POSITIVE_SCREENING)),
        denominator=Count("id"),
    )


def _decisions(
    status: str, start: datetime.date, end: datetime.date
) -> QuerySet[IdentificationDecision]:
    """The decisions of the period that statistics may count (the survivor's statistics
    consent, where the configured policy asks for it: then the period is one day)."""
    return IdentificationDecision.objects.filter(
        status=status, decided_on__range=(start, end)
    ).filter(in_statistics("case__survivor", on=start))


def _days_after(field_name: str, days: int) -> Any:
    """The day ``days`` days after the outer row's ``field_name`` (a date)."""
    return ExpressionWrapper(
        OuterRef(field_name) + datetime.timedelta(days=days), output_field=DateField()
    )


def _cohort(
    status: str, start: datetime.date, end: datetime.date, before: int
) -> QuerySet[IdentificationDecision]:
    """The decisions taken ``before`` days before each day of the period."""
    moved = datetime.timedelta(days=before)
    return _decisions(status, start - moved, end - moved)


@indicator(
    code="possible_victims",
    family="identification",
    name=_("Possible victims (reasonable grounds)"),
    definition=_(
        "Cases for which an authorised person recorded on the day the decision that there "
        "are reasonable grounds to consider the person a victim of trafficking. Counted "
        "from the identification decisions only, never from screening outcomes."
    ),
    unit=rules.COUNT,
    numerator_text=_("Cases with a reasonable-grounds decision on the day"),
    denominator_text=None,
    dimensions=ALL_CASE_DIMENSIONS,
)
def compute_possible_victims(start: datetime.date, end: datetime.date) -> Days:
    return tabulate_range(
        _decisions(IdentificationStatus.POSSIBLE, start, end),
        _case_groupings("case__", start),
        day=F("decided_on"),
        start=start,
        end=end,
        numerator=Count("case", distinct=True),
    )


@indicator(
    code="identified_victims",
    family="identification",
    name=_("Identified victims (conclusive decision)"),
    definition=_(
        "Cases for which an authorised person recorded on the day the conclusive decision "
        "that the person is a victim of trafficking. Counted from the identification "
        "decisions only, never from screening outcomes."
    ),
    unit=rules.COUNT,
    numerator_text=_("Cases with a conclusive identification decision on the day"),
    denominator_text=None,
    dimensions=ALL_CASE_DIMENSIONS,
)
def compute_identified_victims(start: datetime.date, end: datetime.date) -> Days:
    return tabulate_range(
        _decisions(IdentificationStatus.IDENTIFIED, start, end),
        _case_groupings("case__", start),
        day=F("decided_on"),
        start=start,
        end=end,
        numerator=Count("case", distinct=True),
    )


@indicator(
    code="children_identified",
    family="identification",
    name=_("Children identified as victims"),
    definition=_(
        "Cases of children (under 18 in the year of the decision, by the recorded year of "
        "birth) with a conclusive identification decision on the day."
    ),
    unit=rules.COUNT,
    numerator_text=_("Children with a conclusive identification decision on the day"),
    denominator_text=None,
    dimensions=(SEX, NATIONALITY, FORM, GOVERNORATE, AGENCY, CHANNEL),
)
def compute_children_identified(start: datetime.date, end: datetime.date) -> Days:
    groupings = _case_groupings("case__", start)
    return tabulate_range(
        _decisions(IdentificationStatus.IDENTIFIED, start, end).filter(
            case__survivor__birth_year__gt=start.year - 18
        ),
        _pick(groupings, (SEX, NATIONALITY, FORM, GOVERNORATE, AGENCY, CHANNEL)),
        day=F("decided_on"),
        start=start,
        end=end,
        numerator=Count("case", distinct=True),
    )


@indicator(
    code="days_to_identification",
    family="identification",
    name=_("Days from first contact to conclusive identification"),
    definition=_(
        "For the conclusive identification decisions of the day, the median number of days "
        "since the first contact with the person."
    ),
    unit=rules.DAYS,
    numerator_text=_("Median number of days from first contact to the decision"),
    denominator_text=_("Conclusive identification decisions on the day"),
    dimensions=(SEX, AGE, NATIONALITY, GOVERNORATE, AGENCY, CHANNEL),
    higher_is_better=False,
    target=Decimal(30),
    warning=Decimal(45),
    critical=Decimal(90),
    suppress_on="denominator",
    median=True,
)
def compute_days_to_identification(start: datetime.date, end: datetime.date) -> Days:
    groupings = _case_groupings("case__", start)
    waited = ExpressionWrapper(
        F("decided_on") - F("case__first_contact_on"), output_field=DurationField()
    )
    return median_range(
        _decisions(IdentificationStatus.IDENTIFIED, start, end),
        _pick(groupings, (SEX, AGE, NATIONALITY, GOVERNORATE, AGENCY, CHANNEL)),
        day=F("decided_on"),
        start=start,
        end=end,
        waited=waited,
    )


# --- protection -------------------------------------------------------------------------------


PROTECTION_DIMENSIONS = (SEX, AGE, NATIONALITY, GOVERNORATE, AGENCY, CHANNEL)


@indicator(
    code="served_within_24h",
    family="protection",
    name=_("Share served within 24 hours of identification"),
    definition=_(
        "Of the cases with a reasonable-grounds decision on the day, the share whose first "
        "service was delivered the same day or the next."
    ),
    unit=rules.PERCENT,
    numerator_text=_("Cases whose first service was delivered by the next day"),
    denominator_text=_("Cases with a reasonable-grounds decision on the day"),
    dimensions=PROTECTION_DIMENSIONS,
    target=Decimal(90),
    warning=Decimal(75),
    critical=Decimal(50),
    suppress_on="denominator",
)
def compute_served_within_24h(start: datetime.date, end: datetime.date) -> Days:
    served = ServiceDelivery.objects.filter(
        case=OuterRef("case"),
        status=DeliveryStatus.DELIVERED,
        delivered_on__lte=_days_after("decided_on", 1),
    )
    queryset = _decisions(IdentificationStatus.POSSIBLE, start, end).annotate(served=Exists(served))
    return tabulate_range(
        queryset,
        _pick(_case_groupings("case__", start), PROTECTION_DIMENSIONS),
        day=F("decided_on"),
        start=start,
        end=end,
        numerator=Count("case", distinct=True, filter=Q(served=True)),
        denominator=Count("case", distinct=True),
    )


@indicator(
    code="no_service_72h",
    family="protection",
    name=_("Cases without any service 72 hours after identification"),
    definition=_(
        "Cases with a reasonable-grounds decision three days before the day that had no "
        "service delivered by the end of the day."
    ),
    unit=rules.COUNT,
    numerator_text=_("Cases identified three days earlier and still without a service"),
    denominator_text=None,
    dimensions=PROTECTION_DIMENSIONS,
    higher_is_better=False,
    target=Decimal(0),
    warning=Decimal(0),
    critical=Decimal(5),
)
def compute_no_service_72h(start: datetime.date, end: datetime.date) -> Days:
    served = ServiceDelivery.objects.filter(
        case=OuterRef("case"),
        status=DeliveryStatus.DELIVERED,
        delivered_on__lte=_days_after("decided_on", 3),
    )
    queryset = _cohort(IdentificationStatus.POSSIBLE, start, end, 3).filter(~Exists(served))
    return tabulate_range(
        queryset,
        _pick(_case_groupings("case__", start), PROTECTION_DIMENSIONS),
        day=F("decided_on"),
        start=start,
        end=end,
        numerator=Count("case", distinct=True),
        shift=3,
    )


def _occupancy(start: datetime.date, end: datetime.date) -> QuerySet[DailyOccupancy]:
    return DailyOccupancy.objects.filter(on__range=(start, end), unit__isnull=True)


SHELTER_GROUPINGS = {
    GOVERNORATE: _named("shelter__governorate__"),
    AGENCY: _named("shelter__agency__"),
}


@indicator(
    code="shelter_occupancy",
    family="protection",
    name=_("Shelter occupancy"),
    definition=_("Beds occupied on the night as a share of the beds in service in the shelters."),
    unit=rules.PERCENT,
    numerator_text=_("Beds occupied"),
    denominator_text=_("Beds in service"),
    dimensions=(GOVERNORATE, AGENCY),
    higher_is_better=False,
    target=Decimal(80),
    warning=Decimal(90),
    critical=Decimal(100),
    suppress_on=None,
)
def compute_shelter_occupancy(start: datetime.date, end: datetime.date) -> Days:
    return tabulate_range(
        _occupancy(start, end),
        SHELTER_GROUPINGS,
        day=F("on"),
        start=start,
        end=end,
        numerator=Sum("occupied"),
        denominator=Sum("beds"),
    )


@indicator(
    code="shelters_above_90",
    family="protection",
    name=_("Shelters more than 90 percent full"),
    definition=_(
        "Shelters where more than nine beds in ten in service were occupied on the night."
    ),
    unit=rules.COUNT,
    numerator_text=_("Shelters more than 90 percent full"),
    denominator_text=None,
    dimensions=(GOVERNORATE,),
    higher_is_better=False,
    target=Decimal(0),
    warning=Decimal(1),
    critical=Decimal(3),
    suppress_on=None,
)
def compute_shelters_above_90(start: datetime.date, end: datetime.date) -> Days:
    queryset = _occupancy(start, end).filter(beds__gt=0, occupied__gt=F("beds") * Decimal("0.9"))
    return tabulate_range(
        queryset,
        _pick(SHELTER_GROUPINGS, (GOVERNORATE,)),
        day=F("on"),
        start=start,
        end=end,
        numerator=Count("shelter", distinct=True),
    )


@indicator(
    code="free_beds",
    family="protection",
    name=_("Free shelter beds"),
    definition=_("Beds in service that were not occupied on the night."),
    unit=rules.COUNT,
    numerator_text=_("Beds in service minus beds occupied"),
    denominator_text=None,
    dimensions=(GOVERNORATE, AGENCY),
    suppress_on=None,
)
def compute_free_beds(start: datetime.date, end: datetime.date) -> Days:
    return tabulate_range(
        _occupancy(start, end),
        SHELTER_GROUPINGS,
        day=F("on"),
        start=start,
        end=end,
        numerator=Sum(F("beds") - F("occupied")),
    )


# --- services and referrals -------------------------------------------------------------------


@indicator(
    code="care_plans_within_7_days",
    family="services",
    name=_("Share with an approved care plan within 7 days"),
    definition=_(
        "Of the cases with a reasonable-grounds decision seven days before the day, the "
        "share that had an approved care plan by the end of the day."
    ),
    unit=rules.PERCENT,
    numerator_text=_("Cases with a care plan approved within seven days"),
    denominator_text=_("Cases with a reasonable-grounds decision seven days before"),
    dimensions=PROTECTION_DIMENSIONS,
    target=Decimal(90),
    warning=Decimal(75),
    critical=Decimal(50),
    suppress_on="denominator",
)
def compute_care_plans_within_7_days(start: datetime.date, end: datetime.date) -> Days:
    before = datetime.timedelta(days=7)
    # The end of the seventh day after each decision's, in the display time zone.
    deadline = When_(
        *[
            When(decided_on=day - before, then=Value(day_bounds(day)[1]))
            for day in _each_day(start, end)
        ],
        output_field=DateTimeField(),
    )
    approved = CarePlan.objects.filter(
        case=OuterRef("case"), status=CarePlanStatus.APPROVED, decided_at__lt=OuterRef("deadline")
    )
    queryset = (
        _cohort(IdentificationStatus.POSSIBLE, start, end, 7)
        .annotate(deadline=deadline)
        .annotate(planned=Exists(approved))
    )
    return tabulate_range(
        queryset,
        _pick(_case_groupings("case__", start), PROTECTION_DIMENSIONS),
        day=F("decided_on"),
        start=start,
        end=end,
        numerator=Count("case", distinct=True, filter=Q(planned=True)),
        denominator=Count("case", distinct=True),
        shift=7,
    )


@indicator(
    code="services_delivered",
    family="services",
    name=_("Services delivered"),
    definition=_("Services recorded as delivered to survivors on the day."),
    unit=rules.COUNT,
    numerator_text=_("Services delivered on the day"),
    denominator_text=None,
    dimensions=(SERVICE, SEX, AGE, GOVERNORATE),
)
def compute_services_delivered(start: datetime.date, end: datetime.date) -> Days:
    groupings = {
        SERVICE: _named("service_type__"),
        **_pick(_case_groupings("case__", start), (SEX, AGE, GOVERNORATE)),
    }
    queryset = ServiceDelivery.objects.filter(
        status=DeliveryStatus.DELIVERED, delivered_on__range=(start, end)
    )
    return tabulate_range(
        queryset,
        groupings,
        day=F("delivered_on"),
        start=start,
        end=end,
        numerator=Count("id", distinct=True),
    )


REFERRAL_GROUPINGS = {AGENCY: _named("to_agency__"), SERVICE: _named("service_type__")}


@indicator(
    code="referrals_sent",
    family="services",
    name=_("Referrals sent"),
    definition=_("Referrals sent to an agency on the day (by the agency receiving them)."),
    unit=rules.COUNT,
    numerator_text=_("Referrals sent on the day"),
    denominator_text=None,
    dimensions=(AGENCY, SERVICE),
)
def compute_referrals_sent(start: datetime.date, end: datetime.date) -> Days:
    first, last = period_bounds(start, end)
    queryset = Referral.objects.filter(sent_at__gte=first, sent_at__lt=last)
    return tabulate_range(
        queryset,
        REFERRAL_GROUPINGS,
        day=local_day("sent_at"),
        start=start,
        end=end,
        numerator=Count("id"),
    )


@indicator(
    code="referrals_accepted",
    family="services",
    name=_("Referrals accepted"),
    definition=_("Referrals that the receiving agency accepted on the day."),
    unit=rules.COUNT,
    numerator_text=_("Referrals accepted on the day"),
    denominator_text=None,
    dimensions=(AGENCY, SERVICE),
)
def compute_referrals_accepted(start: datetime.date, end: datetime.date) -> Days:
    first, last = period_bounds(start, end)
    queryset = Referral.objects.filter(answered_at__gte=first, answered_at__lt=last).exclude(
        status=ReferralStatus.DECLINED
    )
    return tabulate_range(
        queryset,
        REFERRAL_GROUPINGS,
        day=local_day("answered_at"),
        start=start,
        end=end,
        numerator=Count("id"),
    )


@indicator(
    code="referrals_overdue",
    family="services",
    name=_("Referrals waiting past their deadline"),
    definition=_(
        "At the end of the day, referrals not answered nor cancelled whose answer was "
        "expected before then."
    ),
    unit=rules.COUNT,
    numerator_text=_("Referrals unanswered past their deadline at the end of the day"),
    denominator_text=None,
    dimensions=(AGENCY, SERVICE),
    higher_is_better=False,
    target=Decimal(0),
    warning=Decimal(5),
    critical=Decimal(20),
)
def compute_referrals_overdue(start: datetime.date, end: datetime.date) -> Days:
    last = period_bounds(start, end)[1]
    zone = ZoneInfo(settings.TIME_ZONE)
    queryset = Referral.objects.filter(
        Q(answered_at__isnull=True) | Q(answered_at__gte=day_bounds(start)[1]),
        Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=day_bounds(start)[1]),
        sent_at__lt=last,
        respond_by__lt=last,
    )

    def span(row: Mapping[str, Any]) -> tuple[datetime.date, datetime.date | None]:
        # Overdue at the end of every day from the one where it was both sent and due,
        # until the day before the one where it was answered or cancelled.
        due = max(row["f_sent"], row["f_due"]).astimezone(zone).date()
        ended = [moment for moment in (row["f_answered"], row["f_cancelled"]) if moment]
        if not ended:
            return due, None
        return due, min(ended).astimezone(zone).date() - datetime.timedelta(days=1)

    return count_spans(
        queryset,
        REFERRAL_GROUPINGS,
        span=span,
        start=start,
        end=end,
        fields={
            "f_sent": F("sent_at"),
            "f_due": F("respond_by"),
            "f_answered": F("answered_at"),
            "f_cancelled": F("cancelled_at"),
        },
    )


@indicator(
    code="referral_answer_days",
    family="services",
    name=_("Time taken to answer a referral"),
    definition=_(
        "For the referrals answered on the day (accepted or declined), the median time "
        "from sending to the answer, in days."
    ),
    unit=rules.DAYS,
    numerator_text=_("Median number of days from sending to the answer"),
    denominator_text=_("Referrals answered on the day"),
    dimensions=(AGENCY, SERVICE),
    higher_is_better=False,
    target=Decimal(1),
    warning=Decimal(2),
    critical=Decimal(4),
    suppress_on=None,
    median=True,
)
def compute_referral_answer_days(start: datetime.date, end: datetime.date) -> Days:
    first, last = period_bounds(start, end)
    waited = ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField())
    queryset = Referral.objects.filter(answered_at__gte=first, answered_at__lt=last)
    return median_range(
        queryset,
        REFERRAL_GROUPINGS,
        day=local_day("answered_at"),
        start=start,
        end=end,
        waited=waited,
    )


# --- fund, empowerment, grants ----------------------------------------------------------------

PAYMENT_GROUPINGS = {
    PURPOSE: Grouping(F("purpose"), labels=dict(Purpose.choices)),
    GOVERNORATE: _named("case__governorate_of_exploitation__"),
}


@indicator(
    code="payment_requests",
    family="fund",
    name=_("Assistance payments requested"),
    definition=_("Requests for assistance payments from the fund recorded on the day."),
    unit=rules.COUNT,
    numerator_text=_("Payment requests recorded on the day"),
    denominator_text=None,
    dimensions=(PURPOSE, GOVERNORATE),
)
def compute_payment_requests(start: datetime.date, end: datetime.date) -> Days:
    return tabulate_range(
        _requested(start, end),
        PAYMENT_GROUPINGS,
        day=local_day("created_at"),
        start=start,
        end=end,
        numerator=Count("id"),
    )


def _requested(start: datetime.date, end: datetime.date) -> QuerySet[PaymentRequest]:
    first, last = period_bounds(start, end)
    return PaymentRequest.objects.filter(created_at__gte=first, created_at__lt=last)


def _paid(start: datetime.date, end: datetime.date) -> QuerySet[PaymentRequest]:
    first, last = period_bounds(start, end)
    return PaymentRequest.objects.filter(paid_at__gte=first, paid_at__lt=last).exclude(
        status__in=[PaymentStatus.REQUESTED, PaymentStatus.REJECTED]
    )


@indicator(
    code="amount_requested",
    family="fund",
    name=_("Amount requested from the fund"),
    definition=_("The amounts of the payment requests recorded on the day, in Egyptian pounds."),
    unit=rules.EGP,
    numerator_text=_("Amounts requested on the day (EGP)"),
    denominator_text=_("Payment requests recorded on the day"),
    dimensions=(PURPOSE, GOVERNORATE),
    suppress_on="denominator",
)
def compute_amount_requested(start: datetime.date, end: datetime.date) -> Days:
    return tabulate_range(
        _requested(start, end),
        PAYMENT_GROUPINGS,
        day=local_day("created_at"),
        start=start,
        end=end,
        numerator=Sum("amount"),
        denominator=Count("id"),
    )


@indicator(
    code="amount_paid",
    family="fund",
    name=_("Amount paid by the fund"),
    definition=_("Assistance payments paid on the day, in Egyptian pounds."),
    unit=rules.EGP,
    numerator_text=_("Amounts paid on the day (EGP)"),
    denominator_text=_("Payments made on the day"),
    dimensions=(PURPOSE, GOVERNORATE),
    suppress_on="denominator",
)
def compute_amount_paid(start: datetime.date, end: datetime.date) -> Days:
    return tabulate_range(
        _paid(start, end),
        PAYMENT_GROUPINGS,
        day=local_day("paid_at"),
        start=start,
        end=end,
        numerator=Sum("amount"),
        denominator=Count("id"),
    )


@indicator(
    code="days_to_pay",
    family="fund",
    name=_("Time taken to pay an assistance request"),
    definition=_(
        "For the assistance payments paid on the day, the median time from the request "
        "to the payment, in days."
    ),
    unit=rules.DAYS,
    numerator_text=_("Median number of days from the request to the payment"),
    denominator_text=_("Payments made on the day"),
    dimensions=(PURPOSE, GOVERNORATE),
    higher_is_better=False,
    target=Decimal(3),
    warning=Decimal(7),
    critical=Decimal(14),
    suppress_on="denominator",
    median=True,
)
def compute_days_to_pay(start: datetime.date, end: datetime.date) -> Days:
    waited = ExpressionWrapper(F("paid_at") - F("created_at"), output_field=DurationField())
    return median_range(
        _paid(start, end),
        PAYMENT_GROUPINGS,
        day=local_day("paid_at"),
        start=start,
        end=end,
        waited=waited,
    )


ENROLLED = [
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.ACTIVE,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.DROPPED_OUT,
]


@indicator(
    code="enrolments",
    family="fund",
    name=_("Enrolments in empowerment programmes"),
    definition=_("Survivors accepted into an empowerment programme on the day."),
    unit=rules.COUNT,
    numerator_text=_("Enrolments accepted on the day"),
    denominator_text=None,
    dimensions=(*PEOPLE, PROGRAMME),
)
def compute_enrolments(start: datetime.date, end: datetime.date) -> Days:
    queryset = Enrolment.objects.filter(decided_on__range=(start, end), status__in=ENROLLED)
    return tabulate_range(
        queryset,
        {
            **_survivor_groupings("case__survivor__", start),
            PROGRAMME: Grouping(
                F("programme__slug"), F("programme__name_ar"), F("programme__name_en")
            ),
        },
        day=F("decided_on"),
        start=start,
        end=end,
        numerator=Count("id"),
    )


@indicator(
    code="projects_running",
    family="fund",
    name=_("Survivors' projects running"),
    definition=_("Survivors' income projects started and not closed at the end of the day."),
    unit=rules.COUNT,
    numerator_text=_("Projects running at the end of the day"),
    denominator_text=None,
    dimensions=(GOVERNORATE,),
)
def compute_projects_running(start: datetime.date, end: datetime.date) -> Days:
    queryset = Project.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=start), started_on__lte=end
    )

    def span(row: Mapping[str, Any]) -> tuple[datetime.date, datetime.date | None]:
        closed = row["f_closed"]
        return row["f_started"], None if closed is None else closed - datetime.timedelta(days=1)

    return count_spans(
        queryset,
        {GOVERNORATE: _named("governorate__")},
        span=span,
        start=start,
        end=end,
        fields={"f_started": F("started_on"), "f_closed": F("closed_on")},
    )


@indicator(
    code="tranches_released",
    family="fund",
    name=_("Grant tranches released"),
    definition=_("Amounts of the Ministry's grant tranches released to NGOs on the day (EGP)."),
    unit=rules.EGP,
    numerator_text=_("Amounts released on the day (EGP)"),
    denominator_text=_("Tranches released on the day"),
    dimensions=(AGENCY,),
    suppress_on=None,
)
def compute_tranches_released(start: datetime.date, end: datetime.date) -> Days:
    return tabulate_range(
        Tranche.objects.filter(released_on__range=(start, end)),
        {AGENCY: _named("grant__ngo__")},
        day=F("released_on"),
        start=start,
        end=end,
        numerator=Sum("amount"),
        denominator=Count("id"),
    )


# --- outcomes ---------------------------------------------------------------------------------


@indicator(
    code="cases_closed",
    family="outcomes",
    name=_("Cases closed"),
    definition=_("Cases closed on the day, by the reason for closure."),
    unit=rules.COUNT,
    numerator_text=_("Cases closed on the day"),
    denominator_text=None,
    dimensions=(REASON, SEX, AGE, NATIONALITY, GOVERNORATE, AGENCY),
)
def compute_cases_closed(start: datetime.date, end: datetime.date) -> Days:
    groupings = {
        REASON: Grouping(F("closure_reason"), labels=dict(ClosureReason.choices)),
        **_pick(_case_groupings("", start), (SEX, AGE, NATIONALITY, GOVERNORATE, AGENCY)),
    }
    return tabulate_range(
        Case.objects.filter(closed_on__range=(start, end)),
        groupings,
        day=F("closed_on"),
        start=start,
        end=end,
        numerator=Count("id"),
    )


@indicator(
    code="identified_again",
    family="outcomes",
    name=_("Survivors identified again"),
    definition=_(
        "Conclusive identification decisions of the day for survivors who had an earlier "
        "case, closed before the decision: people trafficked again after leaving the "
        "system's care."
    ),
    unit=rules.COUNT,
    numerator_text=_("Cases identified on the day whose survivor had an earlier closed case"),
    denominator_text=None,
    dimensions=(SEX, AGE, NATIONALITY, FORM, GOVERNORATE),
    higher_is_better=False,
)
def compute_identified_again(start: datetime.date, end: datetime.date) -> Days:
    earlier = Case.objects.filter(
        survivor=OuterRef("case__survivor"), closed_on__lt=OuterRef("decided_on")
    ).exclude(pk=OuterRef("case"))
    return tabulate_range(
        _decisions(IdentificationStatus.IDENTIFIED, start, end).filter(Exists(earlier)),
        _pick(_case_groupings("case__", start), (SEX, AGE, NATIONALITY, FORM, GOVERNORATE)),
        day=F("decided_on"),
        start=start,
        end=end,
        numerator=Count("case", distinct=True),
    )


@indicator(
    code="returns_arrived",
    family="outcomes",
    name=_("Survivors returned home"),
    definition=_(
        "Survivors whose assisted return ended with their arrival on the day, in their "
        "country or governorate of origin."
    ),
    unit=rules.COUNT,
    numerator_text=_("Assisted returns that arrived on the day"),
    denominator_text=None,
    dimensions=(SEX, AGE, NATIONALITY, GOVERNORATE),
)
def compute_returns_arrived(start: datetime.date, end: datetime.date) -> Days:
    queryset = ReturnPlan.objects.filter(arrived_on__range=(start, end)).exclude(
        status=ReturnStatus.CANCELLED
    )
    return tabulate_range(
        queryset,
        {
            **_survivor_groupings("case__survivor__", start),
            GOVERNORATE: _named("destination_governorate__"),
        },
        day=F("arrived_on"),
        start=start,
        end=end,
        numerator=Count("case", distinct=True),
    )


# --- SDG 16.2.2 -------------------------------------------------------------------------------

SDG_WINDOW_DAYS = 365


@indicator(
    code="sdg_16_2_2",
    family="sdg",
    name=pgettext_lazy(
        "indicator", "Detected victims of trafficking per 100,000 population (SDG 16.2.2)"
    ),
    definition=_(
        "Victims with a conclusive identification decision in the 365 days ending on the "
        "day, per 100,000 residents. Detected victims only (no estimate of undetected "
        "ones). By governorate of exploitation, the governorate's population; by sex, age "
        "group or form of exploitation, the whole population (populations by sex and age "
        "are not held)."
    ),
    unit=rules.RATE,
    numerator_text=_("Cases with a conclusive identification decision in the last 365 days"),
    denominator_text=_("Resident population (CAPMAS, 2023)"),
    dimensions=(SEX, AGE, SEX_AGE, FORM, GOVERNORATE),
    suppress_on="numerator",
    source=_(
        "UN SDG metadata for indicator 16.2.2 (31 March 2023); population: CAPMAS population "
        "clock, 2023"
    ),
)
def compute_sdg_16_2_2(start: datetime.date, end: datetime.date) -> Days:
    populations: dict[str, int] = {
        code: population
        for code, population in Governorate.objects.values_list("code", "population")
        if population
    }
    national = Decimal(sum(populations.values()))
    window = datetime.timedelta(days=SDG_WINDOW_DAYS)
    queryset: QuerySet[Any] = IdentificationDecision.objects.filter(
        status=IdentificationStatus.IDENTIFIED,
        decided_on__gt=start - window,
        decided_on__lte=end,
    ).filter(in_statistics("case__survivor", on=start))
    groupings = _pick(
        _case_groupings("case__", start, crossed=True), (SEX, AGE, SEX_AGE, FORM, GOVERNORATE)
    )
    labels: dict[tuple[str, str], tuple[str, str]] = {("", ""): ("", "")}
    # A case with a decision from ``covering`` to ``start`` is counted on every day of the
    # period (a period shorter than the window: each night's day, each refresh): those
    # cases are counted by the database, grouped by member, and only the others (their
    # decisions near the ends of the window) are read one by one below.
    everyday: dict[tuple[str, str], int] = {}
    covering = end - window + datetime.timedelta(days=1)
    if covering <= start:
        counted = tabulate_range(
            queryset.filter(decided_on__gte=covering, decided_on__lte=start),
            groupings,
            day=Value(start, output_field=DateField()),
            start=start,
            end=start,
            numerator=Count("case", distinct=True),
        )[start]
        for value in counted:
            everyday[(value.dimension, value.member)] = int(value.numerator)
            labels[(value.dimension, value.member)] = (value.member_ar, value.member_en)
        # The others: decisions before ``covering`` or after ``start`` (a few days at
        # each end of the window), of cases without a decision in between.
        queryset = queryset.filter(Q(decided_on__lt=covering) | Q(decided_on__gt=start)).exclude(
            Exists(
                IdentificationDecision.objects.filter(
                    case=OuterRef("case"),
                    status=IdentificationStatus.IDENTIFIED,
                    decided_on__gte=covering,
                    decided_on__lte=start,
                )
            )
        )
    fields: dict[str, Any] = {"c": F("case"), "d": F("decided_on")}
    for index, grouping in enumerate(groupings.values()):
        fields[f"m{index}"] = grouping.member
        if grouping.name_ar is not None:
            fields[f"m{index}_ar"] = grouping.name_ar
            fields[f"m{index}_en"] = grouping.name_en
    # Each case once: the days of its decisions and its members (several forms).
    names = _Names()
    decided: dict[int, set[datetime.date]] = {}
    cells_of: dict[int, set[tuple[str, str]]] = {}
    # Rows as tuples (no dict per row): each disaggregation's position in them.
    order = list(fields)
    keys = [
        (dimension, grouping, f"m{index}", order.index(f"m{index}"))
        for index, (dimension, grouping) in enumerate(groupings.items())
    ]
    dated: dict[Any, datetime.date] = {}
    rows = queryset.order_by().annotate(**fields).values_list(*order).distinct()
    for row in rows:
        case, raw = row[0], row[1]
        decided_on = dated.get(raw)
        if decided_on is None:
            decided_on = dated[raw] = _as_date(raw)
        found = decided.get(case)
        if found is None:
            decided[case] = {decided_on}
            cells = cells_of[case] = {("", "")}
        else:
            found.add(decided_on)
            cells = cells_of[case]
        for dimension, grouping, key, at in keys:
            value = row[at]
            cell = (dimension, NOT_RECORDED if value is None or value == "" else str(value))
            if cell not in labels:
                labels[cell] = names.of(
                    dimension, grouping, cell[1], dict(zip(order, row, strict=True)), key
                )
            cells.add(cell)
    # A case counts on the days its decisions' windows cover, each day once: the
    # windows are merged, then added up as changes at their first and after their last
    # day.
    # Cases with the same windows are counted together (most cover the whole period).
    days = _each_day(start, end)
    reach = window - datetime.timedelta(days=1)
    weights: dict[tuple[tuple[tuple[int, int], ...], tuple[str, str]], int] = {}
    for case, on in decided.items():
        spans: list[list[int]] = []
        for decision in sorted(on):
            first = (max(decision, start) - start).days
            last = (min(decision + reach, end) - start).days
            if spans and first <= spans[-1][1] + 1:
                spans[-1][1] = max(spans[-1][1], last)
            else:
                spans.append([first, last])
        covered = tuple((first, last) for first, last in spans)
        for cell in cells_of[case]:
            weights[(covered, cell)] = weights.get((covered, cell), 0) + 1
    steps: dict[tuple[str, str], list[int]] = {}
    for (covered, cell), weight in weights.items():
        step = steps.get(cell)
        if step is None:
            step = steps[cell] = [0] * (len(days) + 1)
        for first, last in covered:
            step[first] += weight
            step[last + 1] -= weight
    changes: dict[tuple[str, str], list[int]] = {}
    for cell, step in steps.items():
        running, counts = 0, []
        for change in step[:-1]:
            running += change
            counts.append(running)
        changes[cell] = counts
    for cell, count in everyday.items():
        before = changes.get(cell)
        changes[cell] = [count] * len(days) if before is None else [n + count for n in before]
    # What a cell says that does not change from day to day: its names and population.
    described = [
        (
            dimension,
            member,
            *labels[(dimension, member)],
            Decimal(populations.get(member) or 0) or None
            if dimension == GOVERNORATE
            else national or None,
            counts,
        )
        for (dimension, member), counts in changes.items()
        if dimension
    ]
    totals = changes.get(("", ""), [0] * len(days))
    result: Days = {}
    for index, day in enumerate(days):
        result[day] = [
            CellValue("", "", "", "", Decimal(totals[index]), national or None),
            *(
                CellValue(dimension, member, ar, en, Decimal(counts[index]), population)
                for dimension, member, ar, en, population, counts in described
                if counts[index]
            ),
        ]
    return result
