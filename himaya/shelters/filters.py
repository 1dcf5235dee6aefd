"""Filters of the stay lists."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from himaya.shelters.models import Stay, StayStatus


class StayFilter(django_filters.FilterSet):  # type: ignore[misc]
    open = django_filters.BooleanFilter(
        method="only_open", label=_("Only stays still open"), widget=BooleanWidget
    )

    class Meta:
        model = Stay
        fields = ["open"]

    def only_open(self, queryset: QuerySet[Stay], name: str, value: bool | None) -> QuerySet[Stay]:
        return queryset.filter(status=StayStatus.OPEN) if value else queryset
