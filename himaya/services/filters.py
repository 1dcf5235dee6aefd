"""Filters of the delivery lists, shared by the pages and the API."""

import django_filters

from himaya.services.models import DeliveryStatus, ServiceDelivery


class DeliveryFilter(django_filters.FilterSet):  # type: ignore[misc]
    case = django_filters.CharFilter(field_name="case__code", max_length=20)
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)

    class Meta:
        model = ServiceDelivery
        fields = ["case", "status"]
