import datetime
from collections.abc import Callable, Iterator

import pytest
import time_machine

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.cases.models import Phase
from himaya.cases.tests.factories import CarePlanGoalFactory, CaseFactory
from himaya.core.locking import ConcurrentEditError
from himaya.services import actions, selectors
from himaya.services.exceptions import ServiceError, ServiceForbidden
from himaya.services.models import DeliveryStatus, ServiceDelivery, ServiceFeedback
from himaya.services.tests.factories import (
    DeliveredFactory,
    ServiceDeliveryFactory,
    ServiceFeedbackFactory,
    service_type,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)  # a Monday


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def test_plan_service_links_a_goal_and_writes_the_timeline(
    case_worker: User, agency_a: Agency, agency_b: Agency
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    goal = CarePlanGoalFactory(care_plan__case=case, care_plan__author=case_worker)
    delivery = actions.plan_service(
        case=case,
        by=case_worker,
        service_type=service_type("legal_aid"),
        provider=agency_b,
        planned_on=datetime.date(2026, 6, 20),
        goal=goal,
    )
    assert (delivery.status, delivery.goal, delivery.provider) == (
        DeliveryStatus.PLANNED,
        goal,
        agency_b,
    )
    assert list(case.events.values_list("kind", flat=True)) == ["service.planned"]


def test_plan_service_refuses_a_goal_of_another_case(case_worker: User, agency_a: Agency) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    foreign_goal = CarePlanGoalFactory()
    with pytest.raises(ServiceError):
        actions.plan_service(
            case=case,
            by=case_worker,
            service_type=service_type(),
            provider=agency_a,
            planned_on=TODAY,
            goal=foreign_goal,
        )
    assert ServiceDelivery.objects.count() == 0


def test_outsider_cannot_plan_a_service_and_nothing_changes(
    case_worker: User, outsider: User, agency_a: Agency
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    with pytest.raises(ServiceForbidden):
        actions.plan_service(
            case=case, by=outsider, service_type=service_type(), provider=agency_a, planned_on=TODAY
        )
    assert ServiceDelivery.objects.count() == case.events.count() == 0


def test_no_service_is_planned_for_a_closed_case(case_worker: User, agency_a: Agency) -> None:
    case = CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        phase=Phase.CLOSED,
        closed_on=TODAY,
        closure_reason="reintegrated",
    )
    with pytest.raises(ServiceError):
        actions.plan_service(
            case=case,
            by=case_worker,
            service_type=service_type(),
            provider=agency_a,
            planned_on=TODAY,
        )
    assert ServiceDelivery.objects.count() == 0


def test_delivering_needs_a_date_not_in_the_future(case_worker: User, agency_a: Agency) -> None:
    delivery = ServiceDeliveryFactory(case__lead_agency=agency_a, case__case_worker=case_worker)
    for delivered_on in (None, datetime.date(2026, 6, 16)):
        with pytest.raises(ServiceError):
            actions.update_delivery(
                delivery=delivery,
                by=case_worker,
                expected_version=1,
                status=DeliveryStatus.DELIVERED,
                planned_on=delivery.planned_on,
                delivered_on=delivered_on,
            )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.version) == (DeliveryStatus.PLANNED, 1)
    actions.update_delivery(
        delivery=delivery,
        by=case_worker,
        expected_version=1,
        status=DeliveryStatus.DELIVERED,
        planned_on=delivery.planned_on,
        delivered_on=TODAY,
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.delivered_on) == (DeliveryStatus.DELIVERED, TODAY)
    assert delivery.case.events.get().kind == "service.delivered"


@pytest.mark.parametrize("final", [DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED])
def test_a_delivered_or_cancelled_service_cannot_change(
    case_worker: User, agency_a: Agency, final: str
) -> None:
    delivery = ServiceDeliveryFactory(
        case__lead_agency=agency_a,
        case__case_worker=case_worker,
        status=final,
        delivered_on=TODAY if final == DeliveryStatus.DELIVERED else None,
    )
    with pytest.raises(ServiceError):
        actions.update_delivery(
            delivery=delivery,
            by=case_worker,
            expected_version=1,
            status=DeliveryStatus.PLANNED,
            planned_on=TODAY,
        )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.version) == (final, 1)


def test_a_stale_delivery_edit_is_refused(
    case_worker: User, supervisor: User, agency_a: Agency
) -> None:
    delivery = ServiceDeliveryFactory(case__lead_agency=agency_a, case__case_worker=case_worker)
    actions.update_delivery(
        delivery=delivery,
        by=case_worker,
        expected_version=1,
        status=DeliveryStatus.CANCELLED,
        planned_on=delivery.planned_on,
        note="لم تحضر",
    )
    stale = ServiceDelivery.objects.get(pk=delivery.pk)
    stale.status = DeliveryStatus.PLANNED
    with pytest.raises(ConcurrentEditError):
        actions.update_delivery(
            delivery=stale,
            by=supervisor,
            expected_version=1,
            status=DeliveryStatus.DELIVERED,
            planned_on=delivery.planned_on,
            delivered_on=TODAY,
        )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.note, delivery.version) == (
        DeliveryStatus.CANCELLED,
        "لم تحضر",
        2,
    )


def test_feedback_is_recorded_once_for_a_delivered_service(
    case_worker: User, agency_a: Agency
) -> None:
    delivery = DeliveredFactory(case__lead_agency=agency_a, case__case_worker=case_worker)
    actions.record_feedback(delivery=delivery, by=case_worker, rating=5, comment="ممتازة")
    with pytest.raises(ServiceError):
        actions.record_feedback(delivery=delivery, by=case_worker, rating=1)
    assert list(ServiceFeedback.objects.values_list("rating", flat=True)) == [5]


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_feedback_rating_goes_from_one_to_five(
    case_worker: User, agency_a: Agency, rating: int
) -> None:
    delivery = DeliveredFactory(case__lead_agency=agency_a, case__case_worker=case_worker)
    with pytest.raises(ServiceError):
        actions.record_feedback(delivery=delivery, by=case_worker, rating=rating)
    assert ServiceFeedback.objects.count() == 0


def test_feedback_on_a_planned_service_is_refused(case_worker: User, agency_a: Agency) -> None:
    delivery = ServiceDeliveryFactory(case__lead_agency=agency_a, case__case_worker=case_worker)
    with pytest.raises(ServiceError):
        actions.record_feedback(delivery=delivery, by=case_worker, rating=3)
    assert ServiceFeedback.objects.count() == 0


def test_feedback_summary_groups_by_service_and_provider_and_hides_small_groups(
    personas: dict[str, User], agency_a: Agency, make_persona: Callable[..., User]
) -> None:
    worker = personas[Role.CASE_WORKER]
    provider = CaseFactory().lead_agency
    for rating in (5, 4, 3):
        ServiceFeedbackFactory(
            rating=rating,
            delivery__provider=provider,
            delivery__case__lead_agency=agency_a,
            delivery__case__case_worker=worker,
        )
    ServiceFeedbackFactory(  # alone in its group: withheld
        rating=1,
        delivery__service_type=service_type("shelter"),
        delivery__provider=provider,
        delivery__case__lead_agency=agency_a,
        delivery__case__case_worker=worker,
    )
    rows = selectors.feedback_summary(personas[Role.ANALYST])
    assert rows == [
        {
            "service_type": "medical",
            "service_type_en": "Medical care",
            "service_type_ar": "الرعاية الطبية",
            "provider": provider.code,
            "provider_en": provider.name_en,
            "provider_ar": provider.name_ar,
            "count": 3,
            "average": 4.0,
        }
    ]
    assert selectors.feedback_summary(personas[Role.SUPERVISOR]) == rows
    assert selectors.feedback_summary(personas[Role.CASE_WORKER]) == []
    other_supervisor = make_persona(Role.SUPERVISOR, CaseFactory().lead_agency, "sup_x")
    assert selectors.feedback_summary(other_supervisor) == []


def test_services_this_week_are_my_planned_ones_from_monday_to_sunday(
    case_worker: User, supervisor: User, agency_a: Agency
) -> None:
    mine = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    theirs = CaseFactory(lead_agency=agency_a, case_worker=supervisor)
    inside = ServiceDeliveryFactory(case=mine, planned_on=datetime.date(2026, 6, 21))
    ServiceDeliveryFactory(case=mine, planned_on=datetime.date(2026, 6, 22))
    ServiceDeliveryFactory(case=mine, planned_on=datetime.date(2026, 6, 14))
    ServiceDeliveryFactory(case=theirs, planned_on=TODAY)
    ServiceDeliveryFactory(case=mine, planned_on=TODAY, status=DeliveryStatus.CANCELLED)
    assert list(selectors.deliveries_this_week(case_worker, today=TODAY)) == [inside]
