import datetime

import factory
from factory.django import DjangoModelFactory

from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.tests.factories import CaseFactory
from himaya.services.models import (
    DeliveryStatus,
    ServiceDelivery,
    ServiceFeedback,
    ServiceType,
)


def service_type(code: str = "medical") -> ServiceType:
    return ServiceType.objects.get(code=code)


class ServiceDeliveryFactory(DjangoModelFactory):
    class Meta:
        model = ServiceDelivery

    case = factory.SubFactory(CaseFactory)
    service_type = factory.LazyFunction(service_type)
    provider = factory.SubFactory(AgencyFactory)
    planned_on = datetime.date(2026, 6, 16)
    status = DeliveryStatus.PLANNED
    planned_by = factory.SelfAttribute("case.case_worker")


class DeliveredFactory(ServiceDeliveryFactory):
    status = DeliveryStatus.DELIVERED
    delivered_on = datetime.date(2026, 6, 10)
    planned_on = datetime.date(2026, 6, 10)


class ServiceFeedbackFactory(DjangoModelFactory):
    class Meta:
        model = ServiceFeedback

    delivery = factory.SubFactory(DeliveredFactory)
    rating = 4
    comment = "خدمة جيدة"
    recorded_by = factory.SelfAttribute("delivery.case.case_worker")
    recorded_on = datetime.date(2026, 6, 11)
