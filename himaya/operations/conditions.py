"""What each alert rule finds, read with a few aggregate queries (never a loop over cases).

Each detector answers the conditions that hold now: the rule, the severity, the key of
what the condition is about (a public code, never a name) and the window in which it may
land once. ``actions.evaluate_alerts`` writes the new ones.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, QuerySet

from himaya.agencies.models import Governorate
from himaya.cases.models import (
    CarePlan,
    CarePlanStatus,
    Case,
    IdentificationDecision,
    IdentificationStatus,
    Phase,
    RiskLevel,
)
from himaya.monitoring import rules as indicator_rules
from himaya.monitoring.indicators import all_indicators
from himaya.monitoring.models import DailyValue
from himaya.monitoring.selectors import thresholds
from himaya.operations import rules
from himaya.operations.models import AlertRule, Intake, IntakeStatus, Severity, Triage
from himaya.referrals.models import Referral
from himaya.services.models import DeliveryStatus, ServiceDelivery
from himaya.shelters.models import Shelter
from himaya.shelters.selectors import with_bed_counts

EVER = ""
# How far back the rules on recent events look (bounded scans on indexed dates).
CHILD_LOOKBACK_DAYS = 1
NO_SERVICE_LOOKBACK_DAYS = 30


@dataclass(frozen=True)
class Condition:
    rule: str
    severity: str
    key: str
    window: str = EVER
    governorate_id: int | None = None
    figure: Decimal | None = None


def indicator_thresholds(now: datetime.datetime, today: datetime.date) -> list[Condition]:
    """The national total of each indicator, on the last day computed up to yesterday, past
    its warning or critical threshold (as set by the administrator of indicators)."""
    items = {item.code: item for item in all_indicators()}
    latest = DailyValue.objects.filter(cell="", day__lt=today).aggregate(day=Max("day"))["day"]
    if latest is None:
        return []
    limits = thresholds(list(items.values()))
    found = []
    for code, value in DailyValue.objects.filter(
        day=latest, cell="", indicator__in=list(items)
    ).values_list("indicator", "value"):
        item = items[code]
        limit = limits[code]
        status = indicator_rules.status_of(
            value,
            warning=limit.warning,
            critical=limit.critical,
            higher_is_better=item.higher_is_better,
        )
        if status in (indicator_rules.WARNING, indicator_rules.CRITICAL):
            found.append(
                Condition(
                    AlertRule.INDICATOR,
                    Severity.CRITICAL if status == indicator_rules.CRITICAL else Severity.WARNING,
                    f"{code}:{status}",
                    latest.isoformat(),
                    figure=value,
                )
            )
    return found


def children_identified(now: datetime.datetime, today: datetime.date) -> list[Condition]:
    """A child (by the recorded year of birth) with a reasonable-grounds or conclusive
    decision since yesterday: once per case."""
    rows = (
        IdentificationDecision.objects.filter(
            status__in=[IdentificationStatus.POSSIBLE, IdentificationStatus.IDENTIFIED],
            decided_on__gte=today - datetime.timedelta(days=CHILD_LOOKBACK_DAYS),
            case__survivor__birth_year__gt=today.year - 18,
        )
        .values_list("case__code", "case__governorate_of_exploitation_id")
        .distinct()
    )
    return [
        Condition(AlertRule.CHILD_IDENTIFIED, Severity.CRITICAL, code, EVER, governorate)
        for code, governorate in rows
    ]


def shelters(now: datetime.datetime, today: datetime.date) -> list[Condition]:
    """A shelter with no free bed in service; a governorate with shelters and no free bed
    in any of them. Once a day each."""
    counted: QuerySet[Any] = with_bed_counts(Shelter.objects.filter(is_active=True))
    rows = counted.values_list("code", "governorate_id", "beds_in_service", "beds_free")
    window = today.isoformat()
    found = []
    free_by_governorate: dict[int, int] = defaultdict(int)
    for code, governorate, beds, free in rows:
        free_by_governorate[governorate] += max(free, 0) if beds else 0
        if beds > 0 and free <= 0:
            found.append(
                Condition(AlertRule.SHELTER_FULL, Severity.WARNING, code, window, governorate)
            )
    empty = [g for g, free in free_by_governorate.items() if free == 0]
    codes = dict(Governorate.objects.filter(pk__in=empty).values_list("pk", "code"))
    found.extend(
        Condition(AlertRule.NO_FREE_BED, Severity.CRITICAL, codes[g], window, g) for g in empty
    )
    return found


def referrals_overdue(now: datetime.datetime, today: datetime.date) -> list[Condition]:
    rows = Referral.objects.filter(
        answered_at__isnull=True, cancelled_at__isnull=True, respond_by__lt=now
    ).values_list("code", "to_agency__governorate_id")
    return [
        Condition(AlertRule.REFERRAL_OVERDUE, Severity.WARNING, code, EVER, governorate)
        for code, governorate in rows
    ]


def no_service_72h(now: datetime.datetime, today: datetime.date) -> list[Condition]:
    """A case with a reasonable-grounds decision three days ago or more (in the last
    month) and no service delivered since: once per case."""
    served = ServiceDelivery.objects.filter(case=OuterRef("case"), status=DeliveryStatus.DELIVERED)
    rows = (
        IdentificationDecision.objects.filter(
            status=IdentificationStatus.POSSIBLE,
            decided_on__lte=today - datetime.timedelta(days=3),
            decided_on__gte=today - datetime.timedelta(days=NO_SERVICE_LOOKBACK_DAYS),
        )
        .exclude(case__phase=Phase.CLOSED)
        .filter(~Exists(served))
        .values_list("case__code", "case__governorate_of_exploitation_id")
        .distinct()
    )
    return [
        Condition(AlertRule.NO_SERVICE_72H, Severity.WARNING, code, EVER, governorate)
        for code, governorate in rows
    ]


def high_risk_without_plan(now: datetime.datetime, today: datetime.date) -> list[Condition]:
    """An open case whose current risk (its latest risk assessment) is high or critical
    and that has no approved care plan, the plan that holds its safety measures."""
    approved = CarePlan.objects.filter(case=OuterRef("pk"), status=CarePlanStatus.APPROVED)
    rows = (
        Case.objects.filter(risk_level__in=[RiskLevel.HIGH, RiskLevel.CRITICAL])
        .exclude(phase=Phase.CLOSED)
        .filter(~Exists(approved))
        .values_list("code", "governorate_of_exploitation_id")
    )
    return [
        Condition(AlertRule.HIGH_RISK_NO_PLAN, Severity.CRITICAL, code, EVER, governorate)
        for code, governorate in rows
    ]


def intakes_overdue(now: datetime.datetime, today: datetime.date) -> list[Condition]:
    rows = Intake.objects.filter(status=IntakeStatus.OPEN, respond_by__lt=now).values_list(
        "code", "governorate_id", "triage"
    )
    return [
        Condition(
            AlertRule.INTAKE_OVERDUE,
            Severity.CRITICAL if level == Triage.EMERGENCY else Severity.WARNING,
            code,
            EVER,
            governorate,
        )
        for code, governorate, level in rows
    ]


def emergency_reports(now: datetime.datetime, today: datetime.date) -> list[Condition]:
    """An emergency report still waiting: the alert that recording it raised (found
    again here should that write have been lost)."""
    rows = Intake.objects.filter(
        status=IntakeStatus.OPEN, triage=Triage.EMERGENCY, respond_by__gte=now
    ).values_list("code", "governorate_id")
    return [
        Condition(AlertRule.EMERGENCY_REPORT, Severity.CRITICAL, code, EVER, governorate)
        for code, governorate in rows
    ]


def identification_rise(now: datetime.datetime, today: datetime.date) -> list[Condition]:
    """Per governorate, today's reasonable-grounds decisions against the previous 28 days
    (``rules.identification_rise``), in one grouped query."""
    first = today - datetime.timedelta(days=rules.RISE_HISTORY_DAYS)
    counts: dict[int, dict[datetime.date, int]] = defaultdict(dict)
    codes: dict[int, str] = {}
    rows = (
        IdentificationDecision.objects.filter(
            status=IdentificationStatus.POSSIBLE,
            decided_on__gte=first,
            decided_on__lte=today,
            case__governorate_of_exploitation__isnull=False,
        )
        .values_list(
            "case__governorate_of_exploitation_id",
            "case__governorate_of_exploitation__code",
            "decided_on",
        )
        .annotate(n=Count("case", distinct=True))
        .order_by()
    )
    for governorate, code, day, n in rows:
        counts[governorate][day] = n
        codes[governorate] = code
    found = []
    for governorate, by_day in counts.items():
        history = [
            by_day.get(first + datetime.timedelta(days=i), 0)
            for i in range(rules.RISE_HISTORY_DAYS)
        ]
        rise = rules.identification_rise(by_day.get(today, 0), history)
        if rise is not None:
            found.append(
                Condition(
                    AlertRule.IDENTIFICATION_RISE,
                    Severity.CRITICAL,
                    codes[governorate],
                    today.isoformat(),
                    governorate,
                    Decimal(rise.today),
                )
            )
    return found


DETECTORS: dict[str, Callable[[datetime.datetime, datetime.date], list[Condition]]] = {
    AlertRule.EMERGENCY_REPORT: emergency_reports,
    AlertRule.INDICATOR: indicator_thresholds,
    AlertRule.CHILD_IDENTIFIED: children_identified,
    AlertRule.SHELTER_FULL: shelters,  # and NO_FREE_BED
    AlertRule.REFERRAL_OVERDUE: referrals_overdue,
    AlertRule.NO_SERVICE_72H: no_service_72h,
    AlertRule.HIGH_RISK_NO_PLAN: high_risk_without_plan,
    AlertRule.INTAKE_OVERDUE: intakes_overdue,
    AlertRule.IDENTIFICATION_RISE: identification_rise,
}
