"""JSON API of grants: one view per operation, scoped as the pages are."""

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.core.bounds import MAX_COUNT, MAX_INTEGER, MAX_TEXT_LENGTH
from himaya.core.locking import ConcurrentEditError
from himaya.grants import actions, selectors
from himaya.grants.models import Grant, GrantReport, Tranche


class GrantReportOut(serializers.ModelSerializer):
    class Meta:
        model = GrantReport
        fields = [
            "code",
            "period_start",
            "period_end",
            "narrative",
            "people_served",
            "services_delivered",
            "status",
            "submitted_on",
            "reviewed_on",
            "review_note",
            "version",
        ]


class GrantTrancheOut(serializers.ModelSerializer):
    report = serializers.SerializerMethodField()

    class Meta:
        model = Tranche
        fields = ["sequence", "due_on", "amount", "status", "released_on", "version", "report"]

    @extend_schema_field(GrantReportOut(allow_null=True))
    def get_report(self, tranche: Tranche) -> dict[str, Any] | None:
        report = getattr(tranche, "report", None)
        return GrantReportOut(report).data if report else None


class GrantOut(serializers.ModelSerializer):
    ngo = serializers.CharField(source="ngo.code")
    ngo_name = serializers.CharField(source="ngo.name")
    tranches = GrantTrancheOut(many=True)
    service_types = serializers.SerializerMethodField()

    class Meta:
        model = Grant
        fields = [
            "code",
            "ngo",
            "ngo_name",
            "title",
            "amount",
            "starts_on",
            "ends_on",
            "phases",
            "services",
            "service_types",
            "tranches",
            "version",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_service_types(self, grant: Grant) -> list[str]:
        return [service_type.code for service_type in grant.service_types.all()]


class GrantVersionIn(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INTEGER)


class GrantReportIn(GrantVersionIn):
    narrative = serializers.CharField(max_length=MAX_TEXT_LENGTH)
    people_served = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)
    services_delivered = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)


class GrantReviewIn(GrantVersionIn):
    approve = serializers.BooleanField()
    note = serializers.CharField(
        max_length=MAX_TEXT_LENGTH, required=False, allow_blank=True, default=""
    )


class GrantErrorOut(serializers.Serializer):
    detail = serializers.CharField()


ERRORS = {
    400: OpenApiResponse(GrantErrorOut, description="Refused by a grant rule"),
    403: OpenApiResponse(GrantErrorOut, description="Not allowed"),
    404: OpenApiResponse(GrantErrorOut, description="Not found"),
}


def _may_see(request: Request) -> None:
    if not selectors.may_see_grants(request.user):
        raise PermissionDenied


def _manager(request: Request) -> None:
    if not request.user.has_perm("grants.manage_grants"):
        raise PermissionDenied


class GrantListApi(ListAPIView):
    serializer_class = GrantOut

    def get_queryset(self) -> Any:
        _may_see(self.request)
        return selectors.grants_visible_to(self.request.user).order_by("-starts_on", "-id")

    @extend_schema(
        operation_id="grants_list", responses={200: GrantOut(many=True), 403: ERRORS[403]}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class GrantDetailApi(APIView):
    @extend_schema(
        operation_id="grants_read", responses={200: GrantOut, 403: ERRORS[403], 404: ERRORS[404]}
    )
    def get(self, request: Request, code: str) -> Response:
        _may_see(request)
        return Response(GrantOut(selectors.get_grant_or_404(request.user, code)).data)


class TrancheReleaseApi(APIView):
    @extend_schema(
        operation_id="grants_tranche_release",
        request=GrantVersionIn,
        responses={200: GrantTrancheOut, **ERRORS},
    )
    def post(self, request: Request, code: str, sequence: int) -> Response:
        _manager(request)
        tranche = selectors.get_tranche_or_404(request.user, code, sequence)
        data = GrantVersionIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            tranche = actions.release_tranche(
                tranche=tranche,
                by=request.user,
                expected_version=data.validated_data.get("version"),
                request=request._request,
            )
        except (actions.GrantError, ConcurrentEditError) as exc:
            return Response({"detail": str(exc.message)}, status=400)
        return Response(GrantTrancheOut(tranche).data)


class ReportSubmitApi(APIView):
    @extend_schema(
        operation_id="grants_report_submit",
        request=GrantReportIn,
        responses={201: GrantReportOut, **ERRORS},
    )
    def post(self, request: Request, code: str, sequence: int) -> Response:
        _may_see(request)
        tranche = selectors.get_tranche_or_404(request.user, code, sequence)
        if tranche.grant.ngo_id not in selectors.ngo_ids_for(request.user):
            raise PermissionDenied
        data = GrantReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = actions.submit_report(
                tranche=tranche,
                narrative=data.validated_data["narrative"],
                people_served=data.validated_data["people_served"],
                services_delivered=data.validated_data["services_delivered"],
                by=request.user,
                expected_version=data.validated_data.get("version"),
                request=request._request,
            )
        except (actions.GrantError, ConcurrentEditError) as exc:
            return Response({"detail": str(exc.message)}, status=400)
        return Response(GrantReportOut(report).data, status=status.HTTP_201_CREATED)


class ReportReviewApi(APIView):
    @extend_schema(
        operation_id="grants_report_review",
        request=GrantReviewIn,
        responses={200: GrantReportOut, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        _manager(request)
        report = selectors.get_report_or_404(request.user, code)
        data = GrantReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = actions.review_report(
                report=report,
                approve=data.validated_data["approve"],
                note=data.validated_data["note"],
                by=request.user,
                expected_version=data.validated_data.get("version"),
                request=request._request,
            )
        except (actions.GrantError, ConcurrentEditError) as exc:
            return Response({"detail": str(exc.message)}, status=400)
        return Response(GrantReportOut(report).data)
