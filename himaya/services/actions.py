"""Writes of the services app: planning, delivering and rating services for a case."""

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency
from himaya.audit.actions import record_event
from himaya.cases.actions import record_case_event, works_on
from himaya.cases.models import CarePlanGoal, Case, Phase
from himaya.core import bounds
from himaya.core.locking import save_with_version
from himaya.services import rules
from himaya.services.exceptions import ServiceError
from himaya.services.models import (
    DeliveryStatus,
    FeedbackRecorder,
    ServiceDelivery,
    ServiceFeedback,
    ServiceType,
)


def _require_works_on(user: Any, case: Case) -> None:
    if not works_on(user, case):
        raise ServiceError(_("You may not work on this case."))


def _refuse(problem: bounds.Message | None) -> None:
    """Raise the refusal a bound check found, if any."""
    if problem is not None:
        raise ServiceError(problem)


def _check_note(note: str) -> None:
    limit = ServiceDelivery._meta.get_field("note").max_length or bounds.MAX_TEXT_LENGTH
    _refuse(bounds.text_problem(note, what=_("The note"), max_length=limit))


def _check_planned_on(planned_on: date) -> None:
    _refuse(
        bounds.plan_date_problem(planned_on, what=_("The planned date"), today=timezone.localdate())
    )


@transaction.atomic
def plan_service(
    *,
    case: Case,
    by: Any,
    service_type: ServiceType,
    provider: Agency,
    planned_on: date,
    goal: CarePlanGoal | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> ServiceDelivery:
    """Plan a service for the case with a provider agency, serving a care-plan goal or not."""
    _require_works_on(by, case)
    if case.phase == Phase.CLOSED:
        raise ServiceError(_("This case is closed: no service can be planned."))
    if goal is not None and goal.care_plan.case_id != case.pk:
        raise ServiceError(_("The goal belongs to another case."))
    if not service_type.is_active or not provider.is_active:
        raise ServiceError(_("This service or provider is no longer available."))
    _check_planned_on(planned_on)
    _check_note(note)
    delivery = ServiceDelivery.objects.create(
        case=case,
        service_type=service_type,
        provider=provider,
        goal=goal,
        planned_on=planned_on,
        note=note,
        planned_by=by,
    )
    record_case_event(
        case=case,
        kind="service.planned",
        by=by,
        summary=lambda: str(
            _("%(service)s planned with %(provider)s")
            % {"service": service_type.name, "provider": provider.name}
        ),
        object_code=delivery.code,
    )
    record_event(
        action="service.planned",
        actor=by,
        obj=delivery,
        request=request,
        details={"case": case.code, "service_type": service_type.code, "provider": provider.code},
    )
    return delivery


@transaction.atomic
def update_delivery(
    *,
    delivery: ServiceDelivery,
    by: Any,
    expected_version: int,
    status: str,
    planned_on: date,
    delivered_on: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> ServiceDelivery:
    """Re-plan, record as delivered or cancel a planned service.

    The lead agency's case workers and the provider agency's staff may do it.
    """
    from himaya.services.selectors import is_provider_of

    if not (works_on(by, delivery.case) or is_provider_of(by, delivery)):
        raise ServiceError(_("You may not work on this case."))
    if delivery.status != DeliveryStatus.PLANNED:
        raise ServiceError(_("Only a planned service can be changed."))
    if status != delivery.status and not rules.delivery_can_move(delivery.status, status):
        raise ServiceError(_("This change of status is not allowed."))
    if status == DeliveryStatus.DELIVERED:
        if delivered_on is None:
            raise ServiceError(_("Give the date the service was delivered."))
        if delivered_on > timezone.localdate():
            raise ServiceError(_("A delivery date cannot be in the future."))
        _refuse(
            bounds.record_date_problem(
                delivered_on, what=_("The delivery date"), today=timezone.localdate()
            )
        )
    else:
        delivered_on = None
    if planned_on != delivery.planned_on:
        _check_planned_on(planned_on)
    _check_note(note)
    previous = delivery.status
    delivery.status = status
    delivery.planned_on = planned_on
    delivery.delivered_on = delivered_on
    delivery.note = note
    save_with_version(
        delivery,
        expected_version=expected_version,
        fields=["status", "planned_on", "delivered_on", "note"],
    )
    kind = {
        DeliveryStatus.DELIVERED: "service.delivered",
        DeliveryStatus.CANCELLED: "service.cancelled",
    }.get(DeliveryStatus(status), "service.replanned")
    message = {
        "service.delivered": _("%(service)s delivered"),
        "service.cancelled": _("%(service)s cancelled"),
        "service.replanned": _("%(service)s re-planned"),
    }[kind]
    record_case_event(
        case=delivery.case,
        kind=kind,
        by=by,
        summary=lambda: str(message % {"service": delivery.service_type.name}),
        object_code=delivery.code,
    )
    record_event(
        action=kind,
        actor=by,
        obj=delivery,
        request=request,
        details={"case": delivery.case.code, "from": previous, "to": status},
    )
    return delivery


def _check_comment(comment: str) -> None:
    limit = ServiceFeedback._meta.get_field("comment").max_length or bounds.MAX_TEXT_LENGTH
    _refuse(bounds.text_problem(comment.strip(), what=_("The comment"), max_length=limit))


@transaction.atomic
def record_feedback(
    *,
    delivery: ServiceDelivery,
    by: Any,
    rating: int,
    comment: str = "",
    recorded_as: str = FeedbackRecorder.STAFF,
    request: HttpRequest | None = None,
) -> ServiceFeedback:
    """Record the survivor's rating (1–5) of a delivered service, once per delivery."""
    _require_works_on(by, delivery.case)
    if delivery.status != DeliveryStatus.DELIVERED:
        raise ServiceError(_("Feedback is recorded only for a delivered service."))
    if not 1 <= rating <= 5:
        raise ServiceError(_("The rating goes from 1 to 5."))
    _check_comment(comment)
    if ServiceFeedback.objects.filter(delivery=delivery).exists():
        raise ServiceError(_("Feedback was already recorded for this service."))
    feedback = ServiceFeedback.objects.create(
        delivery=delivery,
        rating=rating,
        comment=comment.strip(),
        recorded_as=recorded_as,
        recorded_by=by,
        recorded_on=timezone.localdate(),
    )
    record_case_event(
        case=delivery.case,
        kind="service.feedback",
        by=by,
        summary=lambda: str(
            _("Feedback recorded on %(service)s") % {"service": delivery.service_type.name}
        ),
        object_code=feedback.code,
    )
    # The rating itself is not personal data; the comment may be, so it stays out.
    record_event(
        action="service.feedback_recorded",
        actor=by,
        obj=feedback,
        request=request,
        details={"delivery": delivery.code, "rating": rating},
    )
    return feedback


@transaction.atomic
def update_feedback(
    *,
    feedback: ServiceFeedback,
    by: Any,
    expected_version: int,
    rating: int,
    comment: str = "",
    request: HttpRequest | None = None,
) -> ServiceFeedback:
    _require_works_on(by, feedback.delivery.case)
    if not 1 <= rating <= 5:
        raise ServiceError(_("The rating goes from 1 to 5."))
    _check_comment(comment)
    feedback.rating = rating
    feedback.comment = comment.strip()
    save_with_version(feedback, expected_version=expected_version, fields=["rating", "comment"])
    record_event(
        action="service.feedback_updated",
        actor=by,
        obj=feedback,
        request=request,
        details={"rating": rating},
    )
    return feedback
