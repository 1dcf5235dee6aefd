"""JSON API of cases: one view per operation, scoped exactly as the pages."""

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.agencies.models import Agency, Governorate
from himaya.cases import actions, selectors
from himaya.cases.exceptions import CaseError, CaseForbidden
from himaya.cases.models import (
    CarePlan,
    CarePlanGoal,
    Case,
    ClosureReason,
    ExploitationForm,
    IdentificationChannel,
    Phase,
    RecruitmentChannel,
    RiskAssessment,
    RiskFactor,
    RiskLevel,
)
from himaya.core.bounds import MAX_INTEGER, MAX_ITEMS_PER_REQUEST
from himaya.core.locking import ConcurrentEditError

# --- output -----------------------------------------------------------------------------


class CaseListSerializer(serializers.ModelSerializer[Case]):
    survivor = serializers.CharField(source="survivor.code")
    lead_agency = serializers.CharField(source="lead_agency.code")
    case_worker = serializers.CharField(source="case_worker.username")
    governorate_of_exploitation = serializers.CharField(
        source="governorate_of_exploitation.code", allow_null=True, default=None
    )
    exploitation_forms = serializers.SlugRelatedField[ExploitationForm](
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Case
        fields = [
            "code",
            "survivor",
            "lead_agency",
            "case_worker",
            "phase",
            "first_contact_on",
            "identified_on",
            "identified_by",
            "recruitment_channel",
            "country_of_exploitation",
            "governorate_of_exploitation",
            "is_transnational",
            "exploitation_forms",
            "version",
        ]


class CaseDetailSerializer(CaseListSerializer):
    identifying_agency = serializers.CharField(
        source="identifying_agency.code", allow_null=True, default=None
    )

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "identifying_agency",
            "screening_code",
            "protection_started_on",
            "assistance_started_on",
            "reintegration_started_on",
            "follow_up_started_on",
            "closed_on",
            "closure_reason",
        ]


class RiskAssessmentSerializer(serializers.ModelSerializer[RiskAssessment]):
    assessor = serializers.CharField(source="assessor.username")
    factors = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = RiskAssessment
        fields = ["code", "level", "factors", "assessed_on", "assessor", "note", "version"]


class GoalSerializer(serializers.ModelSerializer[CarePlanGoal]):
    class Meta:
        model = CarePlanGoal
        fields = ["code", "description", "target_on", "is_achieved", "version"]


class CarePlanSerializer(serializers.ModelSerializer[CarePlan]):
    author = serializers.CharField(source="author.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    goals = GoalSerializer(many=True)

    class Meta:
        model = CarePlan
        fields = [
            "code",
            "status",
            "summary",
            "author",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "goals",
            "version",
        ]


class CaseErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


# --- input ------------------------------------------------------------------------------


class CaseOpenInput(serializers.Serializer[Any]):
    survivor = serializers.CharField(max_length=20)
    lead_agency = serializers.CharField(max_length=20)
    screening_code = serializers.CharField(max_length=20, required=False, default="")
    first_contact_on = serializers.DateField()
    identified_on = serializers.DateField(required=False, allow_null=True, default=None)
    identified_by = serializers.ChoiceField(choices=IdentificationChannel.choices)
    identifying_agency = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    exploitation_forms = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        max_length=MAX_ITEMS_PER_REQUEST,
    )
    recruitment_channel = serializers.ChoiceField(
        choices=RecruitmentChannel.choices, default=RecruitmentChannel.UNKNOWN
    )
    country_of_exploitation = serializers.RegexField(r"^[A-Za-z]{2}$", default="EG")
    governorate_of_exploitation = serializers.CharField(
        max_length=8, required=False, allow_blank=True, default=""
    )
    is_transnational = serializers.BooleanField(default=False)


class TransitionInput(serializers.Serializer[Any]):
    to_phase = serializers.ChoiceField(choices=Phase.choices)
    on = serializers.DateField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


class ClosureInput(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ClosureOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()


class RiskInput(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=RiskLevel.choices)
    factors = serializers.ListField(
        child=serializers.ChoiceField(choices=RiskFactor.choices),
        required=False,
        default=list,
        max_length=MAX_ITEMS_PER_REQUEST,
    )
    assessed_on = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class GoalInput(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=300)
    target_on = serializers.DateField(required=False, allow_null=True, default=None)


class CarePlanInput(serializers.Serializer[Any]):
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    goals = serializers.ListField(
        child=GoalInput(), required=False, default=list, max_length=MAX_ITEMS_PER_REQUEST
    )


class SubmitInput(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


class DecisionInput(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


def _refused(error: CaseError) -> Response:
    code = status.HTTP_403_FORBIDDEN if isinstance(error, CaseForbidden) else 400
    return Response({"detail": str(error.message)}, status=code)


def _conflict(error: ConcurrentEditError) -> Response:
    return Response({"detail": str(error.message)}, status=status.HTTP_409_CONFLICT)


def _require_work(request: Request) -> None:
    if not request.user.has_perm("cases.work_cases"):
        raise PermissionDenied


# --- views ------------------------------------------------------------------------------

LIST_FILTERS = [
    OpenApiParameter("q", str, description="Part of a case code"),
    OpenApiParameter("phase", str, enum=Phase.values),
    OpenApiParameter("agency", str, description="Lead agency code"),
    OpenApiParameter("governorate", str, description="Governorate code (ISO 3166-2:EG)"),
    OpenApiParameter("form", str, description="Exploitation form code"),
]


@extend_schema(tags=["cases"], parameters=LIST_FILTERS)
class CaseListApi(ListAPIView[Case]):
    """Cases led by the user's agencies, searched and filtered like the list page."""

    serializer_class = CaseListSerializer

    def get_queryset(self) -> Any:
        _require_work(self.request)
        params = self.request.query_params
        return selectors.case_list(
            self.request.user,
            query=params.get("q", ""),
            phase=params.get("phase", ""),
            agency=params.get("agency", ""),
            governorate=params.get("governorate", ""),
            form=params.get("form", ""),
        )


class CaseDetailApi(APIView):
    @extend_schema(tags=["cases"], responses=CaseDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        _require_work(request)
        case = selectors.case_detail(request.user, code)
        return Response(CaseDetailSerializer(case).data)


class CaseOpenApi(APIView):
    @extend_schema(
        tags=["cases"],
        request=CaseOpenInput,
        responses={201: CaseDetailSerializer, 400: CaseErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        _require_work(request)
        data_in = CaseOpenInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        survivor = selectors.survivor_for_case(request.user, data["survivor"])
        agency = selectors.lead_agencies_for(request.user).filter(code=data["lead_agency"]).first()
        if survivor is None or agency is None:
            return Response(
                {"detail": "Unknown survivor or lead agency."}, status=status.HTTP_400_BAD_REQUEST
            )
        forms = list(ExploitationForm.objects.filter(code__in=data["exploitation_forms"]))
        try:
            case = actions.open_case(
                survivor=survivor,
                by=request.user,
                lead_agency=agency,
                first_contact_on=data["first_contact_on"],
                identified_on=data["identified_on"],
                identified_by=data["identified_by"],
                identifying_agency=Agency.objects.filter(code=data["identifying_agency"]).first()
                if data["identifying_agency"]
                else None,
                exploitation_forms=forms,
                recruitment_channel=data["recruitment_channel"],
                country_of_exploitation=data["country_of_exploitation"],
                governorate_of_exploitation=Governorate.objects.filter(
                    code=data["governorate_of_exploitation"]
                ).first()
                if data["governorate_of_exploitation"]
                else None,
                is_transnational=data["is_transnational"],
                screening_code=data["screening_code"],
                request=request,
            )
        except CaseError as error:
            return _refused(error)
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseTransitionApi(APIView):
    @extend_schema(
        tags=["cases"],
        request=TransitionInput,
        responses={200: CaseDetailSerializer, 400: CaseErrorSerializer, 409: CaseErrorSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        _require_work(request)
        case = selectors.get_case_or_404(request.user, code)
        data_in = TransitionInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        try:
            actions.move_case(
                case=case,
                to_phase=data["to_phase"],
                by=request.user,
                expected_version=data["version"],
                on=data["on"],
                request=request,
            )
        except ConcurrentEditError as error:
            return _conflict(error)
        except CaseError as error:
            return _refused(error)
        return Response(CaseDetailSerializer(case).data)


class CaseClosureApi(APIView):
    @extend_schema(
        tags=["cases"],
        request=ClosureInput,
        responses={201: ClosureOutput, 400: CaseErrorSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        _require_work(request)
        case = selectors.get_case_or_404(request.user, code)
        data_in = ClosureInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        try:
            closure = actions.request_closure(
                case=case, by=request.user, request=request, **data_in.validated_data
            )
        except CaseError as error:
            return _refused(error)
        return Response(
            ClosureOutput(
                {"code": closure.code, "status": closure.status, "reason": closure.reason}
            ).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["cases"])
class RiskAssessmentListApi(ListAPIView[RiskAssessment]):
    serializer_class = RiskAssessmentSerializer

    def get_queryset(self) -> Any:
        _require_work(self.request)
        case = selectors.get_case_or_404(self.request.user, self.kwargs["code"])
        return case.risk_assessments.select_related("assessor").order_by("-assessed_on", "-id")


class RiskAssessmentCreateApi(APIView):
    @extend_schema(
        tags=["cases"],
        request=RiskInput,
        responses={201: RiskAssessmentSerializer, 400: CaseErrorSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        _require_work(request)
        case = selectors.get_case_or_404(request.user, code)
        data_in = RiskInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        try:
            assessment = actions.assess_risk(
                case=case, by=request.user, request=request, **data_in.validated_data
            )
        except CaseError as error:
            return _refused(error)
        return Response(RiskAssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["cases"])
class CarePlanListApi(ListAPIView[CarePlan]):
    serializer_class = CarePlanSerializer

    def get_queryset(self) -> Any:
        _require_work(self.request)
        case = selectors.get_case_or_404(self.request.user, self.kwargs["code"])
        return (
            case.care_plans.select_related("author", "decided_by")
            .prefetch_related("goals")
            .order_by("-created_at", "-id")
        )


class CarePlanCreateApi(APIView):
    @extend_schema(
        tags=["cases"],
        request=CarePlanInput,
        responses={201: CarePlanSerializer, 400: CaseErrorSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        _require_work(request)
        case = selectors.get_case_or_404(request.user, code)
        data_in = CarePlanInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        try:
            with transaction.atomic():
                plan = actions.create_care_plan(
                    case=case, by=request.user, summary=data["summary"], request=request
                )
                for goal in data["goals"]:
                    actions.add_care_plan_goal(
                        plan=plan,
                        by=request.user,
                        description=goal["description"],
                        target_on=goal["target_on"],
                        request=request,
                    )
        except CaseError as error:
            return _refused(error)
        return Response(CarePlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class CarePlanSubmitApi(APIView):
    @extend_schema(
        tags=["cases"],
        request=SubmitInput,
        responses={200: CarePlanSerializer, 400: CaseErrorSerializer, 409: CaseErrorSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        _require_work(request)
        plan = selectors.get_care_plan_or_404(request.user, code)
        data_in = SubmitInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        try:
            actions.submit_care_plan(
                plan=plan,
                by=request.user,
                expected_version=data_in.validated_data["version"],
                request=request,
            )
        except ConcurrentEditError as error:
            return _conflict(error)
        except CaseError as error:
            return _refused(error)
        return Response(CarePlanSerializer(plan).data)


class CarePlanDecisionApi(APIView):
    @extend_schema(
        tags=["cases"],
        request=DecisionInput,
        responses={
            200: CarePlanSerializer,
            400: CaseErrorSerializer,
            403: CaseErrorSerializer,
            409: CaseErrorSerializer,
        },
    )
    def post(self, request: Request, code: str) -> Response:
        if not request.user.has_perm("cases.supervise"):
            raise PermissionDenied
        plan = selectors.get_care_plan_or_404(request.user, code)
        data_in = DecisionInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        try:
            actions.decide_care_plan(
                plan=plan,
                by=request.user,
                approve=data["approve"],
                note=data["note"],
                expected_version=data["version"],
                request=request,
            )
        except ConcurrentEditError as error:
            return _conflict(error)
        except CaseError as error:
            return _refused(error)
        return Response(CarePlanSerializer(plan).data)
