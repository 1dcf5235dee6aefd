"""JSON API of screening: the indicator catalogue (read) and screenings (scoped)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.models import User
from himaya.core.api import Pagination
from himaya.core.bounds import MAX_INTEGER
from himaya.core.languages import LANGUAGES
from himaya.screening.actions import MAX_AGE, MAX_ANSWERS, Interpretation, record_screening
from himaya.screening.models import Answer, ConsentBy, InterpreterProvider, Outcome
from himaya.screening.selectors import (
    CAPABILITY,
    get_indicator_set_or_404,
    get_screening_or_404,
    get_survivor_to_screen_or_404,
    indicator_sets,
    indicators_of,
    screening_list,
)


class CanScreen(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.has_perm(CAPABILITY))


PERMISSIONS = [IsAuthenticated, CanScreen]


class IndicatorSetOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    catalogue_version = serializers.CharField(source="catalogue.label")
    name_en = serializers.CharField()
    name_ar = serializers.CharField()
    for_children = serializers.BooleanField()
    exploitation = serializers.CharField()
    provisional = serializers.BooleanField()


class IndicatorOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    dimension = serializers.CharField()
    strength = serializers.CharField()
    text_en = serializers.CharField()
    text_ar = serializers.CharField()
    position = serializers.IntegerField()
    verified = serializers.BooleanField()
    note = serializers.CharField()
    provenance = serializers.CharField(source="source")


class AnswerOut(serializers.Serializer[Any]):
    indicator = serializers.CharField(source="indicator.code")
    answer = serializers.CharField()


class ScreeningOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    survivor = serializers.CharField(source="survivor.code")
    indicator_set = serializers.CharField(source="indicator_set.code")
    catalogue_version = serializers.CharField()
    rule_version = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    screened_on = serializers.DateField()
    child_rule = serializers.BooleanField()
    age_at_recruitment = serializers.IntegerField(allow_null=True)
    recruited_on = serializers.DateField(allow_null=True)
    consent_by = serializers.CharField()
    child_assent = serializers.BooleanField()
    interpreter_needed = serializers.BooleanField(allow_null=True)
    interview_language = serializers.CharField()
    interpreter_provided_by = serializers.CharField()
    interpreter_sex = serializers.CharField()
    interviewer_sex = serializers.CharField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    positive_dimensions = serializers.ListField(child=serializers.CharField())
    explanation_en = serializers.CharField()
    explanation_ar = serializers.CharField()


class ScreeningDetailOut(ScreeningOut):
    answers = AnswerOut(many=True)


class ScreeningIn(serializers.Serializer[Any]):
    survivor = serializers.CharField(max_length=20)
    indicator_set = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)
    answers = serializers.DictField(
        child=serializers.ChoiceField(choices=Answer.choices), allow_empty=True
    )
    # Checked by the action, which refuses a screening without consent.
    consent_by = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        default="",
        help_text=f"Who consented to the interview: {', '.join(ConsentBy.values)}.",
    )
    child_assent = serializers.BooleanField(required=False, default=False)
    age_at_recruitment = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=MAX_AGE
    )
    recruited_on = serializers.DateField(required=False, allow_null=True, default=None)
    # Checked by the action, which refuses an interpretation that does not hold together.
    interpreter_needed = serializers.BooleanField(required=False, allow_null=True, default=None)
    interview_language = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        default="",
        help_text=f"Language of the interview: {', '.join(code for code, _name in LANGUAGES)}.",
    )
    interpreter_provided_by = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text=f"Who interpreted: {', '.join(InterpreterProvider.values)}.",
    )
    interpreter_sex = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default="", help_text="female or male."
    )
    interviewer_sex = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default="", help_text="female or male."
    )

    def validate_answers(self, answers: dict[str, str]) -> dict[str, str]:
        if len(answers) > MAX_ANSWERS:
            raise serializers.ValidationError(
                _("A screening answers at most %(count)s indicators.") % {"count": MAX_ANSWERS}
            )
        return answers


class IndicatorSetListApi(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=IndicatorSetOut(many=True), operation_id="screening_sets_list")
    def get(self, request: Request) -> Response:
        sets = indicator_sets(request.user)
        return Response(IndicatorSetOut(sets, many=True).data)


class IndicatorListApi(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=IndicatorOut(many=True), operation_id="screening_indicators_list")
    def get(self, request: Request, pk: int) -> Response:
        indicator_set = get_indicator_set_or_404(request.user, pk)
        return Response(IndicatorOut(indicators_of(indicator_set), many=True).data)


class ScreeningListCreateApi(APIView):
    permission_classes = PERMISSIONS
    pagination_class = Pagination  # the schema describes the list as the page it answers

    @extend_schema(responses=ScreeningOut(many=True), operation_id="screening_list")
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(screening_list(request.user), request, view=self)
        return paginator.get_paginated_response(ScreeningOut(page, many=True).data)

    @extend_schema(
        request=ScreeningIn, responses={201: ScreeningDetailOut}, operation_id="screening_create"
    )
    def post(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)  # CanScreen let only a signed-in screener through
        data = ScreeningIn(data=request.data)
        data.is_valid(raise_exception=True)
        survivor = get_survivor_to_screen_or_404(user, data.validated_data["survivor"])
        indicator_set = get_indicator_set_or_404(user, data.validated_data["indicator_set"])
        screening = record_screening(
            by=user,
            survivor=survivor,
            indicator_set=indicator_set,
            answers=data.validated_data["answers"],
            consent_by=data.validated_data["consent_by"],
            child_assent=data.validated_data["child_assent"],
            age_at_recruitment=data.validated_data["age_at_recruitment"],
            recruited_on=data.validated_data["recruited_on"],
            interpretation=Interpretation(
                needed=data.validated_data["interpreter_needed"],
                language=data.validated_data["interview_language"],
                provided_by=data.validated_data["interpreter_provided_by"],
                interpreter_sex=data.validated_data["interpreter_sex"],
                interviewer_sex=data.validated_data["interviewer_sex"],
            ),
        )
        screening = get_screening_or_404(user, screening.code)
        return Response(ScreeningDetailOut(screening).data, status=status.HTTP_201_CREATED)


class ScreeningDetailApi(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=ScreeningDetailOut, operation_id="screening_retrieve")
    def get(self, request: Request, code: str) -> Response:
        screening = get_screening_or_404(request.user, code)
        return Response(ScreeningDetailOut(screening).data)
