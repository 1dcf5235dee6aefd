"""Demo returns (synthetic, idempotent): one foreign survivor's case with a reflection
period that is over and a return home with its follow-ups, and another foreign survivor
whose reflection period ends within the warning."""

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Membership, Role
from himaya.cases.actions import set_case_deadline
from himaya.cases.models import Case, DeadlineKind, Phase, RiskLevel
from himaya.returns import rules, selectors
from himaya.returns.models import (
    AssessmentPlace,
    FollowUpMethod,
    FollowUpOutcome,
    ReflectionPeriod,
    ReturnFollowUp,
    ReturnPlan,
    ReturnRiskAssessment,
    ReturnStatus,
)


def _foreign_adult_cases(today: datetime.date) -> QuerySet[Case]:
    return (
        Case.objects.exclude(phase=Phase.CLOSED)
        .exclude(survivor__nationality__in=["EG", "XX"])
        .filter(survivor__birth_year__lte=today.year - 20)
        .select_related("survivor", "lead_agency")
        .order_by("created_at", "id")
    )


def _supervisor_of(case: Case) -> User | None:
    membership = (
        Membership.objects.filter(agency=case.lead_agency, role=Role.SUPERVISOR, is_active=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


@transaction.atomic
def seed() -> str:
    if ReturnPlan.objects.exists() or ReflectionPeriod.objects.exists():
        return "returns already present, nothing created"
    today = timezone.localdate()
    cases = [c for c in _foreign_adult_cases(today)[:20] if _supervisor_of(c) is not None][:2]
    if not cases:
        return "returns: no foreign survivor's case with a supervisor, nothing created"
    home = cases[0]
    worker, supervisor = home.case_worker, _supervisor_of(home)
    days = selectors.reflection_days()
    starts_on = today - datetime.timedelta(days=days + 150)
    ReflectionPeriod.objects.create(
        case=home,
        starts_on=starts_on,
        days=days,
        ends_on=rules.reflection_ends_on(starts_on, days),
        granted_by=worker,
    )
    arrived_on = today - datetime.timedelta(days=110)
    plan = ReturnPlan.objects.create(
        case=home,
        status=ReturnStatus.TRAVELLED,
        destination_country=home.survivor.nationality,
        choice_recorded_on=arrived_on - datetime.timedelta(days=40),
        choice_recorded_by=worker,
        options_explained=(
            "شُرحت للناجية خيارات العودة الطوعية والبقاء في مصر وإعادة التوطين، "
            "بلغتها وبحضور مترجمة."
        ),
        chose_return=True,
        receiving_organisation="منظمة الاستقبال وإعادة الإدماج (بيانات تجريبية)",
        receiving_country=home.survivor.nationality,
        receiving_contact="+000 000 000 000 (رقم تجريبي)",
        travel_planned_on=arrived_on,
        travel_documents_ready=True,
        escorted=True,
        approved_on=arrived_on - datetime.timedelta(days=14),
        approved_by=supervisor,
        departed_on=arrived_on,
        arrived_on=arrived_on,
        created_by=worker,
    )
    for place, level in (
        (AssessmentPlace.EGYPT, RiskLevel.MEDIUM),
        (AssessmentPlace.DESTINATION, RiskLevel.LOW),
    ):
        ReturnRiskAssessment.objects.create(
            plan=plan,
            place=place,
            level=level,
            factors="ديون لدى الوسيط؛ دعم أسري متوفر",
            assessed_on=arrived_on - datetime.timedelta(days=30),
            assessed_by=worker,
        )
    for months, due_on in rules.follow_up_schedule(arrived_on):
        done = due_on <= today
        ReturnFollowUp.objects.create(
            plan=plan,
            months=months,
            due_on=due_on,
            done_on=due_on if done else None,
            method=FollowUpMethod.PARTNER if done else "",
            outcome=FollowUpOutcome.WELL if done else "",
            note="عادت إلى أسرتها وتتلقى تدريباً مهنياً" if done else "",
            recorded_by=worker if done else None,
        )
    next_due = plan.follow_ups.filter(done_on__isnull=True).order_by("due_on").first()
    if next_due is not None:
        set_case_deadline(
            case=home,
            kind=DeadlineKind.FOLLOW_UP_VISIT,
            due_on=next_due.due_on,
            source_code=plan.code,
        )
    created = 1
    if len(cases) > 1:
        waiting = cases[1]
        starts_on = today - datetime.timedelta(days=max(days - 10, 0))
        ReflectionPeriod.objects.create(
            case=waiting,
            starts_on=starts_on,
            days=days,
            ends_on=rules.reflection_ends_on(starts_on, days),
            granted_by=waiting.case_worker,
        )
        created += 1
    return f"{created} reflection periods and 1 return plan created"
