"""JSON API of grants: one view per operation, scoped as the pages are."""

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.accounts.models import User
from himaya.core.api import VersionField
from himaya.core.bounds import MAX_COUNT, MAX_TEXT_LENGTH
from himaya.grants import actions, selectors
from himaya.grants.models import Grant, GrantReport, Tranche


class GrantReportOut(serializers.ModelSerializer[GrantReport]):
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


class GrantTrancheOut(serializers.ModelSerializer[Tranche]):
    report = serializers.SerializerMethodField()

    class Meta:
        model = Tranche
        fields = ["sequence", "due_on", "amount", "status", "released_on", "version", "report"]

    @extend_schema_field(GrantReportOut(allow_null=True))
    def get_report(self, tranche: Tranche) -> dict[str, Any] | None:
        report = getattr(tranche, "report", None)
        return GrantReportOut(report).data if report else None


class GrantOut(serializers.ModelSerializer[Grant]):
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


class GrantVersionIn(serializers.Serializer[Any]):
    """The version of the record read. Without it the change is refused as a conflict
    (409): what releases money never changes on a version nobody read."""

    version = VersionField(required=False)


class GrantReportIn(serializers.Serializer[Any]):
    # The version of the report read; 0 when there was no report yet.
    version = VersionField(required=False, min_value=0)
    narrative = serializers.CharField(max_length=MAX_TEXT_LENGTH)
    people_served = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)
    services_delivered = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)


class GrantReviewIn(GrantVersionIn):
    approve = serializers.BooleanField()
    note = serializers.CharField(
        max_length=MAX_TEXT_LENGTH, required=False, allow_blank=True, default=""
    )


def _viewer(request: Request) -> User:
    user = acting_user(request)
    if not selectors.may_see_grants(user):
        raise PermissionDenied
    return user


def _manager(request: Request) -> User:
    user = acting_user(request)
    if not selectors.may_manage(user):
        raise PermissionDenied
    return user


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class GrantListApi(ListAPIView[Grant]):
    serializer_class = GrantOut

    def get_queryset(self) -> Any:
        return selectors.grants_visible_to(_viewer(self.request)).order_by("-starts_on", "-id")

    @extend_schema(operation_id="grants_list", responses={200: GrantOut(many=True)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class GrantDetailApi(APIView):
    @extend_schema(operation_id="grants_read", responses={200: GrantOut})
    def get(self, request: Request, code: str) -> Response:
        return Response(GrantOut(selectors.get_grant_or_404(_viewer(request), code)).data)


class TrancheReleaseApi(APIView):
    @extend_schema(
        operation_id="grants_tranche_release",
        request=GrantVersionIn,
        responses={200: GrantTrancheOut},
    )
    def post(self, request: Request, code: str, sequence: int) -> Response:
        user = _manager(request)
        tranche = selectors.get_tranche_or_404(user, code, sequence)
        data = _valid(GrantVersionIn(data=request.data))
        tranche = actions.release_tranche(
            tranche=tranche, by=user, expected_version=data.get("version")
        )
        return Response(GrantTrancheOut(tranche).data)


class ReportSubmitApi(APIView):
    @extend_schema(
        operation_id="grants_report_submit",
        request=GrantReportIn,
        responses={201: GrantReportOut},
    )
    def post(self, request: Request, code: str, sequence: int) -> Response:
        """The NGO's report on a released tranche, with the ``version`` of the report read
        (0: there was none yet)."""
        user = _viewer(request)
        tranche = selectors.get_tranche_or_404(user, code, sequence)
        if not selectors.may_report_on(user, tranche.grant):
            raise PermissionDenied
        data = _valid(GrantReportIn(data=request.data))
        report = actions.submit_report(
            tranche=tranche,
            narrative=data["narrative"],
            people_served=data["people_served"],
            services_delivered=data["services_delivered"],
            by=user,
            expected_version=data.get("version"),
        )
        return Response(GrantReportOut(report).data, status=status.HTTP_201_CREATED)


class ReportReviewApi(APIView):
    @extend_schema(
        operation_id="grants_report_review",
        request=GrantReviewIn,
        responses={200: GrantReportOut},
    )
    def post(self, request: Request, code: str) -> Response:
        user = _manager(request)
        report = selectors.get_report_or_404(user, code)
        data = _valid(GrantReviewIn(data=request.data))
        report = actions.review_report(
            report=report,
            approve=data["approve"],
            note=data["note"],
            by=user,
            expected_version=data.get("version"),
        )
        return Response(GrantReportOut(report).data)
