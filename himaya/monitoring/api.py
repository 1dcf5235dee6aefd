"""JSON API of the monitoring app: the indicators' definitions and their daily values,
filtered and suppressed as on the dashboard."""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.monitoring import selectors
from himaya.monitoring.actions import VIEW_DASHBOARD
from himaya.monitoring.forms import MAX_DAYS
from himaya.monitoring.indicators import DIMENSIONS, all_indicators, get_indicator


class IndicatorDefinitionOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    family = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    unit = serializers.CharField()
    numerator = serializers.CharField()
    denominator = serializers.CharField(allow_null=True)
    dimensions = serializers.ListField(child=serializers.CharField())
    higher_is_better = serializers.BooleanField()
    target = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    warning = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    critical = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)


class IndicatorListApi(APIView):
    @extend_schema(
        operation_id="monitoring_indicators", responses={200: IndicatorDefinitionOut(many=True)}
    )
    def get(self, request: Request) -> Response:
        """Every indicator: its definition, unit, disaggregations, target and thresholds."""
        user = acting_user(request)
        require_capability(user, VIEW_DASHBOARD)
        items = all_indicators()
        limits = selectors.thresholds(items)
        rows = [
            {
                "code": i.code,
                "family": i.family,
                "name": str(i.name),
                "definition": str(i.definition),
                "unit": i.unit,
                "numerator": str(i.numerator_text),
                "denominator": None if i.denominator_text is None else str(i.denominator_text),
                "dimensions": list(i.dimensions),
                "higher_is_better": i.higher_is_better,
                "target": limits[i.code].target,
                "warning": limits[i.code].warning,
                "critical": limits[i.code].critical,
            }
            for i in items
        ]
        return Response(IndicatorDefinitionOut(rows, many=True).data)


class ValuesIn(serializers.Serializer[Any]):
    indicator = serializers.CharField(max_length=40)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    dimension = serializers.ChoiceField(choices=["", *DIMENSIONS], required=False, allow_blank=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "from" and "to" are keywords in Python: the fields are declared under other names
        # and renamed before they are bound, so that they read and validate as "from", "to".
        fields = super().get_fields()
        fields["from"] = fields.pop("start")
        fields["to"] = fields.pop("end")
        return fields

    def validate_indicator(self, value: str) -> str:
        if get_indicator(value) is None:
            raise serializers.ValidationError(_("There is no indicator with this code."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        item = get_indicator(attrs["indicator"])
        assert item is not None
        dimension = attrs.get("dimension") or ""
        if dimension and dimension not in item.dimensions:
            raise serializers.ValidationError(
                {"dimension": _("This indicator is not broken down this way.")}
            )
        end = attrs.get("to") or selectors.latest_day() or timezone.localdate()
        start = attrs.get("from") or end - datetime.timedelta(days=29)
        if start > end:
            raise serializers.ValidationError({"from": _("The start is after the end.")})
        if (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError({"from": _("Ask for at most 366 days at a time.")})
        return {"item": item, "start": start, "end": end, "dimension": dimension}


class ValueOut(serializers.Serializer[Any]):
    day = serializers.DateField()
    cell = serializers.CharField()
    dimension = serializers.CharField()
    member = serializers.CharField()
    member_label = serializers.CharField(source="label")
    numerator = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    denominator = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    value = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    suppressed = serializers.BooleanField()


class ValueListApi(APIView):
    @extend_schema(
        operation_id="monitoring_values",
        parameters=[
            OpenApiParameter("indicator", str, required=True, description="Indicator code"),
            OpenApiParameter("from", str, description="YYYY-MM-DD (default: 30 days to `to`)"),
            OpenApiParameter("to", str, description="YYYY-MM-DD (default: the last day computed)"),
            OpenApiParameter("dimension", str, description="A disaggregation of the indicator"),
        ],
        responses={200: ValueOut(many=True)},
    )
    def get(self, request: Request) -> Response:
        """Daily values of one indicator: the total and, with ``dimension``, its members.
        Small cells are hidden (``suppressed``) for readers who may not see identity."""
        user = acting_user(request)
        require_capability(user, VIEW_DASHBOARD)
        given = ValuesIn(data=request.query_params)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        points = selectors.values(
            data["item"],
            start=data["start"],
            end=data["end"],
            dimension=data["dimension"],
            small=selectors.sees_small_cells(user),
        )
        return Response(ValueOut(points, many=True).data)
