"""JSON API of cases: one view per operation, scoped exactly as the pages."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Governorate
from himaya.cases import actions, selectors
from himaya.cases.exceptions import CaseError
from himaya.cases.filters import CaseFilter
from himaya.cases.models import (
    CarePlan,
    CarePlanGoal,
    Case,
    CaseNote,
    CaseTransfer,
    ClosureReason,
    DigitalEvidence,
    ExploitationForm,
    IdentificationChannel,
    IdentificationDecision,
    IdentificationStatus,
    OnlinePlatform,
    Phase,
    RecruitmentChannel,
    RiskAssessment,
    RiskFactor,
    RiskLevel,
)
from himaya.core.api import KeysetPagination, VersionField
from himaya.core.bounds import MAX_ITEMS_PER_REQUEST
from himaya.survivors.models import Survivor

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

    def to_representation(self, instance: Case) -> dict[str, Any]:
        """A list row written directly: the same output as the generic serialiser, without
        its per-field machinery (a page holds 50 rows of 14 fields). A subclass or a
        changed field list takes the generic way."""
        if type(self) is not CaseListSerializer or self.Meta.fields != _LIST_FIELDS:
            return super().to_representation(instance)
        governorate = instance.governorate_of_exploitation
        identified_on = instance.identified_on
        return {
            "code": instance.code,
            "survivor": instance.survivor.code,
            "lead_agency": instance.lead_agency.code,
            "case_worker": instance.case_worker.username,
            "phase": instance.phase,
            "first_contact_on": instance.first_contact_on.isoformat(),
            "identified_on": identified_on.isoformat() if identified_on else None,
            "identified_by": instance.identified_by,
            "recruitment_channel": instance.recruitment_channel,
            "country_of_exploitation": instance.country_of_exploitation,
            "governorate_of_exploitation": governorate.code if governorate else None,
            "is_transnational": instance.is_transnational,
            "exploitation_forms": [form.code for form in instance.exploitation_forms.all()],
            "version": instance.version,
        }


# The fields ``CaseListSerializer.to_representation`` writes directly, in their order.
_LIST_FIELDS = [
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
    means_of_control = serializers.ListField(child=serializers.CharField(), read_only=True)

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
            # Trafficking details (edited through the exchange app's form).
            "means_of_control",
            "labour_sector",
            "recruiter_relationship",
            "was_abducted",
            "age_at_recruitment",
            "age_at_exploitation",
            "exploitation_months",
            "place_of_recruitment",
            "country_of_recruitment",
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


class IdentificationDecisionSerializer(serializers.ModelSerializer[IdentificationDecision]):
    deciding_agency = serializers.CharField(source="deciding_agency.code")
    decided_by = serializers.CharField(source="decided_by.username")

    class Meta:
        model = IdentificationDecision
        fields = [
            "from_status",
            "status",
            "decided_on",
            "deciding_agency",
            "decided_by",
            "grounds",
            "screening_code",
            "created_at",
        ]


class CaseNoteSerializer(serializers.ModelSerializer[CaseNote]):
    case = serializers.CharField(source="case.code")
    author = serializers.CharField(source="author.username")
    agency = serializers.CharField(source="agency.code")
    is_revised = serializers.BooleanField()

    class Meta:
        model = CaseNote
        fields = [
            "code",
            "case",
            "author",
            "agency",
            "body",
            "version",
            "is_revised",
            "created_at",
            "updated_at",
        ]


# --- input ------------------------------------------------------------------------------


class CaseOpenInput(serializers.Serializer[Any]):
    """Codes in, records out: each code is resolved within what the user may see."""

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

    def _user(self) -> User:
        user = self.context["request"].user
        assert isinstance(user, User)
        return user

    def validate_survivor(self, code: str) -> Survivor:
        survivor = selectors.survivor_for_case(self._user(), code)
        if survivor is None:
            raise serializers.ValidationError(_("No survivor with this code is known to you."))
        return survivor

    def validate_lead_agency(self, code: str) -> Agency:
        agency = selectors.lead_agencies_for(self._user()).filter(code=code).first()
        if agency is None:
            raise serializers.ValidationError(_("You may open cases only for your own agency."))
        return agency

    def validate_identifying_agency(self, code: str) -> Agency | None:
        if not code:
            return None
        agency = Agency.objects.filter(code=code, is_active=True).first()
        if agency is None:
            raise serializers.ValidationError(_("No agency has this code."))
        return agency

    def validate_governorate_of_exploitation(self, code: str) -> Governorate | None:
        if not code:
            return None
        governorate = Governorate.objects.filter(code=code).first()
        if governorate is None:
            raise serializers.ValidationError(_("No governorate has this code."))
        return governorate

    def validate_exploitation_forms(self, codes: list[str]) -> list[ExploitationForm]:
        forms = list(ExploitationForm.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {form.code for form in forms})
        if unknown:
            raise serializers.ValidationError(
                _("Unknown forms of exploitation: %(codes)s.") % {"codes": ", ".join(unknown[:10])}
            )
        return forms


class TransitionInput(serializers.Serializer[Any]):
    to_phase = serializers.ChoiceField(choices=Phase.choices)
    on = serializers.DateField(required=False, allow_null=True, default=None)
    version = VersionField()


class IdentificationInput(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=IdentificationStatus.choices)
    decided_on = serializers.DateField()
    grounds = serializers.CharField(max_length=2000)
    version = VersionField()


class CaseNoteInput(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=CaseNote.MAX_LENGTH)


class CaseNoteReviseInput(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=CaseNote.MAX_LENGTH)
    version = VersionField()


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
    version = VersionField()


class DecisionInput(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    version = VersionField()


def _require_work(request: Request) -> None:
    if not request.user.has_perm("cases.work_cases"):
        raise PermissionDenied


def _user(request: Request) -> User:
    """The signed-in user who may work on cases (403 for everyone else)."""
    user = request.user
    if not isinstance(user, User) or not user.has_perm("cases.work_cases"):
        raise PermissionDenied
    return user


def _supervisor(request: Request) -> User:
    """The signed-in user who may supervise cases (403 for everyone else)."""
    user = request.user
    if not isinstance(user, User) or not user.has_perm("cases.supervise"):
        raise PermissionDenied
    return user


# --- views ------------------------------------------------------------------------------


@extend_schema(tags=["cases"])
class CaseListApi(ListAPIView[Case]):
    """Cases led by the user's agencies, searched and filtered like the list page, newest
    first contact first, in pages linked by ``next`` and ``previous`` (no count)."""

    serializer_class = CaseListSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter
    # Never counted: a page after or before a position, linked from the one before.
    pagination_class = KeysetPagination
    keyset_ordering = selectors.CASE_LIST_ORDER

    def get_queryset(self) -> QuerySet[Case]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return Case.objects.none()
        return selectors.case_list(_user(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The page read as plain columns and written as ``CaseListSerializer`` writes a
        case (a test holds the two equal): no model is built for a row."""
        cases = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(selectors.case_api_values(cases))
        return self.get_paginated_response(_list_rows(page or []))


def _list_rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    forms = selectors.exploitation_form_codes([row["id"] for row in values])
    return [
        {
            "code": row["code"],
            "survivor": row["survivor_code"],
            "lead_agency": row["agency_code"],
            "case_worker": row["worker"],
            "phase": row["phase"],
            "first_contact_on": row["first_contact_on"].isoformat(),
            "identified_on": row["identified_on"].isoformat() if row["identified_on"] else None,
            "identified_by": row["identified_by"],
            "recruitment_channel": row["recruitment_channel"],
            "country_of_exploitation": row["country_of_exploitation"],
            "governorate_of_exploitation": row["governorate_code"],
            "is_transnational": row["is_transnational"],
            "exploitation_forms": forms.get(row["id"], []),
            "version": row["version"],
        }
        for row in values
    ]


class CaseDetailApi(APIView):
    @extend_schema(tags=["cases"], responses=CaseDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        case = selectors.case_for_api(_user(request), code)
        return Response(CaseDetailSerializer(case).data)


class CaseOpenApi(APIView):
    @extend_schema(tags=["cases"], request=CaseOpenInput, responses={201: CaseDetailSerializer})
    def post(self, request: Request) -> Response:
        user = _user(request)
        data_in = CaseOpenInput(data=request.data, context={"request": request})
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        case = actions.open_case(
            survivor=data["survivor"],
            by=user,
            lead_agency=data["lead_agency"],
            first_contact_on=data["first_contact_on"],
            identified_on=data["identified_on"],
            identified_by=data["identified_by"],
            identifying_agency=data["identifying_agency"],
            exploitation_forms=data["exploitation_forms"],
            recruitment_channel=data["recruitment_channel"],
            country_of_exploitation=data["country_of_exploitation"],
            governorate_of_exploitation=data["governorate_of_exploitation"],
            is_transnational=data["is_transnational"],
            screening_code=data["screening_code"],
        )
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseTransitionApi(APIView):
    @extend_schema(tags=["cases"], request=TransitionInput, responses=CaseDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        user = _user(request)
        case = selectors.get_case_or_404(user, code)
        data_in = TransitionInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        actions.move_case(
            case=case,
            to_phase=data["to_phase"],
            by=user,
            expected_version=data["version"],
            on=data["on"],
        )
        return Response(CaseDetailSerializer(case).data)


class CaseClosureApi(APIView):
    @extend_schema(tags=["cases"], request=ClosureInput, responses={201: ClosureOutput})
    def post(self, request: Request, code: str) -> Response:
        user = _user(request)
        case = selectors.get_case_or_404(user, code)
        data_in = ClosureInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        closure = actions.request_closure(case=case, by=user, **data_in.validated_data)
        return Response(
            ClosureOutput(
                {"code": closure.code, "status": closure.status, "reason": closure.reason}
            ).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["cases"])
class IdentificationListApi(ListAPIView[IdentificationDecision]):
    """The identification decisions of a case, newest first."""

    serializer_class = IdentificationDecisionSerializer

    def get_queryset(self) -> QuerySet[IdentificationDecision]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return IdentificationDecision.objects.none()
        case = selectors.get_case_or_404(_user(self.request), self.kwargs["code"])
        return selectors.identification_decisions(case)


class IdentificationCreateApi(APIView):
    @extend_schema(
        tags=["cases"],
        request=IdentificationInput,
        responses={201: IdentificationDecisionSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        user = _user(request)
        case = selectors.get_case_or_404(user, code)
        data_in = IdentificationInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        decision = actions.decide_identification(case=case, by=user, **data_in.validated_data)
        return Response(
            IdentificationDecisionSerializer(decision).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=["cases"])
class RiskAssessmentListApi(ListAPIView[RiskAssessment]):
    serializer_class = RiskAssessmentSerializer

    def get_queryset(self) -> QuerySet[RiskAssessment]:
        case = selectors.get_case_or_404(_user(self.request), self.kwargs["code"])
        return case.risk_assessments.select_related("assessor").order_by("-assessed_on", "-id")


class RiskAssessmentCreateApi(APIView):
    @extend_schema(tags=["cases"], request=RiskInput, responses={201: RiskAssessmentSerializer})
    def post(self, request: Request, code: str) -> Response:
        user = _user(request)
        case = selectors.get_case_or_404(user, code)
        data_in = RiskInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        assessment = actions.assess_risk(case=case, by=user, **data_in.validated_data)
        return Response(RiskAssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["cases"])
class CarePlanListApi(ListAPIView[CarePlan]):
    serializer_class = CarePlanSerializer

    def get_queryset(self) -> QuerySet[CarePlan]:
        case = selectors.get_case_or_404(_user(self.request), self.kwargs["code"])
        return (
            case.care_plans.select_related("author", "decided_by")
            .prefetch_related("goals")
            .order_by("-created_at", "-id")
        )


class CarePlanCreateApi(APIView):
    @extend_schema(tags=["cases"], request=CarePlanInput, responses={201: CarePlanSerializer})
    def post(self, request: Request, code: str) -> Response:
        user = _user(request)
        case = selectors.get_case_or_404(user, code)
        data_in = CarePlanInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        with transaction.atomic():
            plan = actions.create_care_plan(case=case, by=user, summary=data["summary"])
            for goal in data["goals"]:
                actions.add_care_plan_goal(
                    plan=plan,
                    by=user,
                    description=goal["description"],
                    target_on=goal["target_on"],
                )
        return Response(CarePlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class CarePlanSubmitApi(APIView):
    @extend_schema(tags=["cases"], request=SubmitInput, responses=CarePlanSerializer)
    def post(self, request: Request, code: str) -> Response:
        user = _user(request)
        plan = selectors.get_care_plan_or_404(user, code)
        data_in = SubmitInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        actions.submit_care_plan(
            plan=plan, by=user, expected_version=data_in.validated_data["version"]
        )
        return Response(CarePlanSerializer(plan).data)


class CarePlanDecisionApi(APIView):
    @extend_schema(tags=["cases"], request=DecisionInput, responses=CarePlanSerializer)
    def post(self, request: Request, code: str) -> Response:
        user = _supervisor(request)
        plan = selectors.get_care_plan_or_404(user, code)
        data_in = DecisionInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        actions.decide_care_plan(
            plan=plan,
            by=user,
            approve=data["approve"],
            note=data["note"],
            expected_version=data["version"],
        )
        return Response(CarePlanSerializer(plan).data)


@extend_schema(tags=["cases"])
class CaseNoteListApi(ListAPIView[CaseNote]):
    """The notes of a case, newest first (the case's team only); POST adds one."""

    serializer_class = CaseNoteSerializer

    def get_queryset(self) -> QuerySet[CaseNote]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return CaseNote.objects.none()
        case = selectors.get_case_or_404(_user(self.request), self.kwargs["code"])
        return selectors.case_notes(case).select_related("agency")

    @extend_schema(tags=["cases"], request=CaseNoteInput, responses={201: CaseNoteSerializer})
    def post(self, request: Request, code: str) -> Response:
        user = _user(request)
        case = selectors.get_case_or_404(user, code)
        data_in = CaseNoteInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        note = actions.add_case_note(case=case, by=user, **data_in.validated_data)
        return Response(CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class CaseNoteReviseApi(APIView):
    @extend_schema(tags=["cases"], request=CaseNoteReviseInput, responses={200: CaseNoteSerializer})
    def post(self, request: Request, code: str) -> Response:
        user = _user(request)
        note = selectors.get_case_note_or_404(user, code)
        data_in = CaseNoteReviseInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        note = actions.revise_case_note(note=note, by=user, **data_in.validated_data)
        return Response(CaseNoteSerializer(note).data)


# --- transfers ------------------------------------------------------------------------------


class TransferSerializer(serializers.ModelSerializer[CaseTransfer]):
    """A transfer as the case's team and the receiving supervisors read it."""

    case = serializers.CharField(source="case.code")
    from_agency = serializers.CharField(source="from_agency.code")
    to_agency = serializers.CharField(source="to_agency.code")
    proposed_by = serializers.CharField(source="proposed_by.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)

    class Meta:
        model = CaseTransfer
        fields = [
            "code",
            "case",
            "from_agency",
            "to_agency",
            "reason",
            "status",
            "proposed_by",
            "proposed_on",
            "decided_by",
            "decided_on",
            "refusal_reason",
            "version",
        ]


class TransferCaseSummarySerializer(serializers.Serializer[Any]):
    """The transferred case without the survivor's identity."""

    code = serializers.CharField(source="case_code")
    phase = serializers.CharField(source="phase_label")
    first_contact_on = serializers.DateField()
    identification = serializers.CharField(source="identification_label")
    risk_level = serializers.CharField(source="risk_label")
    exploitation_forms = serializers.ListField(child=serializers.CharField(), source="forms")
    is_transnational = serializers.BooleanField()
    exploited_online = serializers.BooleanField()
    is_child = serializers.BooleanField()


class TransferDetailSerializer(TransferSerializer):
    summary = serializers.SerializerMethodField()

    class Meta(TransferSerializer.Meta):
        fields = [*TransferSerializer.Meta.fields, "summary"]

    def to_representation(self, instance: CaseTransfer) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        if not instance.is_proposed and not self.context.get("leads_case", False):
            data["reason"] = ""  # the reason stays with the case once it was answered
        return data

    @extend_schema_field(TransferCaseSummarySerializer(allow_null=True))
    def get_summary(self, transfer: CaseTransfer) -> dict[str, Any] | None:
        if not transfer.is_proposed:
            return None
        summary = selectors.transfer_summary(transfer, today=timezone.localdate())
        return dict(TransferCaseSummarySerializer(summary).data)


class SentTransferSerializer(serializers.ModelSerializer[CaseTransfer]):
    """The sending agency's trace: codes, dates, receiving agency and status only."""

    case = serializers.CharField(source="case.code")
    to_agency = serializers.CharField(source="to_agency.name")

    class Meta:
        model = CaseTransfer
        fields = ["code", "case", "to_agency", "proposed_on", "decided_on", "status"]


class IncomingTransferSerializer(serializers.ModelSerializer[CaseTransfer]):
    case = serializers.CharField(source="case.code")
    from_agency = serializers.CharField(source="from_agency.name")

    class Meta:
        model = CaseTransfer
        fields = ["code", "case", "from_agency", "proposed_on", "status", "version"]


class TransferProposeInput(serializers.Serializer[Any]):
    to_agency = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=1000)
    consent_given_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_to_agency(self, code: str) -> Agency:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise serializers.ValidationError(_("No agency has this code."))
        return agency


class TransferAcceptInput(serializers.Serializer[Any]):
    case_worker = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )
    version = VersionField()


class TransferRefuseInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=1000)
    version = VersionField()


class TransferWithdrawInput(serializers.Serializer[Any]):
    version = VersionField()


@extend_schema(tags=["cases"])
class IncomingTransferListApi(ListAPIView[CaseTransfer]):
    """Transfers waiting for an answer from the agencies the user supervises, oldest first."""

    serializer_class = IncomingTransferSerializer

    def get_queryset(self) -> QuerySet[CaseTransfer]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return CaseTransfer.objects.none()
        return selectors.incoming_transfers(_supervisor(self.request))


@extend_schema(tags=["cases"])
class SentTransferListApi(ListAPIView[CaseTransfer]):
    """The trace of the transfers proposed by the user's agencies, newest first, in pages
    linked by ``next`` and ``previous`` (no count)."""

    serializer_class = SentTransferSerializer
    pagination_class = KeysetPagination
    keyset_ordering = selectors.TRANSFERS_SENT_ORDER

    def get_queryset(self) -> QuerySet[CaseTransfer]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return CaseTransfer.objects.none()
        return selectors.transfers_sent(_user(self.request))


class TransferDetailApi(APIView):
    @extend_schema(tags=["cases"], responses=TransferDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        user = _user(request)
        transfer = selectors.get_transfer_or_404(user, code)
        leads_case = selectors.works_on(user, transfer.case)
        return Response(TransferDetailSerializer(transfer, context={"leads_case": leads_case}).data)


class TransferProposeApi(APIView):
    @extend_schema(
        tags=["cases"], request=TransferProposeInput, responses={201: TransferSerializer}
    )
    def post(self, request: Request, code: str) -> Response:
        user = _supervisor(request)
        case = selectors.get_case_or_404(user, code)
        data_in = TransferProposeInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        transfer = actions.propose_case_transfer(case=case, by=user, **data_in.validated_data)
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


class TransferAcceptApi(APIView):
    @extend_schema(tags=["cases"], request=TransferAcceptInput, responses=TransferSerializer)
    def post(self, request: Request, code: str) -> Response:
        user = _supervisor(request)
        transfer = selectors.get_transfer_or_404(user, code)
        data_in = TransferAcceptInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        worker = None
        if data["case_worker"]:
            worker = (
                selectors.case_workers_of(transfer.to_agency_id)
                .filter(username=data["case_worker"])
                .first()
            )
            if worker is None:
                raise CaseError(
                    _("The case worker must be a case worker of the receiving agency."),
                    field="case_worker",
                )
        transfer = actions.accept_case_transfer(
            transfer=transfer, by=user, version=data["version"], case_worker=worker
        )
        return Response(TransferSerializer(transfer).data)


class TransferRefuseApi(APIView):
    @extend_schema(tags=["cases"], request=TransferRefuseInput, responses=TransferSerializer)
    def post(self, request: Request, code: str) -> Response:
        user = _supervisor(request)
        transfer = selectors.get_transfer_or_404(user, code)
        data_in = TransferRefuseInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        transfer = actions.refuse_case_transfer(
            transfer=transfer, by=user, **data_in.validated_data
        )
        return Response(TransferSerializer(transfer).data)


class TransferWithdrawApi(APIView):
    @extend_schema(tags=["cases"], request=TransferWithdrawInput, responses=TransferSerializer)
    def post(self, request: Request, code: str) -> Response:
        user = _supervisor(request)
        transfer = selectors.get_transfer_or_404(user, code)
        data_in = TransferWithdrawInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        transfer = actions.withdraw_case_transfer(
            transfer=transfer, by=user, **data_in.validated_data
        )
        return Response(TransferSerializer(transfer).data)


# --- technology-facilitated trafficking -----------------------------------------------------


class OnlinePlatformSerializer(serializers.ModelSerializer[OnlinePlatform]):
    class Meta:
        model = OnlinePlatform
        fields = ["code", "name_ar", "name_en", "kind", "htcds_value", "is_active"]


def _platform_codes() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        max_length=MAX_ITEMS_PER_REQUEST,
    )


class TechnologySerializer(serializers.Serializer[Any]):
    exploited_online = serializers.BooleanField()
    recruitment_platforms = serializers.ListField(child=serializers.CharField())
    control_platforms = serializers.ListField(child=serializers.CharField())
    exploitation_platforms = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()


class TechnologyInput(serializers.Serializer[Any]):
    exploited_online = serializers.BooleanField(default=False)
    recruitment_platforms = _platform_codes()
    control_platforms = _platform_codes()
    exploitation_platforms = _platform_codes()
    version = VersionField()

    def _platforms(self, codes: list[str]) -> list[OnlinePlatform]:
        platforms = list(OnlinePlatform.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {platform.code for platform in platforms})
        if unknown:
            raise serializers.ValidationError(
                _("Unknown platforms: %(codes)s.") % {"codes": ", ".join(unknown[:10])}
            )
        return platforms

    def validate_recruitment_platforms(self, codes: list[str]) -> list[OnlinePlatform]:
        return self._platforms(codes)

    def validate_control_platforms(self, codes: list[str]) -> list[OnlinePlatform]:
        return self._platforms(codes)

    def validate_exploitation_platforms(self, codes: list[str]) -> list[OnlinePlatform]:
        return self._platforms(codes)


class DigitalEvidenceSerializer(serializers.ModelSerializer[DigitalEvidence]):
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = DigitalEvidence
        fields = ["code", "description", "reference", "recorded_on", "recorded_by", "created_at"]


class DigitalEvidenceInput(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=DigitalEvidence.MAX_LENGTH)
    reference = serializers.CharField(max_length=DigitalEvidence.MAX_LENGTH)
    recorded_on = serializers.DateField(required=False, allow_null=True, default=None)


def _technology_of(case: Case) -> dict[str, Any]:
    by_role = selectors.platforms_by_role(case)
    return {
        "exploited_online": case.exploited_online,
        **{
            f"{role}_platforms": [platform.code for platform in platforms]
            for role, platforms in by_role.items()
        },
        "version": case.version,
    }


@extend_schema(tags=["cases"])
class OnlinePlatformListApi(ListAPIView[OnlinePlatform]):
    """The online platforms a case may name (the configurable list), active ones first."""

    serializer_class = OnlinePlatformSerializer

    def get_queryset(self) -> QuerySet[OnlinePlatform]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return OnlinePlatform.objects.none()
        _user(self.request)
        return selectors.online_platforms(active_only=False).order_by("-is_active", "order", "id")


class CaseTechnologyApi(APIView):
    """The platforms used to recruit, control and exploit, and online exploitation."""

    @extend_schema(tags=["cases"], responses=TechnologySerializer)
    def get(self, request: Request, code: str) -> Response:
        case = selectors.get_case_or_404(_user(request), code)
        return Response(TechnologySerializer(_technology_of(case)).data)

    @extend_schema(tags=["cases"], request=TechnologyInput, responses=TechnologySerializer)
    def post(self, request: Request, code: str) -> Response:
        user = _user(request)
        case = selectors.get_case_or_404(user, code)
        data_in = TechnologyInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        actions.update_case_technology(
            case=case,
            by=user,
            expected_version=data["version"],
            exploited_online=data["exploited_online"],
            recruitment_platforms=data["recruitment_platforms"],
            control_platforms=data["control_platforms"],
            exploitation_platforms=data["exploitation_platforms"],
        )
        return Response(TechnologySerializer(_technology_of(case)).data)


@extend_schema(tags=["cases"])
class DigitalEvidenceListApi(ListAPIView[DigitalEvidence]):
    """The digital evidence references of a case, newest first; POST records one."""

    serializer_class = DigitalEvidenceSerializer

    def get_queryset(self) -> QuerySet[DigitalEvidence]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return DigitalEvidence.objects.none()
        case = selectors.get_case_or_404(_user(self.request), self.kwargs["code"])
        return selectors.digital_evidence_of(case)

    @extend_schema(
        tags=["cases"], request=DigitalEvidenceInput, responses={201: DigitalEvidenceSerializer}
    )
    def post(self, request: Request, code: str) -> Response:
        user = _user(request)
        case = selectors.get_case_or_404(user, code)
        data_in = DigitalEvidenceInput(data=request.data)
        data_in.is_valid(raise_exception=True)
        evidence = actions.add_digital_evidence(case=case, by=user, **data_in.validated_data)
        return Response(DigitalEvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)
