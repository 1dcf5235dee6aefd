"""Filters of the payment list, shared by the page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from himaya.fund.models import PaymentRequest, Status


class PaymentFilter(django_filters.FilterSet):  # type: ignore[misc]  # untyped library
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("All statuses")
    )

    class Meta:
        model = PaymentRequest
        fields = ["status"]
