"""JSON API of the empowerment app, scoped through the same selectors as the pages."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.agencies.models import Governorate
from himaya.agencies.permissions import require_capability
from himaya.cases.selectors import get_case_or_404
from himaya.core.bounds import MAX_INTEGER, MAX_TEXT_LENGTH
from himaya.empowerment import actions, rules, selectors
from himaya.empowerment.models import (
    ActivityType,
    Enrolment,
    EnrolmentStatus,
    HouseholdRole,
    Programme,
    ProjectStatus,
    Visit,
)
from himaya.empowerment.selectors import MANAGE, OUTCOMES, REFER

# --- Serializers ------------------------------------------------------------------------


class EmpowermentProgrammeOut(serializers.ModelSerializer[Programme]):
    managing_agency = serializers.CharField(source="managing_agency.code", default=None)

    class Meta:
        model = Programme
        fields = [
            "slug",
            "name_ar",
            "name_en",
            "kind",
            "operator_ar",
            "operator_en",
            "managing_agency",
            "allowed_sexes",
            "min_age",
            "max_age",
            "household_roles",
            "requires_reintegration",
            "amount_min",
            "amount_max",
            "facts_verified",
            "is_active",
        ]


class EmpowermentProjectOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    activity_type = serializers.CharField()
    started_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    governorate = serializers.CharField(source="governorate.code")
    baseline_income = serializers.DecimalField(max_digits=12, decimal_places=2)
    latest_income = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    status = serializers.CharField()
    version = serializers.IntegerField()


class EmpowermentEnrolmentOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    programme = serializers.CharField(source="programme.slug")
    case = serializers.CharField(source="case.code")
    household_role = serializers.CharField()
    status = serializers.CharField()
    referred_on = serializers.DateField()
    decided_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()
    project = serializers.SerializerMethodField()

    @extend_schema_field(EmpowermentProjectOut(allow_null=True))
    def get_project(self, enrolment: Any) -> dict[str, Any] | None:
        project = getattr(enrolment, "project", None)
        return dict(EmpowermentProjectOut(project).data) if project is not None else None


class FollowUpVisitOut(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    due_on = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)
    project_status = serializers.CharField()
    monthly_income = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    problems = serializers.CharField()
    support_given = serializers.CharField()
    version = serializers.IntegerField()
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, visit: Any) -> bool:
        return rules.is_overdue(
            due_on=visit.due_on, done_on=visit.done_on, today=timezone.localdate()
        )


class ProgrammeReferralIn(serializers.Serializer[Any]):
    case = serializers.CharField(max_length=20)
    programme = serializers.SlugField(max_length=40)
    household_role = serializers.ChoiceField(choices=HouseholdRole.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class EnrolmentDecisionIn(serializers.Serializer[Any]):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


class EnrolmentStatusIn(serializers.Serializer[Any]):
    to = serializers.ChoiceField(
        choices=[EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT]
    )
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


class EmpowermentProjectIn(serializers.Serializer[Any]):
    activity_type = serializers.ChoiceField(choices=ActivityType.choices)
    started_on = serializers.DateField()
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    governorate = serializers.SlugRelatedField(
        slug_field="code", queryset=Governorate.objects.all()
    )
    baseline_income = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


class FollowUpVisitIn(serializers.Serializer[Any]):
    done_on = serializers.DateField()
    project_status = serializers.ChoiceField(choices=ProjectStatus.choices)
    monthly_income = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    problems = serializers.CharField(
        max_length=MAX_TEXT_LENGTH, required=False, allow_blank=True, default=""
    )
    support_given = serializers.CharField(
        max_length=MAX_TEXT_LENGTH, required=False, allow_blank=True, default=""
    )
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


class FollowUpRescheduleIn(serializers.Serializer[Any]):
    due_on = serializers.DateField()
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


class ProjectSurvivalOut(serializers.Serializer[Any]):
    months = serializers.IntegerField()
    projects = serializers.IntegerField(allow_null=True)
    share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class EmpowermentOutcomeOut(serializers.Serializer[Any]):
    group = serializers.CharField(source="label")
    projects = serializers.IntegerField(allow_null=True)
    survival = ProjectSurvivalOut(many=True)
    with_income = serializers.IntegerField(allow_null=True)
    baseline_income = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    latest_income = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    income_change = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    training_ended = serializers.IntegerField(allow_null=True)
    training_completed = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


# --- Helpers ----------------------------------------------------------------------------


def _managed_enrolment(request: Request, code: str) -> Enrolment:
    enrolment = selectors.get_enrolment_or_404(request.user, code)
    if not selectors.may_manage(request.user, enrolment.programme):
        raise PermissionDenied
    return enrolment


def _managed_visit(request: Request, code: str, number: int) -> Visit:
    visit = selectors.get_visit_or_404(request.user, code, number)
    if not selectors.may_manage(request.user, visit.project.enrolment.programme):
        raise PermissionDenied
    return visit


# --- Views ------------------------------------------------------------------------------


class ProgrammeListApi(APIView):
    @extend_schema(responses={200: EmpowermentProgrammeOut(many=True)}, tags=["empowerment"])
    def get(self, request: Request) -> Response:
        require_capability(request.user, MANAGE, REFER)
        programmes = selectors.programmes_visible_to(request.user)
        return Response(EmpowermentProgrammeOut(programmes, many=True).data)


class EnrolmentListApi(APIView):
    @extend_schema(responses={200: EmpowermentEnrolmentOut(many=True)}, tags=["empowerment"])
    def get(self, request: Request) -> Response:
        require_capability(request.user, MANAGE, REFER)
        enrolments = selectors.enrolment_list_for(request.user)[:200]
        return Response(EmpowermentEnrolmentOut(enrolments, many=True).data)


class EnrolmentDetailApi(APIView):
    @extend_schema(responses={200: EmpowermentEnrolmentOut}, tags=["empowerment"])
    def get(self, request: Request, code: str) -> Response:
        enrolment = selectors.get_enrolment_or_404(request.user, code)
        return Response(EmpowermentEnrolmentOut(enrolment).data)


class ReferApi(APIView):
    @extend_schema(
        request=ProgrammeReferralIn,
        responses={201: EmpowermentEnrolmentOut},
        tags=["empowerment"],
    )
    def post(self, request: Request) -> Response:
        require_capability(request.user, REFER)
        data = ProgrammeReferralIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = get_case_or_404(request.user, data.validated_data["case"])
        programme = selectors.get_programme_or_404(data.validated_data["programme"])
        enrolment = actions.refer_survivor(
            case=case,
            programme=programme,
            household_role=data.validated_data["household_role"],
            note=data.validated_data["note"],
            by=acting_user(request),
        )
        return Response(EmpowermentEnrolmentOut(enrolment).data, status=status.HTTP_201_CREATED)


class DecideApi(APIView):
    @extend_schema(
        request=EnrolmentDecisionIn,
        responses={200: EmpowermentEnrolmentOut},
        tags=["empowerment"],
    )
    def post(self, request: Request, code: str) -> Response:
        enrolment = _managed_enrolment(request, code)
        data = EnrolmentDecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = actions.decide_enrolment(
            enrolment=enrolment,
            accept=data.validated_data["accept"],
            reason=data.validated_data["reason"],
            expected_version=data.validated_data["version"],
            by=acting_user(request),
        )
        return Response(EmpowermentEnrolmentOut(enrolment).data)


class MoveApi(APIView):
    @extend_schema(
        request=EnrolmentStatusIn,
        responses={200: EmpowermentEnrolmentOut},
        tags=["empowerment"],
    )
    def post(self, request: Request, code: str) -> Response:
        enrolment = _managed_enrolment(request, code)
        data = EnrolmentStatusIn(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = actions.move_enrolment(
            enrolment=enrolment,
            to=data.validated_data["to"],
            expected_version=data.validated_data["version"],
            by=acting_user(request),
        )
        return Response(EmpowermentEnrolmentOut(enrolment).data)


class StartProjectApi(APIView):
    @extend_schema(
        request=EmpowermentProjectIn,
        responses={201: EmpowermentProjectOut},
        tags=["empowerment"],
    )
    def post(self, request: Request, code: str) -> Response:
        enrolment = _managed_enrolment(request, code)
        data = EmpowermentProjectIn(data=request.data)
        data.is_valid(raise_exception=True)
        project = actions.start_project(
            enrolment=enrolment, by=acting_user(request), **data.validated_data
        )
        return Response(EmpowermentProjectOut(project).data, status=status.HTTP_201_CREATED)


class VisitListApi(APIView):
    @extend_schema(responses={200: FollowUpVisitOut(many=True)}, tags=["empowerment"])
    def get(self, request: Request, code: str) -> Response:
        project = selectors.get_project_or_404(request.user, code)
        visits = selectors.visits_of(project, today=timezone.localdate())
        return Response(FollowUpVisitOut(visits, many=True).data)


class RecordVisitApi(APIView):
    @extend_schema(request=FollowUpVisitIn, responses={200: FollowUpVisitOut}, tags=["empowerment"])
    def post(self, request: Request, code: str, number: int) -> Response:
        visit = _managed_visit(request, code, number)
        data = FollowUpVisitIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        visit = actions.record_visit(
            visit=visit,
            expected_version=values.pop("version"),
            by=acting_user(request),
            **values,
        )
        return Response(FollowUpVisitOut(visit).data)


class RescheduleVisitApi(APIView):
    @extend_schema(
        request=FollowUpRescheduleIn,
        responses={200: FollowUpVisitOut},
        tags=["empowerment"],
    )
    def post(self, request: Request, code: str, number: int) -> Response:
        visit = _managed_visit(request, code, number)
        data = FollowUpRescheduleIn(data=request.data)
        data.is_valid(raise_exception=True)
        visit = actions.reschedule_visit(
            visit=visit,
            due_on=data.validated_data["due_on"],
            expected_version=data.validated_data["version"],
            by=acting_user(request),
        )
        return Response(FollowUpVisitOut(visit).data)


class OutcomesApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=list(selectors.DIMENSIONS), default="programme")
        ],
        responses={200: EmpowermentOutcomeOut(many=True)},
        tags=["empowerment"],
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, OUTCOMES)
        by = request.query_params.get("by", "programme")
        if by not in selectors.DIMENSIONS:
            raise NotFound
        rows = selectors.outcomes(by=by, today=timezone.localdate())
        return Response(EmpowermentOutcomeOut(rows, many=True).data)
