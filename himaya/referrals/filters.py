"""Filters of the referral lists, shared by the pages and the API."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from himaya.referrals.models import Referral, ReferralQuerySet


class ReferralFilter(django_filters.FilterSet):  # type: ignore[misc]
    overdue = django_filters.BooleanFilter(
        method="only_overdue",
        label=_("Only referrals past their deadline"),
        widget=BooleanWidget,
    )

    class Meta:
        model = Referral
        fields = ["overdue"]

    def only_overdue(
        self, queryset: QuerySet[Referral], name: str, value: bool | None
    ) -> QuerySet[Referral]:
        if not value:
            return queryset
        referrals: ReferralQuerySet = queryset  # type: ignore[assignment]
        return referrals.overdue(timezone.now())
