"""JSON API of services: one view per operation, scoped exactly as the pages."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.agencies.models import Agency
from himaya.cases.actions import works_on
from himaya.cases.models import CarePlanGoal
from himaya.cases.selectors import get_case_or_404
from himaya.core.bounds import MAX_INTEGER
from himaya.core.locking import ConcurrentEditError
from himaya.services import actions, selectors
from himaya.services.exceptions import ServiceError
from himaya.services.models import (
    DeliveryStatus,
    FeedbackRecorder,
    ServiceDelivery,
    ServiceFeedback,
    ServiceType,
)


class ServiceTypeSerializer(serializers.ModelSerializer[ServiceType]):
    class Meta:
        model = ServiceType
        fields = ["code", "name_en", "name_ar", "description_en", "description_ar"]


class DeliverySerializer(serializers.ModelSerializer[ServiceDelivery]):
    case = serializers.CharField(source="case.code")
    service_type = serializers.CharField(source="service_type.code")
    provider = serializers.CharField(source="provider.code")
    goal = serializers.CharField(source="goal.code", allow_null=True, default=None)

    class Meta:
        model = ServiceDelivery
        fields = [
            "code",
            "case",
            "service_type",
            "provider",
            "goal",
            "status",
            "planned_on",
            "delivered_on",
            "note",
            "version",
        ]


class FeedbackSerializer(serializers.ModelSerializer[ServiceFeedback]):
    delivery = serializers.CharField(source="delivery.code")

    class Meta:
        model = ServiceFeedback
        fields = ["code", "delivery", "rating", "comment", "recorded_as", "recorded_on", "version"]


class FeedbackSummarySerializer(serializers.Serializer[Any]):
    service_type = serializers.CharField()
    service_type_en = serializers.CharField()
    service_type_ar = serializers.CharField()
    provider = serializers.CharField()
    provider_en = serializers.CharField()
    provider_ar = serializers.CharField()
    count = serializers.IntegerField()
    average = serializers.FloatField()


class ServiceErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class PlanInput(serializers.Serializer[Any]):
    case = serializers.CharField(max_length=20)
    service_type = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceType.objects.filter(is_active=True)
    )
    provider = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.filter(is_active=True)
    )
    planned_on = serializers.DateField()
    goal = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DeliveryUpdateInput(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    planned_on = serializers.DateField()
    delivered_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


class FeedbackInput(serializers.Serializer[Any]):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    recorded_as = serializers.ChoiceField(
        choices=FeedbackRecorder.choices, default=FeedbackRecorder.STAFF
    )


def _require_work(request: Request) -> None:
    if not request.user.has_perm("cases.work_cases"):
        raise PermissionDenied


def _require_work_or_delivery(request: Request) -> None:
    if not (request.user.has_perm("cases.work_cases") or request.user.has_perm("services.deliver")):
        raise PermissionDenied


def _refused(error: ServiceError) -> Response:
    return Response({"detail": str(error.message)}, status=status.HTTP_400_BAD_REQUEST)


@extend_schema(tags=["services"])
class ServiceTypeListApi(ListAPIView[ServiceType]):
    """The catalogue of service types, in Arabic and English."""

    serializer_class = ServiceTypeSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        if not self.request.user.has_perm("core.use_himaya"):
            raise PermissionDenied
        return selectors.service_types()


@extend_schema(
    tags=["services"],
    parameters=[
        OpenApiParameter("case", str, description="Case code"),
        OpenApiParameter("status", str, enum=DeliveryStatus.values),
    ],
)
class DeliveryListApi(ListAPIView[ServiceDelivery]):
    """Deliveries of the cases the user may see and those the user's agency provides."""

    serializer_class = DeliverySerializer

    def get_queryset(self) -> Any:
        _require_work_or_delivery(self.request)
        deliveries = selectors.deliveries_visible_to(self.request.user).select_related(
            "case", "service_type", "provider", "goal"
        )
        params = self.request.query_params
        if params.get("case"):
            deliveries = deliveries.filter(case__code=params["case"])
        if params.get("status"):
            deliveries = deliveries.filter(status=params["status"])
        return deliveries.order_by("planned_on", "id")


class DeliveryDetailApi(APIView):
    @extend_schema(tags=["services"], responses=DeliverySerializer)
    def get(self, request: Request, code: str) -> Response:
        _require_work_or_delivery(request)
        return Response(DeliverySerializer(selectors.get_delivery_or_404(request.user, code)).data)


class DeliveryPlanApi(APIView):
    @extend_schema(
        tags=["services"],
        request=PlanInput,
        responses={201: DeliverySerializer, 400: ServiceErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        _require_work(request)
        data_in = PlanInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        case = get_case_or_404(request.user, data.pop("case"))
        goal_code = data.pop("goal")
        goal = None
        if goal_code:
            goal = CarePlanGoal.objects.filter(code=goal_code, care_plan__case=case).first()
            if goal is None:
                return Response({"detail": "Unknown goal."}, status=status.HTTP_400_BAD_REQUEST)
        try:
            delivery = actions.plan_service(
                case=case, by=request.user, goal=goal, request=request, **data
            )
        except ServiceError as error:
            return _refused(error)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


class DeliveryUpdateApi(APIView):
    @extend_schema(
        tags=["services"],
        request=DeliveryUpdateInput,
        responses={
            200: DeliverySerializer,
            400: ServiceErrorSerializer,
            409: ServiceErrorSerializer,
        },
    )
    def post(self, request: Request, code: str) -> Response:
        _require_work_or_delivery(request)
        delivery = selectors.get_delivery_or_404(request.user, code)
        data_in = DeliveryUpdateInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        version = data.pop("version")
        try:
            actions.update_delivery(
                delivery=delivery,
                by=request.user,
                expected_version=version,
                request=request,
                **data,
            )
        except ConcurrentEditError as error:
            return Response({"detail": str(error.message)}, status=status.HTTP_409_CONFLICT)
        except ServiceError as error:
            return _refused(error)
        return Response(DeliverySerializer(delivery).data)


class FeedbackCreateApi(APIView):
    @extend_schema(
        tags=["services"],
        request=FeedbackInput,
        responses={201: FeedbackSerializer, 400: ServiceErrorSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        _require_work(request)
        delivery = selectors.get_delivery_or_404(request.user, code)
        if not works_on(request.user, delivery.case):
            raise Http404
        data_in = FeedbackInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        try:
            feedback = actions.record_feedback(
                delivery=delivery, by=request.user, request=request, **data_in.validated_data
            )
        except ServiceError as error:
            return _refused(error)
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)


class FeedbackSummaryApi(APIView):
    @extend_schema(tags=["services"], responses=FeedbackSummarySerializer(many=True))
    def get(self, request: Request) -> Response:
        if not request.user.has_perm("services.view_feedback_report"):
            raise PermissionDenied
        rows = selectors.feedback_summary(request.user)
        return Response(FeedbackSummarySerializer(rows, many=True).data)
