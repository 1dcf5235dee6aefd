"""JSON API of returns: one view per operation, scoped exactly as the pages, through the
same actions."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.agencies.models import Governorate
from himaya.agencies.permissions import require_capability
from himaya.cases.models import RiskLevel
from himaya.cases.selectors import get_case_or_404
from himaya.core import countries
from himaya.core.bounds import MAX_INTEGER
from himaya.returns import actions, rules, selectors
from himaya.returns.models import (
    AssessmentPlace,
    FollowUpMethod,
    FollowUpOutcome,
    ReflectionPeriod,
    ReturnFollowUp,
    ReturnPlan,
    ReturnRiskAssessment,
)


class ReflectionSerializer(serializers.ModelSerializer[ReflectionPeriod]):
    case = serializers.CharField(source="case.code")

    class Meta:
        model = ReflectionPeriod
        fields = ["code", "case", "starts_on", "days", "ends_on", "version"]


class RiskSerializer(serializers.ModelSerializer[ReturnRiskAssessment]):
    class Meta:
        model = ReturnRiskAssessment
        fields = ["place", "level", "factors", "assessed_on", "version"]


class FollowUpSerializer(serializers.ModelSerializer[ReturnFollowUp]):
    class Meta:
        model = ReturnFollowUp
        fields = ["months", "due_on", "done_on", "method", "outcome", "note", "version"]


class PlanSerializer(serializers.ModelSerializer[ReturnPlan]):
    case = serializers.CharField(source="case.code")
    destination_governorate = serializers.CharField(
        source="destination_governorate.code", allow_null=True, default=None
    )
    risk_assessments = RiskSerializer(many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnPlan
        fields = [
            "code",
            "case",
            "status",
            "destination_country",
            "destination_governorate",
            "choice_recorded_on",
            "options_explained",
            "chose_return",
            "choice_note",
            "receiving_organisation",
            "receiving_country",
            "receiving_contact",
            "travel_planned_on",
            "travel_documents_ready",
            "escorted",
            "departed_on",
            "arrived_on",
            "approved_on",
            "cancel_reason",
            "risk_assessments",
            "follow_ups",
            "version",
        ]


class CaseReturnsSerializer(serializers.Serializer[Any]):
    reflection_period = ReflectionSerializer(allow_null=True)
    return_plans = PlanSerializer(many=True)


class VersionInput(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


class GrantInput(serializers.Serializer[Any]):
    starts_on = serializers.DateField()


class ExtendInput(VersionInput):
    days = serializers.IntegerField(min_value=1, max_value=rules.MAX_EXTENSION_DAYS)
    reason = serializers.CharField(max_length=500)


def _governorate(code: str) -> Governorate | None:
    if not code:
        return None
    found = Governorate.objects.filter(code=code).first()
    if found is None:
        raise serializers.ValidationError({"destination_governorate": [_("Unknown governorate.")]})
    return found


class DestinationInput(serializers.Serializer[Any]):
    destination_country = serializers.ChoiceField(
        choices=countries.ALL, required=False, allow_blank=True, default=""
    )
    destination_governorate = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default=""
    )


class PlanUpdateInput(DestinationInput, VersionInput):
    receiving_organisation = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    receiving_country = serializers.ChoiceField(
        choices=countries.ALL, required=False, allow_blank=True, default=""
    )
    receiving_contact = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    travel_planned_on = serializers.DateField(required=False, allow_null=True, default=None)
    travel_documents_ready = serializers.BooleanField(required=False, default=False)
    escorted = serializers.BooleanField(required=False, default=False)


class ChoiceInput(VersionInput):
    recorded_on = serializers.DateField()
    options_explained = serializers.CharField(max_length=2000)
    chose_return = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReturnRiskInput(serializers.Serializer[Any]):
    place = serializers.ChoiceField(choices=AssessmentPlace.choices)
    level = serializers.ChoiceField(choices=RiskLevel.choices)
    assessed_on = serializers.DateField()
    factors = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DayInput(VersionInput):
    day = serializers.DateField()


class CancelInput(VersionInput):
    reason = serializers.CharField(max_length=500)


class FollowUpInput(VersionInput):
    done_on = serializers.DateField()
    method = serializers.ChoiceField(choices=FollowUpMethod.choices)
    outcome = serializers.ChoiceField(choices=FollowUpOutcome.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _work(request: Request) -> None:
    require_capability(request.user, selectors.WORK)


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _plan_answer(plan: ReturnPlan, code: int = status.HTTP_200_OK) -> Response:
    plan = ReturnPlan.objects.prefetch_related("risk_assessments", "follow_ups").get(pk=plan.pk)
    return Response(PlanSerializer(plan).data, status=code)


class CaseReturnsApi(APIView):
    @extend_schema(tags=["returns"], responses=CaseReturnsSerializer)
    def get(self, request: Request, code: str) -> Response:
        """The case's reflection period and return plans."""
        _work(request)
        case = get_case_or_404(request.user, code)
        return Response(
            CaseReturnsSerializer(
                {
                    "reflection_period": ReflectionPeriod.objects.filter(case=case).first(),
                    "return_plans": list(selectors.plans_of_case(case)),
                }
            ).data
        )


class GrantReflectionApi(APIView):
    @extend_schema(tags=["returns"], request=GrantInput, responses={201: ReflectionSerializer})
    def post(self, request: Request, code: str) -> Response:
        _work(request)
        case = get_case_or_404(request.user, code)
        data = _valid(GrantInput(data=request.data))
        period = actions.grant_reflection_period(case=case, by=acting_user(request), **data)
        return Response(ReflectionSerializer(period).data, status=status.HTTP_201_CREATED)


class ExtendReflectionApi(APIView):
    @extend_schema(tags=["returns"], request=ExtendInput, responses=ReflectionSerializer)
    def post(self, request: Request, code: str) -> Response:
        _work(request)
        period = selectors.get_reflection_or_404(request.user, code)
        data = _valid(ExtendInput(data=request.data))
        period = actions.extend_reflection_period(
            period=period,
            days=data["days"],
            reason=data["reason"],
            expected_version=data["version"],
            by=acting_user(request),
        )
        return Response(ReflectionSerializer(period).data)


class PlanReturnApi(APIView):
    @extend_schema(tags=["returns"], request=DestinationInput, responses={201: PlanSerializer})
    def post(self, request: Request, code: str) -> Response:
        _work(request)
        case = get_case_or_404(request.user, code)
        data = _valid(DestinationInput(data=request.data))
        plan = actions.plan_return(
            case=case,
            by=acting_user(request),
            destination_country=data["destination_country"],
            destination_governorate=_governorate(data["destination_governorate"]),
        )
        return _plan_answer(plan, status.HTTP_201_CREATED)


class PlanDetailApi(APIView):
    @extend_schema(tags=["returns"], responses=PlanSerializer)
    def get(self, request: Request, code: str) -> Response:
        _work(request)
        return _plan_answer(selectors.get_return_plan_or_404(request.user, code))


class PlanUpdateApi(APIView):
    @extend_schema(tags=["returns"], request=PlanUpdateInput, responses=PlanSerializer)
    def post(self, request: Request, code: str) -> Response:
        _work(request)
        plan = selectors.get_return_plan_or_404(request.user, code)
        data = _valid(PlanUpdateInput(data=request.data))
        version = data.pop("version")
        data["destination_governorate"] = _governorate(data["destination_governorate"])
        plan = actions.update_return_plan(
            plan=plan, expected_version=version, by=acting_user(request), **data
        )
        return _plan_answer(plan)


class ChoiceApi(APIView):
    @extend_schema(tags=["returns"], request=ChoiceInput, responses=PlanSerializer)
    def post(self, request: Request, code: str) -> Response:
        _work(request)
        plan = selectors.get_return_plan_or_404(request.user, code)
        data = _valid(ChoiceInput(data=request.data))
        version = data.pop("version")
        plan = actions.record_informed_choice(
            plan=plan, expected_version=version, by=acting_user(request), **data
        )
        return _plan_answer(plan)


class RiskApi(APIView):
    @extend_schema(tags=["returns"], request=ReturnRiskInput, responses={201: RiskSerializer})
    def post(self, request: Request, code: str) -> Response:
        _work(request)
        plan = selectors.get_return_plan_or_404(request.user, code)
        data = _valid(ReturnRiskInput(data=request.data))
        assessment = actions.assess_return_risk(plan=plan, by=acting_user(request), **data)
        return Response(RiskSerializer(assessment).data, status=status.HTTP_201_CREATED)


class ApproveApi(APIView):
    @extend_schema(tags=["returns"], request=VersionInput, responses=PlanSerializer)
    def post(self, request: Request, code: str) -> Response:
        _work(request)
        plan = selectors.get_return_plan_or_404(request.user, code)
        data = _valid(VersionInput(data=request.data))
        plan = actions.approve_return(
            plan=plan, expected_version=data["version"], by=acting_user(request)
        )
        return _plan_answer(plan)


class DepartApi(APIView):
    @extend_schema(tags=["returns"], request=DayInput, responses=PlanSerializer)
    def post(self, request: Request, code: str) -> Response:
        _work(request)
        plan = selectors.get_return_plan_or_404(request.user, code)
        data = _valid(DayInput(data=request.data))
        plan = actions.record_departure(
            plan=plan,
            departed_on=data["day"],
            expected_version=data["version"],
            by=acting_user(request),
        )
        return _plan_answer(plan)


class ArriveApi(APIView):
    @extend_schema(tags=["returns"], request=DayInput, responses=PlanSerializer)
    def post(self, request: Request, code: str) -> Response:
        _work(request)
        plan = selectors.get_return_plan_or_404(request.user, code)
        data = _valid(DayInput(data=request.data))
        plan = actions.record_arrival(
            plan=plan,
            arrived_on=data["day"],
            expected_version=data["version"],
            by=acting_user(request),
        )
        return _plan_answer(plan)


class CompleteApi(APIView):
    @extend_schema(tags=["returns"], request=VersionInput, responses=PlanSerializer)
    def post(self, request: Request, code: str) -> Response:
        _work(request)
        plan = selectors.get_return_plan_or_404(request.user, code)
        data = _valid(VersionInput(data=request.data))
        plan = actions.complete_return(
            plan=plan, expected_version=data["version"], by=acting_user(request)
        )
        return _plan_answer(plan)


class CancelApi(APIView):
    @extend_schema(tags=["returns"], request=CancelInput, responses=PlanSerializer)
    def post(self, request: Request, code: str) -> Response:
        _work(request)
        plan = selectors.get_return_plan_or_404(request.user, code)
        data = _valid(CancelInput(data=request.data))
        plan = actions.cancel_return(
            plan=plan,
            reason=data["reason"],
            expected_version=data["version"],
            by=acting_user(request),
        )
        return _plan_answer(plan)


class FollowUpApi(APIView):
    @extend_schema(tags=["returns"], request=FollowUpInput, responses=FollowUpSerializer)
    def post(self, request: Request, code: str, months: int) -> Response:
        _work(request)
        item = selectors.get_follow_up_or_404(request.user, code, months)
        data = _valid(FollowUpInput(data=request.data))
        version = data.pop("version")
        item = actions.record_follow_up(
            follow_up=item, expected_version=version, by=acting_user(request), **data
        )
        return Response(FollowUpSerializer(item).data)
