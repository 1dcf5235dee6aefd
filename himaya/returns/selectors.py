"""Scoped reads of the returns app: every read starts from the cases the user may see."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from himaya.cases.models import Case, Phase
from himaya.cases.selectors import cases_visible_to, supervises, works_on
from himaya.core.typing import AnyUser
from himaya.returns import rules
from himaya.returns.models import (
    IN_PROGRESS,
    ReflectionPeriod,
    ReturnFollowUp,
    ReturnPlan,
    ReturnStatus,
)

WORK = "cases.work_cases"
SUPERVISE = "cases.supervise"


def reflection_days() -> int:
    """The duration of a new reflection period (``HIMAYA_REFLECTION_DAYS``; unverified)."""
    return int(getattr(settings, "HIMAYA_REFLECTION_DAYS", rules.DEFAULT_REFLECTION_DAYS))


def warning_days() -> int:
    return int(getattr(settings, "HIMAYA_REFLECTION_WARNING_DAYS", rules.DEFAULT_WARNING_DAYS))


def may_work(user: AnyUser, case: Case) -> bool:
    return works_on(user, case)


def may_approve(user: AnyUser, plan: ReturnPlan) -> bool:
    return supervises(user, plan.case)


def reflection_of(case: Case) -> ReflectionPeriod | None:
    return (
        ReflectionPeriod.objects.filter(case=case)
        .select_related("granted_by")
        .prefetch_related("extensions")
        .first()
    )


def reflection_dates(case: Case) -> tuple[date, date] | None:
    row = ReflectionPeriod.objects.filter(case=case).values_list("starts_on", "ends_on").first()
    return (row[0], row[1]) if row else None


def return_plans_visible_to(user: AnyUser) -> QuerySet[ReturnPlan]:
    return ReturnPlan.objects.filter(case__in=cases_visible_to(user).values("pk"))


def get_return_plan_or_404(user: AnyUser, code: str) -> ReturnPlan:
    """The plan with this code if the user may see its case; 404 for missing and forbidden."""
    plan = (
        return_plans_visible_to(user)
        .select_related("case__survivor", "case__lead_agency", "destination_governorate")
        .filter(code=code)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def get_reflection_or_404(user: AnyUser, case_code: str) -> ReflectionPeriod:
    period = (
        ReflectionPeriod.objects.filter(case__in=cases_visible_to(user).values("pk"))
        .select_related("case")
        .filter(case__code=case_code)
        .first()
    )
    if period is None:
        raise Http404
    return period


def get_follow_up_or_404(user: AnyUser, plan_code: str, months: int) -> ReturnFollowUp:
    plan = get_return_plan_or_404(user, plan_code)
    follow_up = ReturnFollowUp.objects.filter(plan=plan, months=months).first()
    if follow_up is None:
        raise Http404
    follow_up.plan = plan
    return follow_up


def plans_of_case(case: Case) -> QuerySet[ReturnPlan]:
    return (
        ReturnPlan.objects.filter(case=case)
        .select_related("destination_governorate")
        .prefetch_related("risk_assessments", "follow_ups")
        .order_by("-created_at", "-id")
    )


def current_plan(case: Case) -> ReturnPlan | None:
    """The case's plan that is not cancelled, if any."""
    return plans_of_case(case).exclude(status=ReturnStatus.CANCELLED).first()


def reflections_ending_soon_for(user: AnyUser, today: date) -> QuerySet[ReflectionPeriod]:
    """Reflection periods of the user's cases still running and ending within the warning."""
    return (
        ReflectionPeriod.objects.filter(
            case__in=cases_visible_to(user).exclude(phase=Phase.CLOSED).values("pk"),
            ends_on__gte=today,
            ends_on__lte=today + timedelta(days=warning_days()),
        )
        .select_related("case")
        .order_by("ends_on", "id")
    )


def overdue_follow_ups_for(user: AnyUser, today: date) -> QuerySet[ReturnFollowUp]:
    """Follow-ups after return of the user's cases whose date passed without a contact."""
    return (
        ReturnFollowUp.objects.filter(
            plan__case__in=cases_visible_to(user).values("pk"),
            done_on__isnull=True,
            due_on__lt=today,
        )
        .exclude(plan__status=ReturnStatus.CANCELLED)
        .select_related("plan__case")
        .order_by("due_on", "id")
    )


def plans_in_progress_for(user: AnyUser) -> QuerySet[ReturnPlan]:
    return (
        return_plans_visible_to(user)
        .filter(status__in=sorted(IN_PROGRESS))
        .select_related("case", "destination_governorate")
        .order_by("travel_planned_on", "id")
    )
