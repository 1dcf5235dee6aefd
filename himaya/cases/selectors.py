"""Scoped reads of cases. Every read of a case starts from ``cases_visible_to``."""

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.http import Http404

from himaya.agencies.models import Agency, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.cases.models import (
    CarePlan,
    CarePlanGoal,
    CarePlanStatus,
    Case,
    ClosureRequest,
    ClosureStatus,
    ExploitationForm,
    Phase,
    RiskAssessment,
)
from himaya.core.fields import EncryptedTextField
from himaya.core.typing import AnyUser
from himaya.survivors.models import Survivor
from himaya.survivors.selectors import survivors_visible_to
from himaya.timeline.models import CaseEvent


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    """Cases led by an agency in which the user is a case worker or supervisor."""
    if not user.has_perm("cases.work_cases"):
        return Case.objects.none()
    agencies = agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    return Case.objects.filter(lead_agency_id__in=agencies)


def works_on(user: AnyUser, case: Case) -> bool:
    """Whether the user is a case worker or supervisor of the case's lead agency."""
    return bool(
        user.has_perm("cases.work_cases")
        and case.lead_agency_id in agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    )


def supervises(user: AnyUser, case: Case) -> bool:
    """Whether the user is a supervisor of the case's lead agency."""
    return bool(
        user.has_perm("cases.supervise")
        and case.lead_agency_id in agency_ids_for(user, Role.SUPERVISOR)
    )


def may_submit_care_plan(user: AnyUser, plan: CarePlan) -> bool:
    """A draft or returned plan is submitted by its author."""
    return plan.is_editable and plan.author_id == user.pk


def may_decide_care_plan(user: AnyUser, plan: CarePlan) -> bool:
    """A submitted plan is decided by a supervisor of the lead agency who did not write it."""
    return plan.is_submitted and plan.author_id != user.pk and supervises(user, plan.case)


def get_case_or_404(user: AnyUser, code: str) -> Case:
    """The case with this code if the user may see it; 404 for missing and forbidden alike."""
    case = (
        cases_visible_to(user).select_related("survivor", "lead_agency").filter(code=code).first()
    )
    if case is None:
        raise Http404
    return case


_SURVIVOR_ENCRYPTED = [
    f"survivor__{field.name}"
    for field in Survivor._meta.concrete_fields
    if isinstance(field, EncryptedTextField)
]


def case_list(user: AnyUser) -> QuerySet[Case]:
    """The visible cases, ready for a list (``cases.filters.CaseFilter`` searches them)."""
    return (
        cases_visible_to(user)
        .select_related("survivor", "lead_agency", "case_worker", "governorate_of_exploitation")
        .defer(*_SURVIVOR_ENCRYPTED)  # the list shows the survivor's code only: decrypt nothing
        .prefetch_related("exploitation_forms")
        .order_by("-first_contact_on", "-id")
    )


def case_detail(user: AnyUser, code: str) -> Case:
    """A visible case with everything its page shows, in a fixed number of queries."""
    case = (
        cases_visible_to(user)
        .select_related(
            "survivor",
            "lead_agency",
            "case_worker",
            "identifying_agency",
            "governorate_of_exploitation",
        )
        .prefetch_related(
            "exploitation_forms",
            Prefetch(
                "risk_assessments",
                queryset=RiskAssessment.objects.select_related("assessor"),
            ),
            Prefetch(
                "care_plans",
                queryset=CarePlan.objects.select_related("author", "decided_by").prefetch_related(
                    Prefetch("goals", queryset=CarePlanGoal.objects.order_by("id"))
                ),
            ),
            Prefetch(
                "closure_requests",
                queryset=ClosureRequest.objects.select_related("requested_by", "decided_by"),
            ),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
            "phase_changes",
        )
        .filter(code=code)
        .first()
    )
    if case is None:
        raise Http404
    return case


def lead_agencies_for(user: AnyUser) -> QuerySet[Agency]:
    """Agencies for which the user may open cases."""
    if not user.has_perm("cases.work_cases"):
        return Agency.objects.none()
    return Agency.objects.filter(
        pk__in=agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR), is_active=True
    ).order_by("name_en")


def survivor_for_case(user: AnyUser, code: str) -> Survivor | None:
    """The active survivor a case may be opened for, by code, or None: one the survivors
    app lets the user see (``survivors_visible_to``)."""
    if not user.has_perm("cases.work_cases") or not code:
        return None
    return survivors_visible_to(user).filter(code=code.strip().upper(), is_active=True).first()


def get_risk_assessment_or_404(user: AnyUser, code: str) -> RiskAssessment:
    assessment = (
        RiskAssessment.objects.filter(case__in=cases_visible_to(user), code=code)
        .select_related("case", "case__lead_agency", "assessor")
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


def care_plans_visible_to(user: AnyUser) -> QuerySet[CarePlan]:
    return CarePlan.objects.filter(case__in=cases_visible_to(user))


def get_care_plan_or_404(user: AnyUser, code: str) -> CarePlan:
    plan = (
        care_plans_visible_to(user)
        .select_related("case", "case__lead_agency", "author")
        .filter(code=code)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def get_goal_or_404(user: AnyUser, code: str) -> CarePlanGoal:
    goal = (
        CarePlanGoal.objects.filter(care_plan__case__in=cases_visible_to(user), code=code)
        .select_related("care_plan", "care_plan__case", "care_plan__case__lead_agency")
        .first()
    )
    if goal is None:
        raise Http404
    return goal


def get_closure_or_404(user: AnyUser, code: str) -> ClosureRequest:
    closure = (
        ClosureRequest.objects.filter(case__in=cases_visible_to(user), code=code)
        .select_related("case", "case__lead_agency", "requested_by")
        .first()
    )
    if closure is None:
        raise Http404
    return closure


def goals_for_case(case: Case) -> QuerySet[CarePlanGoal]:
    """Goals of the case's care plans (services link deliveries to them)."""
    return CarePlanGoal.objects.filter(care_plan__case=case).select_related("care_plan")


def pending_approvals(user: AnyUser) -> dict[str, Any]:
    """Care plans and closures waiting for a supervisor of the user's agencies.

    Each plan carries ``is_own``: the user wrote it, so another supervisor decides.
    """
    if not user.has_perm("cases.supervise"):
        return {"care_plans": CarePlan.objects.none(), "closures": ClosureRequest.objects.none()}
    agencies = agency_ids_for(user, Role.SUPERVISOR)
    plans = (
        CarePlan.objects.filter(case__lead_agency_id__in=agencies, status=CarePlanStatus.SUBMITTED)
        .select_related("case", "author")
        .annotate(is_own=ExpressionWrapper(Q(author_id=user.pk), output_field=BooleanField()))
        .order_by("submitted_at", "id")
    )
    closures = (
        ClosureRequest.objects.filter(
            case__lead_agency_id__in=agencies, status=ClosureStatus.PENDING
        )
        .select_related("case", "requested_by")
        .order_by("created_at", "id")
    )
    return {"care_plans": plans, "closures": closures}


def my_open_cases(user: AnyUser) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .filter(case_worker_id=user.pk)
        .exclude(phase=Phase.CLOSED)
        .select_related("lead_agency", "governorate_of_exploitation")
        .order_by("first_contact_on", "id")
    )


def case_workers_of(agency_id: int) -> QuerySet[Any]:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            memberships__agency_id=agency_id,
            memberships__role=Role.CASE_WORKER,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def exploitation_forms() -> QuerySet[ExploitationForm]:
    return ExploitationForm.objects.order_by("order")
