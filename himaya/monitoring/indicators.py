"""The indicators, declared in code: what each one means, how it is broken down, its
target and thresholds, and the function that computes one day's values for every cell
with a few aggregate queries (one per disaggregation, grouped in the database).

An administrator of indicators may change the target and thresholds
(``IndicatorSetting``); the values declared here hold until then.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.functional import Promise
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


@dataclass(frozen=True)
class CellValue:
    dimension: str
    member: str
    member_ar: str
    member_en: str
    numerator: Decimal
    denominator: Decimal | None


def _survivor_groupings(path: str, day: datetime.date) -> dict[str, Grouping]:
    """Sex, age group (on the day) and nationality of the survivor at ``path``."""
    born = f"{path}birth_year"
    return {
        SEX: Grouping(F(f"{path}sex"), labels=dict(Sex.choices)),
        AGE: Grouping(
            When_(
                When(**{f"{born}__isnull": True}, then=Value(NOT_RECORDED)),
                When(**{f"{born}__gt": day.year - 18}, then=Value("child")),
                default=Value("adult"),
            ),
            labels=AGE_GROUPS,
        ),
        NATIONALITY: Grouping(
            When_(
                When(**{f"{path}nationality": "EG"}, then=Value("egyptian")),
                default=Value("foreign"),
            ),
            labels=NATIONALITY_GROUPS,
        ),
    }


def _named(path: str, key: str = "code") -> Grouping:
    return Grouping(F(f"{path}{key}"), F(f"{path}name_ar"), F(f"{path}name_en"))


def _case_groupings(path: str, day: datetime.date) -> dict[str, Grouping]:
    """Every disaggregation of the case at ``path`` ("" for a case itself)."""
    return {
        **_survivor_groupings(f"{path}survivor__", day),
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


def tabulate(
    queryset: QuerySet[Any],
    groupings: Mapping[str, Grouping],
    *,
    numerator: Any,
    denominator: Any = None,
) -> list[CellValue]:
    """The total and every member of every disaggregation: one aggregate query each."""
    aggregates = {"num": numerator}
    if denominator is not None:
        aggregates["den"] = denominator
    queryset = queryset.order_by()
    total = queryset.aggregate(**aggregates, rows=Count("pk"))
    cells = [
        CellValue(
            "",
            "",
            "",
            "",
            _decimal(total["num"]),
            _decimal(total["den"]) if denominator is not None else None,
        )
    ]
    if not total["rows"]:
        return cells  # no row: no member of any disaggregation either
    for dimension, grouping in groupings.items():
        fields = {"m": grouping.member}
        if grouping.name_ar is not None:
            fields["m_ar"] = grouping.name_ar
            fields["m_en"] = grouping.name_en
        for row in queryset.values(**fields).annotate(**aggregates).order_by():
            member = str(row["m"]) if row["m"] not in (None, "") else NOT_RECORDED
            if member == NOT_RECORDED:
                arabic, english = _in_both_languages(NOT_RECORDED_LABEL)
            elif grouping.labels is not None:
                arabic, english = _in_both_languages(grouping.labels.get(member, member))
            else:
                arabic, english = row.get("m_ar") or member, row.get("m_en") or member
            cells.append(
                CellValue(
                    dimension,
                    member,
                    arabic,
                    english,
                    _decimal(row["num"]),
                    _decimal(row["den"]) if denominator is not None else None,
                )
            )
    return _merge(cells)


def _merge(cells: list[CellValue]) -> list[CellValue]:
    """Rows that fell into one member (several forms folded into their broader form, or
    an empty and a missing value) become one cell."""
    merged: dict[tuple[str, str], CellValue] = {}
    for cell in cells:
        key = (cell.dimension, cell.member)
        if key in merged:
            before = merged[key]
            den = None
            if before.denominator is not None and cell.denominator is not None:
                den = before.denominator + cell.denominator
            cell = CellValue(
                cell.dimension,
                cell.member,
                before.member_ar,
                before.member_en,
                before.numerator + cell.numerator,
                den,
            )
        merged[key] = cell
    return list(merged.values())


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of the day and of the next one, in the display time zone (Cairo)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def _pick(groupings: Mapping[str, Grouping], keys: tuple[str, ...]) -> dict[str, Grouping]:
    return {key: groupings[key] for key in keys}


# --- the declared object ----------------------------------------------------------------------


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
    compute: Callable[[datetime.date], list[CellValue]]
    higher_is_better: bool = True
    target: Decimal | None = None
    warning: Decimal | None = None
    critical: Decimal | None = None
    # Which figure counts people for small-cell suppression (none: nothing to protect).
    suppress_on: str | None = "numerator"
    source: str = ""
    order: int = field(default=0)


REGISTRY: dict[str, Indicator] = {}


def indicator(**declared: Any) -> Callable[[Callable[[datetime.date], list[CellValue]]], Any]:
    """Declare the decorated function as the computation of an indicator."""

    def register(compute: Callable[[datetime.date], list[CellValue]]) -> Any:
        item = Indicator(compute=compute, order=len(REGISTRY), **declared)
        if item.unit not in rules.UNITS:
            raise ValueError(f"unknown unit {item.unit}")
        for dimension in item.dimensions:
            if dimension not in DIMENSIONS:
                raise ValueError(f"unknown disaggregation {dimension}")
        REGISTRY[item.code] = item
        return compute

    return register


def all_indicators() -> list[Indicator]:
    return sorted(REGISTRY.values(), key=lambda item: item.order)


def get_indicator(code: str) -> Indicator | None:
    return REGISTRY.get(code)


ALL_CASE_DIMENSIONS = (SEX, AGE, NATIONALITY, FORM, GOVERNORATE, AGENCY, CHANNEL)
PEOPLE = (SEX, AGE, NATIONALITY)
POSITIVE_SCREENING = [Outcome.INDICATED, Outcome.PROBABLE]

# --- identification ---------------------------------------------------------------------------


def _screenings(day: datetime.date) -> tuple[QuerySet[Any], dict[str, Grouping]]:
    groupings = {
        **_survivor_groupings("survivor__", day),
        AGENCY: _named("agency__"),
    }
    return Screening.objects.filter(screened_on=day), groupings


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
def compute_screenings(day: datetime.date) -> list[CellValue]:
    queryset, groupings = _screenings(day)
    return tabulate(queryset, groupings, numerator=Count("id"))


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
def compute_screenings_positive(day: datetime.date) -> list[CellValue]:
    queryset, groupings = _screenings(day)
    return tabulate(
        queryset,
        groupings,
        numerator=Count("id", filter=Q(outcome__in=POSITIVE_SCREENING)),
        denominator=Count("id"),
    )


def _decisions(status: str, day: datetime.date) -> QuerySet[IdentificationDecision]:
    """The decisions of the day that statistics may count (the survivor's statistics
    consent, where the configured policy asks for it)."""
    return IdentificationDecision.objects.filter(status=status, decided_on=day).filter(
        in_statistics("case__survivor", on=day)
    )


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
def compute_possible_victims(day: datetime.date) -> list[CellValue]:
    return tabulate(
        _decisions(IdentificationStatus.POSSIBLE, day),
        _case_groupings("case__", day),
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
def compute_identified_victims(day: datetime.date) -> list[CellValue]:
    return tabulate(
        _decisions(IdentificationStatus.IDENTIFIED, day),
        _case_groupings("case__", day),
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
def compute_children_identified(day: datetime.date) -> list[CellValue]:
    groupings = _case_groupings("case__", day)
    return tabulate(
        _decisions(IdentificationStatus.IDENTIFIED, day).filter(
            case__survivor__birth_year__gt=day.year - 18
        ),
        _pick(groupings, (SEX, NATIONALITY, FORM, GOVERNORATE, AGENCY, CHANNEL)),
        numerator=Count("case", distinct=True),
    )


@indicator(
    code="days_to_identification",
    family="identification",
    name=_("Days from first contact to conclusive identification"),
    definition=_(
        "For the conclusive identification decisions of the day, the average number of days "
        "since the first contact with the person."
    ),
    unit=rules.DAYS,
    numerator_text=_("Days from first contact to the decision, added up"),
    denominator_text=_("Conclusive identification decisions on the day"),
    dimensions=(SEX, AGE, NATIONALITY, GOVERNORATE, AGENCY, CHANNEL),
    higher_is_better=False,
    target=Decimal(30),
    warning=Decimal(45),
    critical=Decimal(90),
    suppress_on="denominator",
)
def compute_days_to_identification(day: datetime.date) -> list[CellValue]:
    groupings = _case_groupings("case__", day)
    waited = ExpressionWrapper(
        F("decided_on") - F("case__first_contact_on"), output_field=DurationField()
    )
    return tabulate(
        _decisions(IdentificationStatus.IDENTIFIED, day),
        _pick(groupings, (SEX, AGE, NATIONALITY, GOVERNORATE, AGENCY, CHANNEL)),
        numerator=Sum(waited),
        denominator=Count("id"),
    )


# --- protection -------------------------------------------------------------------------------


def _first_service() -> Subquery:
    """The day of the case's first delivered service."""
    return Subquery(
        ServiceDelivery.objects.filter(
            case=OuterRef("case"), status=DeliveryStatus.DELIVERED, delivered_on__isnull=False
        )
        .order_by("delivered_on")
        .values("delivered_on")[:1]
    )


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
def compute_served_within_24h(day: datetime.date) -> list[CellValue]:
    queryset = _decisions(IdentificationStatus.POSSIBLE, day).annotate(
        first_service=_first_service()
    )
    return tabulate(
        queryset,
        _pick(_case_groupings("case__", day), PROTECTION_DIMENSIONS),
        numerator=Count(
            "case",
            distinct=True,
            filter=Q(first_service__lte=day + datetime.timedelta(days=1)),
        ),
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
def compute_no_service_72h(day: datetime.date) -> list[CellValue]:
    served = ServiceDelivery.objects.filter(
        case=OuterRef("case"), status=DeliveryStatus.DELIVERED, delivered_on__lte=day
    )
    queryset = _decisions(IdentificationStatus.POSSIBLE, day - datetime.timedelta(days=3)).filter(
        ~Exists(served)
    )
    return tabulate(
        queryset,
        _pick(_case_groupings("case__", day), PROTECTION_DIMENSIONS),
        numerator=Count("case", distinct=True),
    )


def _occupancy(day: datetime.date) -> QuerySet[DailyOccupancy]:
    return DailyOccupancy.objects.filter(on=day, unit__isnull=True)


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
def compute_shelter_occupancy(day: datetime.date) -> list[CellValue]:
    return tabulate(
        _occupancy(day), SHELTER_GROUPINGS, numerator=Sum("occupied"), denominator=Sum("beds")
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
def compute_shelters_above_90(day: datetime.date) -> list[CellValue]:
    queryset = _occupancy(day).filter(beds__gt=0, occupied__gt=F("beds") * Decimal("0.9"))
    return tabulate(
        queryset,
        _pick(SHELTER_GROUPINGS, (GOVERNORATE,)),
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
def compute_free_beds(day: datetime.date) -> list[CellValue]:
    return tabulate(_occupancy(day), SHELTER_GROUPINGS, numerator=Sum(F("beds") - F("occupied")))


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
def compute_care_plans_within_7_days(day: datetime.date) -> list[CellValue]:
    _start, end = day_bounds(day)
    approved = CarePlan.objects.filter(
        case=OuterRef("case"), status=CarePlanStatus.APPROVED, decided_at__lt=end
    )
    queryset = _decisions(IdentificationStatus.POSSIBLE, day - datetime.timedelta(days=7)).annotate(
        planned=Exists(approved)
    )
    return tabulate(
        queryset,
        _pick(_case_groupings("case__", day), PROTECTION_DIMENSIONS),
        numerator=Count("case", distinct=True, filter=Q(planned=True)),
        denominator=Count("case", distinct=True),
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
def compute_services_delivered(day: datetime.date) -> list[CellValue]:
    groupings = {
        SERVICE: _named("service_type__"),
        **_pick(_case_groupings("case__", day), (SEX, AGE, GOVERNORATE)),
    }
    queryset = ServiceDelivery.objects.filter(status=DeliveryStatus.DELIVERED, delivered_on=day)
    return tabulate(queryset, groupings, numerator=Count("id", distinct=True))


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
def compute_referrals_sent(day: datetime.date) -> list[CellValue]:
    start, end = day_bounds(day)
    queryset = Referral.objects.filter(sent_at__gte=start, sent_at__lt=end)
    return tabulate(queryset, REFERRAL_GROUPINGS, numerator=Count("id"))


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
def compute_referrals_accepted(day: datetime.date) -> list[CellValue]:
    start, end = day_bounds(day)
    queryset = Referral.objects.filter(answered_at__gte=start, answered_at__lt=end).exclude(
        status=ReferralStatus.DECLINED
    )
    return tabulate(queryset, REFERRAL_GROUPINGS, numerator=Count("id"))


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
def compute_referrals_overdue(day: datetime.date) -> list[CellValue]:
    _start, end = day_bounds(day)
    queryset = Referral.objects.filter(
        Q(answered_at__isnull=True) | Q(answered_at__gte=end),
        Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=end),
        sent_at__lt=end,
        respond_by__lt=end,
    )
    return tabulate(queryset, REFERRAL_GROUPINGS, numerator=Count("id"))


@indicator(
    code="referral_answer_days",
    family="services",
    name=_("Time taken to answer a referral"),
    definition=_(
        "For the referrals answered on the day (accepted or declined), the average time "
        "from sending to the answer, in days."
    ),
    unit=rules.DAYS,
    numerator_text=_("Days from sending to the answer, added up"),
    denominator_text=_("Referrals answered on the day"),
    dimensions=(AGENCY, SERVICE),
    higher_is_better=False,
    target=Decimal(1),
    warning=Decimal(2),
    critical=Decimal(4),
    suppress_on=None,
)
def compute_referral_answer_days(day: datetime.date) -> list[CellValue]:
    start, end = day_bounds(day)
    waited = ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField())
    queryset = Referral.objects.filter(answered_at__gte=start, answered_at__lt=end)
    return tabulate(queryset, REFERRAL_GROUPINGS, numerator=Sum(waited), denominator=Count("id"))


# --- fund, empowerment, grants ----------------------------------------------------------------

PAYMENT_GROUPINGS = {PURPOSE: Grouping(F("purpose"), labels=dict(Purpose.choices))}


@indicator(
    code="payment_requests",
    family="fund",
    name=_("Assistance payments requested"),
    definition=_("Requests for assistance payments from the fund recorded on the day."),
    unit=rules.COUNT,
    numerator_text=_("Payment requests recorded on the day"),
    denominator_text=None,
    dimensions=(PURPOSE,),
)
def compute_payment_requests(day: datetime.date) -> list[CellValue]:
    start, end = day_bounds(day)
    queryset = PaymentRequest.objects.filter(created_at__gte=start, created_at__lt=end)
    return tabulate(queryset, PAYMENT_GROUPINGS, numerator=Count("id"))


@indicator(
    code="amount_requested",
    family="fund",
    name=_("Amount requested from the fund"),
    definition=_("The amounts of the payment requests recorded on the day, in Egyptian pounds."),
    unit=rules.EGP,
    numerator_text=_("Amounts requested on the day (EGP)"),
    denominator_text=_("Payment requests recorded on the day"),
    dimensions=(PURPOSE,),
    suppress_on="denominator",
)
def compute_amount_requested(day: datetime.date) -> list[CellValue]:
    start, end = day_bounds(day)
    queryset = PaymentRequest.objects.filter(created_at__gte=start, created_at__lt=end)
    return tabulate(queryset, PAYMENT_GROUPINGS, numerator=Sum("amount"), denominator=Count("id"))


@indicator(
    code="amount_paid",
    family="fund",
    name=_("Amount paid by the fund"),
    definition=_("Assistance payments paid on the day, in Egyptian pounds."),
    unit=rules.EGP,
    numerator_text=_("Amounts paid on the day (EGP)"),
    denominator_text=_("Payments made on the day"),
    dimensions=(PURPOSE,),
    suppress_on="denominator",
)
def compute_amount_paid(day: datetime.date) -> list[CellValue]:
    start, end = day_bounds(day)
    queryset = PaymentRequest.objects.filter(paid_at__gte=start, paid_at__lt=end).exclude(
        status__in=[PaymentStatus.REQUESTED, PaymentStatus.REJECTED]
    )
    return tabulate(queryset, PAYMENT_GROUPINGS, numerator=Sum("amount"), denominator=Count("id"))


@indicator(
    code="days_to_pay",
    family="fund",
    name=_("Time taken to pay an assistance request"),
    definition=_(
        "For the assistance payments paid on the day, the average time from the request "
        "to the payment, in days."
    ),
    unit=rules.DAYS,
    numerator_text=_("Days from the request to the payment, added up"),
    denominator_text=_("Payments made on the day"),
    dimensions=(PURPOSE,),
    higher_is_better=False,
    target=Decimal(3),
    warning=Decimal(7),
    critical=Decimal(14),
    suppress_on="denominator",
)
def compute_days_to_pay(day: datetime.date) -> list[CellValue]:
    start, end = day_bounds(day)
    waited = ExpressionWrapper(F("paid_at") - F("created_at"), output_field=DurationField())
    queryset = PaymentRequest.objects.filter(paid_at__gte=start, paid_at__lt=end).exclude(
        status__in=[PaymentStatus.REQUESTED, PaymentStatus.REJECTED]
    )
    return tabulate(queryset, PAYMENT_GROUPINGS, numerator=Sum(waited), denominator=Count("id"))


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
    dimensions=PEOPLE,
)
def compute_enrolments(day: datetime.date) -> list[CellValue]:
    queryset = Enrolment.objects.filter(decided_on=day, status__in=ENROLLED)
    return tabulate(queryset, _survivor_groupings("case__survivor__", day), numerator=Count("id"))


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
def compute_projects_running(day: datetime.date) -> list[CellValue]:
    queryset = Project.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=day), started_on__lte=day
    )
    return tabulate(queryset, {GOVERNORATE: _named("governorate__")}, numerator=Count("id"))


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
def compute_tranches_released(day: datetime.date) -> list[CellValue]:
    queryset = Tranche.objects.filter(released_on=day)
    return tabulate(
        queryset,
        {AGENCY: _named("grant__ngo__")},
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
def compute_cases_closed(day: datetime.date) -> list[CellValue]:
    groupings = {
        REASON: Grouping(F("closure_reason"), labels=dict(ClosureReason.choices)),
        **_pick(_case_groupings("", day), (SEX, AGE, NATIONALITY, GOVERNORATE, AGENCY)),
    }
    return tabulate(Case.objects.filter(closed_on=day), groupings, numerator=Count("id"))


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
    dimensions=(SEX, AGE, FORM, GOVERNORATE),
    suppress_on="numerator",
    source="UN SDG metadata 16.2.2 (2023-03-31); population: CAPMAS population clock, 2023",
)
def compute_sdg_16_2_2(day: datetime.date) -> list[CellValue]:
    populations: dict[str, int] = {
        code: population
        for code, population in Governorate.objects.values_list("code", "population")
        if population
    }
    national = Decimal(sum(populations.values()))
    queryset = IdentificationDecision.objects.filter(
        status=IdentificationStatus.IDENTIFIED,
        decided_on__gt=day - datetime.timedelta(days=SDG_WINDOW_DAYS),
        decided_on__lte=day,
    ).filter(in_statistics("case__survivor", on=day))
    groupings = _pick(_case_groupings("case__", day), (SEX, AGE, FORM, GOVERNORATE))
    cells = tabulate(queryset, groupings, numerator=Count("case", distinct=True))
    return [
        CellValue(
            cell.dimension,
            cell.member,
            cell.member_ar,
            cell.member_en,
            cell.numerator,
            Decimal(populations.get(cell.member) or 0) or None
            if cell.dimension == GOVERNORATE
            else national or None,
        )
        for cell in cells
    ]
