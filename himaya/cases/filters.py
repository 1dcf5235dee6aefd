"""The search of the case list, shared by the page and the API (same parameters)."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from himaya.cases.models import Case, CasePlatform, Phase


class CaseFilter(django_filters.FilterSet):  # type: ignore[misc,unused-ignore]
    """``q`` (part of a case code), ``phase``, ``agency`` (lead agency code),
    ``governorate`` (governorate of exploitation code), ``form`` (exploitation form code),
    ``technology`` (``true``: an online platform was used or the exploitation was online;
    ``false``: neither).

    Codes are matched as given: filtering adds no query of its own.
    """

    q = django_filters.CharFilter(label=_("Case code"), method="filter_code", max_length=20)
    phase = django_filters.ChoiceFilter(label=_("Phase"), choices=Phase.choices)
    agency = django_filters.CharFilter(
        label=_("Lead agency"), field_name="lead_agency__code", max_length=20
    )
    governorate = django_filters.CharFilter(
        label=_("Governorate of exploitation"),
        field_name="governorate_of_exploitation__code",
        max_length=8,
    )
    form = django_filters.CharFilter(
        label=_("Form of exploitation"), method="filter_form", max_length=64
    )
    technology = django_filters.BooleanFilter(
        label=_("Technology-facilitated"), method="filter_technology"
    )

    class Meta:
        model = Case
        fields = ["q", "phase", "agency", "governorate", "form", "technology"]

    def filter_code(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(code__icontains=value.strip())

    def filter_form(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(exploitation_forms__code=value).distinct()

    def filter_technology(
        self, queryset: QuerySet[Case], name: str, value: bool | None
    ) -> QuerySet[Case]:
        if value is None:
            return queryset
        online = Q(exploited_online=True) | Exists(
            CasePlatform.objects.filter(case_id=OuterRef("pk"))
        )
        return queryset.filter(online) if value else queryset.exclude(online)
