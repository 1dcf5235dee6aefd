"""Scoped reads of service deliveries and feedback; deliveries are seen through cases."""

from datetime import date
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from himaya.agencies.selectors import agency_ids_for
from himaya.cases.models import CarePlanGoal, Case
from himaya.cases.selectors import cases_visible_to, works_on
from himaya.core.typing import AnyUser
from himaya.services import rules
from himaya.services.models import DeliveryStatus, ServiceDelivery, ServiceFeedback, ServiceType


def service_types() -> QuerySet[ServiceType]:
    return ServiceType.objects.filter(is_active=True).order_by("order", "code")


def provider_agency_ids(user: AnyUser) -> set[int]:
    """Agencies whose services the user confirms (any role holding ``services.deliver``)."""
    if not user.has_perm("services.deliver"):
        return set()
    from himaya.agencies.permissions import CAPABILITIES

    return agency_ids_for(user, *CAPABILITIES["services.deliver"].roles)


def deliveries_visible_to(user: AnyUser) -> QuerySet[ServiceDelivery]:
    """Deliveries of the cases the user may see, and those the user's agency provides."""
    return ServiceDelivery.objects.filter(
        Q(case__in=cases_visible_to(user)) | Q(provider_id__in=provider_agency_ids(user))
    )


def deliveries_provided_by(user: AnyUser) -> QuerySet[ServiceDelivery]:
    """Services the user's agencies are asked to provide (case code only, no identity)."""
    return ServiceDelivery.objects.filter(provider_id__in=provider_agency_ids(user)).select_related(
        "case", "service_type", "provider"
    )


def is_provider_of(user: AnyUser, delivery: ServiceDelivery) -> bool:
    return delivery.provider_id in provider_agency_ids(user)


def works_on_case(user: AnyUser, case: Case) -> bool:
    """A case worker or supervisor of the case's lead agency."""
    return works_on(user, case)


def may_plan_services(user: AnyUser, case: Case) -> bool:
    """Services are planned by the lead agency's team, while the case is open."""
    return works_on(user, case) and not case.is_closed


def may_update_delivery(user: AnyUser, delivery: ServiceDelivery) -> bool:
    """The lead agency's team, or the staff of the provider agency."""
    return works_on(user, delivery.case) or is_provider_of(user, delivery)


def goal_of_case(case: Case, code: str) -> CarePlanGoal | None:
    """The goal with this code in the case's care plan, if there is one."""
    return CarePlanGoal.objects.filter(code=code, care_plan__case=case).first()


def get_delivery_or_404(user: AnyUser, code: str) -> ServiceDelivery:
    delivery = (
        deliveries_visible_to(user)
        .select_related("case", "case__lead_agency", "service_type", "provider", "goal")
        .filter(code=code)
        .first()
    )
    if delivery is None:
        raise Http404
    return delivery


def get_delivery_for_feedback_or_404(user: AnyUser, code: str) -> ServiceDelivery:
    """A delivery whose feedback the user records: the lead agency's team only. Provider
    staff see the delivery but not the survivor's feedback (404 like missing)."""
    delivery = get_delivery_or_404(user, code)
    if not works_on(user, delivery.case):
        raise Http404
    return delivery


def deliveries_of_case(case: Case) -> QuerySet[ServiceDelivery]:
    return (
        ServiceDelivery.objects.filter(case=case)
        .select_related("service_type", "provider", "goal", "feedback")
        .order_by("planned_on", "id")
    )


def deliveries_this_week(user: AnyUser, *, today: date) -> QuerySet[ServiceDelivery]:
    """Planned deliveries of the user's own open cases falling in the week of ``today``."""
    monday, sunday = rules.week_bounds(today)
    return (
        ServiceDelivery.objects.filter(case__in=cases_visible_to(user))
        .filter(
            case__case_worker_id=user.pk,
            status=DeliveryStatus.PLANNED,
            planned_on__range=(monday, sunday),
        )
        .select_related("case", "service_type", "provider")
        .order_by("planned_on", "id")
    )


def feedback_summary(user: AnyUser) -> list[dict[str, Any]]:
    """Ratings per service type and provider, without any case or survivor.

    Supervisors see the ratings of their agencies' cases; analysts see every rating. A
    group smaller than ``rules.MIN_GROUP_SIZE`` is withheld.
    """
    if not user.has_perm("services.view_feedback_report"):
        return []
    from himaya.agencies.models import Role
    from himaya.agencies.permissions import roles_of

    feedback = ServiceFeedback.objects.all()
    if Role.ANALYST not in roles_of(user):
        feedback = feedback.filter(delivery__case__in=cases_visible_to(user))
    rows = (
        feedback.values(
            "delivery__service_type__code",
            "delivery__service_type__name_en",
            "delivery__service_type__name_ar",
            "delivery__provider__code",
            "delivery__provider__name_en",
            "delivery__provider__name_ar",
        )
        .annotate(count=Count("id"), average=Avg("rating"))
        .order_by("delivery__service_type__order", "delivery__provider__name_en")
    )
    return [
        {
            "service_type": row["delivery__service_type__code"],
            "service_type_en": row["delivery__service_type__name_en"],
            "service_type_ar": row["delivery__service_type__name_ar"],
            "provider": row["delivery__provider__code"],
            "provider_en": row["delivery__provider__name_en"],
            "provider_ar": row["delivery__provider__name_ar"],
            "count": row["count"],
            "average": round(float(row["average"]), 2),
        }
        for row in rows
        if rules.is_reportable(row["count"])
    ]
