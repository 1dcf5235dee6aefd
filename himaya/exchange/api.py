"""JSON API of the exchange app: the k-anonymous export and the international tables."""

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.audit.exports import password_confirmed
from himaya.core.errors import Forbidden, NotFound
from himaya.exchange import actions, rules, selectors
from himaya.monitoring.selectors import sees_small_cells


class ExportIn(serializers.Serializer[Any]):
    layout = serializers.ChoiceField(choices=actions.LAYOUTS, default="ctdc")
    file = serializers.ChoiceField(choices=actions.FORMATS, default="csv")
    k = serializers.IntegerField(min_value=2, max_value=actions.MAX_K, required=False)
    purpose = serializers.CharField(max_length=300)
    password = serializers.CharField(max_length=200, write_only=True)


class ExportApi(APIView):
    @extend_schema(
        operation_id="exchange_export",
        request=ExportIn,
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    def post(self, request: Request) -> HttpResponse:
        """The k-anonymous record-level export (CTDC v6 or HTCDS layout, CSV or XLSX).
        A bulk export asks for the password again and a purpose, kept in the audit trail."""
        user = acting_user(request)
        require_capability(user, actions.EXPORT_STATISTICS)
        given = ExportIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        if not password_confirmed(request._request, data["password"]):
            raise Forbidden(_("The password is not right."), field="password")
        result = actions.export_statistics(
            by=user,
            purpose=data["purpose"],
            k=data.get("k"),
            layout=data["layout"],
            fmt=data["file"],
        )
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        return response


class TableIn(serializers.Serializer[Any]):
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=selectors.SOURCES, default=selectors.HIMAYA
    )


class TableOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField())
    suppressed = serializers.IntegerField()


class TableApi(APIView):
    @extend_schema(
        operation_id="exchange_table",
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(rules.TABLE_NAMES)),
            OpenApiParameter("source", str, enum=list(selectors.SOURCES)),
        ],
        responses={200: TableOut},
    )
    def get(self, request: Request, name: str) -> Response:
        """An international table in long format (a hidden small cell has ``victims`` null)."""
        user = acting_user(request)
        require_capability(user, actions.VIEW_TABLES)
        if name not in rules.TABLES:
            raise NotFound(_("Unknown table."))
        given = TableIn(data=request.query_params)
        given.is_valid(raise_exception=True)
        table = actions.build_table(
            name, source=given.validated_data["source"], suppress=not sees_small_cells(user)
        )
        rows = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
        return Response(
            {
                "name": name,
                "source": given.validated_data["source"],
                "columns": list(table.columns),
                "rows": rows,
                "suppressed": table.suppressed,
            }
        )
