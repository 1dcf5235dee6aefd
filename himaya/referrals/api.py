"""JSON API of referrals: one view per operation, scoped exactly as the pages."""

from abc import abstractmethod
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.agencies.models import Agency
from himaya.cases.selectors import get_case_or_404
from himaya.core.bounds import MAX_INTEGER
from himaya.referrals import actions
from himaya.referrals.filters import ReferralFilter
from himaya.referrals.models import Referral, SharedField
from himaya.referrals.selectors import (
    get_referral_or_404,
    incoming_referrals,
    is_recipient,
    is_sender,
    outgoing_referrals,
)
from himaya.services.models import ServiceType


class ReferralListSerializer(serializers.ModelSerializer[Referral]):
    case = serializers.CharField(source="case.code")
    from_agency = serializers.CharField(source="from_agency.code")
    to_agency = serializers.CharField(source="to_agency.code")
    service_type = serializers.CharField(source="service_type.code")
    is_overdue = serializers.BooleanField()

    class Meta:
        model = Referral
        fields = [
            "code",
            "case",
            "from_agency",
            "to_agency",
            "service_type",
            "status",
            "sent_at",
            "respond_by",
            "is_overdue",
            "version",
        ]


class ReferralSharedValueSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField()


class ReferralDetailSerializer(ReferralListSerializer):
    shared_field_names = serializers.ListField(
        source="shared_fields", child=serializers.CharField()
    )
    shared = serializers.SerializerMethodField()
    consent_withdrawn = serializers.SerializerMethodField()

    class Meta(ReferralListSerializer.Meta):
        fields = [
            *ReferralListSerializer.Meta.fields,
            "consent_basis",
            "shared_field_names",
            "shared",
            "consent_withdrawn",
            "decline_reason",
            "outcome_note",
            "answered_at",
            "completed_at",
            "cancelled_at",
        ]

    @extend_schema_field(ReferralSharedValueSerializer(many=True, allow_null=True))
    def get_shared(self, referral: Referral) -> list[dict[str, str]] | None:
        shared = self.context.get("shared")
        if shared is None:
            return None
        return [{"field": key, "label": label, "value": value} for key, label, value in shared]

    @extend_schema_field(serializers.BooleanField())
    def get_consent_withdrawn(self, referral: Referral) -> bool:
        return bool(self.context.get("consent_withdrawn"))


class ReferralCreateSerializer(serializers.Serializer[Any]):
    case = serializers.CharField()
    to_agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.filter(is_active=True)
    )
    service_type = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceType.objects.filter(is_active=True)
    )
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedField.choices), allow_empty=True
    )
    medical_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    safety_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReferralVersionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


class ReferralDeclineSerializer(ReferralVersionSerializer):
    reason = serializers.CharField(max_length=2000)


class ReferralCompleteSerializer(ReferralVersionSerializer):
    outcome = serializers.CharField(max_length=2000)


def _detail_response(request: Request, referral: Referral, code: int = 200) -> Response:
    shared = actions.read_shared_fields(referral=referral, by=acting_user(request))
    serializer = ReferralDetailSerializer(
        referral,
        context={"shared": shared, "consent_withdrawn": actions.consent_withdrawn(referral)},
    )
    return Response(serializer.data, status=code)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "box",
            str,
            enum=["incoming", "outgoing"],
            description="incoming: addressed to my agency; outgoing: sent by my agency.",
        ),
        OpenApiParameter("overdue", bool, description="Only referrals past their deadline."),
    ],
    responses=ReferralListSerializer(many=True),
)
class ReferralListApi(ListAPIView[Referral]):
    serializer_class = ReferralListSerializer

    def get_queryset(self) -> Any:
        user = self.request.user
        box = self.request.query_params.get("box", "incoming")
        if box == "outgoing":
            if not user.has_perm("cases.work_cases"):
                raise PermissionDenied
            referrals = outgoing_referrals(user)
        elif box == "incoming":
            if not user.has_perm("referrals.receive"):
                raise PermissionDenied
            referrals = incoming_referrals(user)
        else:
            raise Http404
        chosen = ReferralFilter(self.request.query_params, queryset=referrals)
        if not chosen.is_valid():
            raise ValidationError(chosen.errors)
        return chosen.qs


class ReferralDetailApi(APIView):
    @extend_schema(responses={200: ReferralDetailSerializer})
    def get(self, request: Request, code: str) -> Response:
        referral = get_referral_or_404(request.user, code)
        return _detail_response(request, referral)


class ReferralCreateApi(APIView):
    @extend_schema(
        request=ReferralCreateSerializer,
        responses={201: ReferralDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        if not request.user.has_perm("cases.work_cases"):
            raise PermissionDenied
        incoming = ReferralCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        case = get_case_or_404(request.user, data["case"])
        referral = actions.create_referral(
            case=case,
            to_agency=data["to_agency"],
            service_type=data["service_type"],
            shared_fields=data["shared_fields"],
            medical_note=data.get("medical_note", ""),
            safety_note=data.get("safety_note", ""),
            override_reason=data.get("override_reason", ""),
            by=acting_user(request),
        )
        return _detail_response(request, referral, code=status.HTTP_201_CREATED)


class _TransitionApi(APIView):
    input_serializer: type[ReferralVersionSerializer] = ReferralVersionSerializer
    side = "recipient"

    def post(self, request: Request, code: str) -> Response:
        referral = get_referral_or_404(request.user, code)
        allowed = (
            is_recipient(request.user, referral)
            if self.side == "recipient"
            else is_sender(request.user, referral)
        )
        if not allowed:
            raise PermissionDenied
        incoming = self.input_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        referral = self.perform(request, referral, incoming.validated_data)
        return _detail_response(request, referral)

    @abstractmethod
    def perform(self, request: Request, referral: Referral, data: dict[str, Any]) -> Referral:
        """Carry out the transition through its action and return the referral."""


_TRANSITION_RESPONSES = {200: ReferralDetailSerializer}


class ReferralAcceptApi(_TransitionApi):
    @extend_schema(request=ReferralVersionSerializer, responses=_TRANSITION_RESPONSES)
    def post(self, request: Request, code: str) -> Response:
        return super().post(request, code)

    def perform(self, request: Request, referral: Referral, data: dict[str, Any]) -> Referral:
        return actions.accept_referral(
            referral=referral, by=acting_user(request), expected_version=data["version"]
        )


class ReferralDeclineApi(_TransitionApi):
    input_serializer = ReferralDeclineSerializer

    @extend_schema(request=ReferralDeclineSerializer, responses=_TRANSITION_RESPONSES)
    def post(self, request: Request, code: str) -> Response:
        return super().post(request, code)

    def perform(self, request: Request, referral: Referral, data: dict[str, Any]) -> Referral:
        return actions.decline_referral(
            referral=referral,
            by=acting_user(request),
            reason=data["reason"],
            expected_version=data["version"],
        )


class ReferralCompleteApi(_TransitionApi):
    input_serializer = ReferralCompleteSerializer

    @extend_schema(request=ReferralCompleteSerializer, responses=_TRANSITION_RESPONSES)
    def post(self, request: Request, code: str) -> Response:
        return super().post(request, code)

    def perform(self, request: Request, referral: Referral, data: dict[str, Any]) -> Referral:
        return actions.complete_referral(
            referral=referral,
            by=acting_user(request),
            outcome=data["outcome"],
            expected_version=data["version"],
        )


class ReferralCancelApi(_TransitionApi):
    side = "sender"

    @extend_schema(request=ReferralVersionSerializer, responses=_TRANSITION_RESPONSES)
    def post(self, request: Request, code: str) -> Response:
        return super().post(request, code)

    def perform(self, request: Request, referral: Referral, data: dict[str, Any]) -> Referral:
        return actions.cancel_referral(
            referral=referral, by=acting_user(request), expected_version=data["version"]
        )
