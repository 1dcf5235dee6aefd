"""Writes of the services app: planning, delivering and rating services for a case."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases.models import CarePlanGoal, Case
from himaya.core import bounds
from himaya.core.locking import save_with_version
from himaya.services import rules, selectors
from himaya.services.exceptions import ServiceError, ServiceForbidden
from himaya.services.models import (
    DeliveryStatus,
    FeedbackRecorder,
    ServiceDelivery,
    ServiceFeedback,
    ServiceType,
)
from himaya.timeline.actions import record_on_case
from himaya.timeline.models import EventKind


def _require_works_on(user: User, case: Case) -> None:
    if not selectors.works_on_case(user, case):
        raise ServiceForbidden(_("You may not work on this case."))


def _refuse(problem: bounds.Message | None) -> None:
    """Raise the refusal a bound check found, if any."""
    if problem is not None:
        raise ServiceError(problem)


def _check_note(note: str) -> None:
    limit = ServiceDelivery._meta.get_field("note").max_length or bounds.MAX_TEXT_LENGTH
    _refuse(bounds.text_problem(note, what=_("The note"), max_length=limit))


def _check_interpreter(interpreter: dict[str, Any], *, delivered: bool) -> dict[str, Any]:
    """The interpretation fields, cleaned (``interpreter_*``); refused with an error per
    field when they do not hold together."""
    values: dict[str, Any] = {
        "interpreter_needed": bool(interpreter.get("interpreter_needed", False)),
        "interpreter_language": str(interpreter.get("interpreter_language") or "").strip().lower(),
        "interpreter_provided_by": str(interpreter.get("interpreter_provided_by") or ""),
        "interpreter_sex": str(interpreter.get("interpreter_sex") or ""),
    }
    unknown = set(interpreter) - set(values)
    if unknown:
        raise TypeError(f"unexpected arguments: {sorted(unknown)}")
    problems = rules.interpreter_problems(
        needed=values["interpreter_needed"],
        language=values["interpreter_language"],
        provided_by=values["interpreter_provided_by"],
        sex=values["interpreter_sex"],
        delivered=delivered,
    )
    if problems:
        first = next(iter(problems.values()))
        raise ServiceError(first, errors={name: [text] for name, text in problems.items()})
    return values


def _check_planned_on(planned_on: date) -> None:
    _refuse(
        bounds.plan_date_problem(planned_on, what=_("The planned date"), today=timezone.localdate())
    )


@transaction.atomic
def plan_service(
    *,
    case: Case,
    by: User,
    service_type: ServiceType,
    provider: Agency,
    planned_on: date,
    goal: CarePlanGoal | None = None,
    note: str = "",
    **interpreter: Any,
) -> ServiceDelivery:
    """Plan a service for the case with a provider agency, serving a care-plan goal or not.

    ``interpreter`` takes ``interpreter_needed``, ``interpreter_language``,
    ``interpreter_provided_by`` and ``interpreter_sex`` (see ``rules.interpreter_problems``).
    """
    _require_works_on(by, case)
    if case.is_closed:
        raise ServiceError(_("This case is closed: no service can be planned."))
    if goal is not None and goal.care_plan.case_id != case.pk:
        raise ServiceError(_("The goal belongs to another case."))
    if not service_type.is_active or not provider.is_active:
        raise ServiceError(_("This service or provider is no longer available."))
    _check_planned_on(planned_on)
    _check_note(note)
    interpretation = _check_interpreter(interpreter, delivered=False)
    delivery = ServiceDelivery.objects.create(
        case=case,
        service_type=service_type,
        provider=provider,
        goal=goal,
        planned_on=planned_on,
        note=note,
        planned_by=by,
        **interpretation,
    )
    record_on_case(
        case=case,
        kind=EventKind.SERVICE_PLANNED,
        by=by,
        summary=lambda: str(
            _("%(service)s planned with %(provider)s")
            % {"service": service_type.name, "provider": provider.name}
        ),
        obj=delivery,
        details={"case": case.code, "service_type": service_type.code, "provider": provider.code},
    )
    return delivery


@transaction.atomic
def update_delivery(
    *,
    delivery: ServiceDelivery,
    by: User,
    expected_version: int,
    status: str,
    planned_on: date,
    delivered_on: date | None = None,
    note: str = "",
    **interpreter: Any,
) -> ServiceDelivery:
    """Re-plan, record as delivered or cancel a planned service, with the interpretation
    it needed (``interpreter_*``, as for ``plan_service``; kept as they were when not given).

    The lead agency's case workers and the provider agency's staff may do it.
    """
    if not selectors.may_update_delivery(by, delivery):
        raise ServiceForbidden(_("You may not work on this case."))
    if not delivery.is_editable:
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
    current = {
        "interpreter_needed": delivery.interpreter_needed,
        "interpreter_language": delivery.interpreter_language,
        "interpreter_provided_by": delivery.interpreter_provided_by,
        "interpreter_sex": delivery.interpreter_sex,
    }
    interpretation = _check_interpreter(
        {**current, **interpreter}, delivered=status == DeliveryStatus.DELIVERED
    )
    previous = delivery.status
    delivery.status = status
    delivery.planned_on = planned_on
    delivery.delivered_on = delivered_on
    delivery.note = note
    for name, value in interpretation.items():
        setattr(delivery, name, value)
    save_with_version(
        delivery,
        expected_version=expected_version,
        fields=["status", "planned_on", "delivered_on", "note", *interpretation],
    )
    kind = {
        DeliveryStatus.DELIVERED: EventKind.SERVICE_DELIVERED,
        DeliveryStatus.CANCELLED: EventKind.SERVICE_CANCELLED,
    }.get(DeliveryStatus(status), EventKind.SERVICE_REPLANNED)
    message = {
        EventKind.SERVICE_DELIVERED: _("%(service)s delivered"),
        EventKind.SERVICE_CANCELLED: _("%(service)s cancelled"),
        EventKind.SERVICE_REPLANNED: _("%(service)s re-planned"),
    }[kind]
    record_on_case(
        case=delivery.case,
        kind=kind,
        by=by,
        summary=lambda: str(message % {"service": delivery.service_type.name}),
        obj=delivery,
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
    by: User,
    rating: int,
    comment: str = "",
    recorded_as: str = FeedbackRecorder.STAFF,
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
    # The rating itself is not personal data; the comment may be, so it stays out.
    record_on_case(
        case=delivery.case,
        kind=EventKind.SERVICE_FEEDBACK,
        by=by,
        summary=lambda: str(
            _("Feedback recorded on %(service)s") % {"service": delivery.service_type.name}
        ),
        obj=feedback,
        action="service.feedback_recorded",
        details={"delivery": delivery.code, "rating": rating},
    )
    return feedback
