"""Synthetic demo deliveries and survivor feedback for the demo cases (idempotent)."""

import datetime
import random

from django.utils import timezone

from himaya.agencies.models import Agency
from himaya.cases.demo import demo_survivors
from himaya.cases.models import Case, Phase
from himaya.services.models import (
    DeliveryStatus,
    FeedbackRecorder,
    ServiceDelivery,
    ServiceFeedback,
    ServiceType,
)
from himaya.timeline.models import CaseEvent, EventKind

SEED = 20261130

# Service type → provider agencies (English names) and how many days after the phase starts.
PROVIDERS: dict[str, list[str]] = {
    "medical": ["Cairo University Hospital"],
    "psychological": ["Nour Association for Women's Support", "IOM Egypt"],
    "legal_aid": ["Nour Association for Women's Support", "Upper Egypt Child Rights Association"],
    "interpretation": ["IOM Egypt"],
    "shelter": ["Cairo Protection Shelter", "Alexandria Protection Shelter"],
    "repatriation": ["IOM Egypt"],
    "family_tracing": ["IOM Egypt", "Upper Egypt Child Rights Association"],
    "education": ["Upper Egypt Child Rights Association"],
    "vocational_training": ["Nour Association for Women's Support"],
    "cash_assistance": ["Ministry of Social Solidarity"],
    "documentation": ["Ministry of Social Solidarity"],
    "security": ["Anti-Trafficking Police Unit"],
}
# What each phase typically brings.
BY_PHASE: dict[str, list[str]] = {
    Phase.PROTECTION: ["shelter", "medical", "psychological", "security", "interpretation"],
    Phase.ASSISTANCE: ["psychological", "legal_aid", "documentation", "cash_assistance", "medical"],
    Phase.REINTEGRATION: ["vocational_training", "education", "family_tracing", "repatriation"],
    Phase.FOLLOW_UP: ["psychological", "cash_assistance"],
}
PHASE_START = {
    Phase.PROTECTION: "protection_started_on",
    Phase.ASSISTANCE: "assistance_started_on",
    Phase.REINTEGRATION: "reintegration_started_on",
    Phase.FOLLOW_UP: "follow_up_started_on",
}
COMMENTS = [
    "عاملوني باحترام وشرحوا لي كل خطوة.",
    "الانتظار كان طويلاً.",
    "ساعدني كثيراً، شكراً.",
    "أحتاج إلى متابعة أكثر.",
    "",
    "",
]


def seed() -> str:
    today = timezone.localdate()
    types = {t.code: t for t in ServiceType.objects.all()}
    agencies = {a.name_en: a for a in Agency.objects.all()}
    cases = (
        Case.objects.filter(survivor__in=demo_survivors())
        .select_related("case_worker")
        .prefetch_related("care_plans__goals")
        .order_by("id")
    )
    planned = with_services = 0
    for case in cases:
        if ServiceDelivery.objects.filter(case=case).exists():
            continue
        rng = random.Random(f"{SEED}-{case.code}")
        goals = [goal for plan in case.care_plans.all() for goal in plan.goals.all()]
        end = case.closed_on or today
        made = 0
        for phase, field in PHASE_START.items():
            start = getattr(case, field)
            if start is None:
                continue
            for code in rng.sample(BY_PHASE[phase], k=min(rng.randint(1, 3), len(BY_PHASE[phase]))):
                provider = agencies.get(rng.choice(PROVIDERS[code]))
                if provider is None or code not in types:
                    continue
                planned_on = start + datetime.timedelta(days=rng.randint(0, 40))
                if case.phase == Phase.CLOSED and planned_on > end:
                    continue
                status = DeliveryStatus.PLANNED
                delivered_on = None
                if planned_on <= today - datetime.timedelta(days=2):
                    status = rng.choices(
                        [DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED], weights=[88, 12]
                    )[0]
                    if status == DeliveryStatus.DELIVERED:
                        delivered_on = min(
                            planned_on + datetime.timedelta(days=rng.randint(0, 5)), today
                        )
                elif case.phase == Phase.CLOSED:
                    continue
                delivery = ServiceDelivery.objects.create(
                    case=case,
                    service_type=types[code],
                    provider=provider,
                    goal=rng.choice(goals) if goals and rng.random() < 0.6 else None,
                    planned_on=planned_on,
                    delivered_on=delivered_on,
                    status=status,
                    planned_by=case.case_worker,
                )
                CaseEvent.objects.create(
                    case=case,
                    occurred_at=datetime.datetime.combine(
                        min(start, today), datetime.time(9), tzinfo=datetime.UTC
                    ),
                    kind=EventKind.SERVICE_PLANNED,
                    summary=f"{types[code].name_ar} · {provider.name_ar}",
                    summary_en=f"{types[code].name_en} · {provider.name_en}",
                    actor=case.case_worker,
                    object_code=delivery.code,
                )
                made += 1
                if delivered_on is not None:
                    CaseEvent.objects.create(
                        case=case,
                        occurred_at=datetime.datetime.combine(
                            delivered_on, datetime.time(13), tzinfo=datetime.UTC
                        ),
                        kind=EventKind.SERVICE_DELIVERED,
                        summary=f"قُدّمت خدمة {types[code].name_ar}",
                        summary_en=f"{types[code].name_en} delivered",
                        actor=case.case_worker,
                        object_code=delivery.code,
                    )
                if status == DeliveryStatus.DELIVERED and rng.random() < 0.6:
                    assert delivered_on is not None
                    ServiceFeedback.objects.create(
                        delivery=delivery,
                        rating=rng.choices([1, 2, 3, 4, 5], weights=[4, 8, 20, 38, 30])[0],
                        comment=rng.choice(COMMENTS),
                        recorded_as=rng.choice(FeedbackRecorder.values),
                        recorded_by=case.case_worker,
                        recorded_on=min(delivered_on + datetime.timedelta(days=1), today),
                    )
        # A few services planned for this week in open cases, for the work queue.
        if case.phase not in {Phase.CLOSED, Phase.IDENTIFICATION} and rng.random() < 0.25:
            code = rng.choice(BY_PHASE.get(case.phase, ["psychological"]))
            provider = agencies.get(rng.choice(PROVIDERS[code]))
            if provider is not None:
                ServiceDelivery.objects.create(
                    case=case,
                    service_type=types[code],
                    provider=provider,
                    planned_on=today + datetime.timedelta(days=rng.randint(0, 5)),
                    planned_by=case.case_worker,
                )
                made += 1
        planned += made
        with_services += bool(made)
    total = ServiceDelivery.objects.filter(case__survivor__in=demo_survivors()).count()
    feedback = ServiceFeedback.objects.count()
    return (
        f"{planned} service deliveries created for {with_services} cases, {total} in the demo, "
        f"{feedback} ratings"
    )
