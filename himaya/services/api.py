"""JSON API of services: one view per operation, scoped exactly as the pages."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.agencies.models import Agency
from himaya.agencies.permissions import require_capability
from himaya.cases.selectors import get_case_or_404
from himaya.core.bounds import MAX_INTEGER
from himaya.core.languages import LANGUAGES
from himaya.services import actions, selectors
from himaya.services.exceptions import ServiceError
from himaya.services.filters import DeliveryFilter
from himaya.services.models import (
    DeliveryStatus,
    FeedbackRecorder,
    InterpreterProvider,
    InterpreterSex,
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
            "interpreter_needed",
            "interpreter_language",
            "interpreter_provided_by",
            "interpreter_sex",
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


class InterpreterInput(serializers.Serializer[Any]):
    """The interpretation of a delivery; on an update, a field left out keeps its value."""

    interpreter_needed = serializers.BooleanField(required=False)
    interpreter_language = serializers.ChoiceField(
        choices=LANGUAGES, required=False, allow_blank=True
    )
    interpreter_provided_by = serializers.ChoiceField(
        choices=InterpreterProvider.choices, required=False, allow_blank=True
    )
    interpreter_sex = serializers.ChoiceField(
        choices=InterpreterSex.choices, required=False, allow_blank=True
    )


class PlanInput(InterpreterInput):
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


class DeliveryUpdateInput(InterpreterInput):
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
    require_capability(request.user, "cases.work_cases")


def _require_work_or_delivery(request: Request) -> None:
    require_capability(request.user, "cases.work_cases", "services.deliver")


@extend_schema(tags=["services"])
class ServiceTypeListApi(ListAPIView[ServiceType]):
    """The catalogue of service types, in Arabic and English."""

    serializer_class = ServiceTypeSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        require_capability(self.request.user, "core.use_himaya")
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
        chosen = DeliveryFilter(self.request.query_params, queryset=deliveries)
        if not chosen.is_valid():
            raise ValidationError(chosen.errors)
        deliveries = chosen.qs
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
        responses={201: DeliverySerializer},
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
            goal = selectors.goal_of_case(case, goal_code)
            if goal is None:
                raise ServiceError(_("This goal is not in the case's care plan."), field="goal")
        delivery = actions.plan_service(case=case, by=acting_user(request), goal=goal, **data)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


class DeliveryUpdateApi(APIView):
    @extend_schema(
        tags=["services"],
        request=DeliveryUpdateInput,
        responses={200: DeliverySerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        _require_work_or_delivery(request)
        delivery = selectors.get_delivery_or_404(request.user, code)
        data_in = DeliveryUpdateInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        version = data.pop("version")
        actions.update_delivery(
            delivery=delivery, by=acting_user(request), expected_version=version, **data
        )
        return Response(DeliverySerializer(delivery).data)


class FeedbackCreateApi(APIView):
    @extend_schema(
        tags=["services"],
        request=FeedbackInput,
        responses={201: FeedbackSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        _require_work(request)
        delivery = selectors.get_delivery_for_feedback_or_404(request.user, code)
        data_in = FeedbackInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        feedback = actions.record_feedback(
            delivery=delivery, by=acting_user(request), **data_in.validated_data
        )
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)


class FeedbackSummaryApi(APIView):
    @extend_schema(tags=["services"], responses=FeedbackSummarySerializer(many=True))
    def get(self, request: Request) -> Response:
        require_capability(request.user, "services.view_feedback_report")
        rows = selectors.feedback_summary(request.user)
        return Response(FeedbackSummarySerializer(rows, many=True).data)
