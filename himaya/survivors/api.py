"""JSON API of the survivors app, scoped exactly as the pages.

One view per operation, with its own input and output serializers. Identity is sent
only when the request names a ``purpose``, and each such reading is audited.
"""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.agencies.models import Agency, Governorate, Role
from himaya.agencies.permissions import require_capability
from himaya.agencies.selectors import agency_ids_for
from himaya.core.api import KeysetPagination
from himaya.core.codes import is_valid_code
from himaya.core.keyset import Page
from himaya.survivors import actions, rules
from himaya.survivors.actions import DocumentInput, RevealPurpose, problem_message
from himaya.survivors.countries import COUNTRIES
from himaya.survivors.models import (
    AgeAssessment,
    AgeAssessmentMethod,
    BestInterestsAssessment,
    BestInterestsDetermination,
    BestInterestsRecommendation,
    ChildAssent,
    Consent,
    ConsentPurpose,
    DeterminationDecision,
    DocumentKind,
    DuplicateReason,
    DurableSolution,
    GuardianAppointment,
    GuardianKind,
    MigrationStatus,
    ReviewStatus,
    Sex,
    Survivor,
)
from himaya.survivors.selectors import (
    age_assessments_of,
    awaits_review,
    best_interests_assessments_of,
    best_interests_determinations_of,
    consents_of,
    current_guardians,
    documents_of,
    get_consent_or_404,
    get_survivor_or_404,
    guardian_appointments_of,
    presumed_child,
    review_list,
    search_survivors,
    survivor_page,
    survivors_visible_to,
)

# ---------------------------------------------------------------- output serializers

CLEAR_FIELDS = [
    "code",
    "sex",
    "birth_year",
    "age_is_estimated",
    "nationality",
    "governorate_of_origin",
    "languages",
    "has_disability",
    "migration_status",
    "unhcr_registered",
    "is_active",
    "version",
    "created_at",
]


class SurvivorClearSerializer(serializers.ModelSerializer[Survivor]):
    governorate_of_origin: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Survivor
        fields = CLEAR_FIELDS
        read_only_fields = CLEAR_FIELDS


class SurvivorCreatedSerializer(SurvivorClearSerializer):
    """The registered survivor; ``duplicate_review`` is true when a supervisor will review a
    possible match (nothing more is said about it), with that notice in ``detail``."""

    duplicate_review = serializers.SerializerMethodField()
    detail = serializers.SerializerMethodField()

    class Meta(SurvivorClearSerializer.Meta):
        fields = [*CLEAR_FIELDS, "duplicate_review", "detail"]
        read_only_fields = fields

    def get_duplicate_review(self, survivor: Survivor) -> bool:
        return bool(self.context.get("duplicate_review"))

    def get_detail(self, survivor: Survivor) -> str:
        return str(actions.REVIEW_NOTICE) if self.context.get("duplicate_review") else ""


class PossibleDuplicateOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    survivor = serializers.CharField(source="survivor_code", help_text="The registered survivor.")
    matched = serializers.CharField(
        source="matched_code",
        allow_null=True,
        help_text="The matched survivor's code, or null when it is outside the user's scope.",
    )
    reason = serializers.ChoiceField(choices=DuplicateReason.choices)
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["matched"] = data["matched"] or None
        return data


class DocumentOutSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    number = serializers.CharField()
    issuing_country = serializers.CharField()


class IdentityOutSerializer(serializers.Serializer[Any]):
    name_ar = serializers.CharField()
    name_latin = serializers.CharField()
    aliases = serializers.CharField()
    date_of_birth = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    family_contact = serializers.CharField()
    unhcr_reference = serializers.CharField()
    documents = DocumentOutSerializer(many=True)


class SurvivorDetailSerializer(SurvivorClearSerializer):
    identity = serializers.SerializerMethodField()

    class Meta(SurvivorClearSerializer.Meta):
        fields = [*CLEAR_FIELDS, "identity"]
        read_only_fields = fields

    @extend_schema_field(IdentityOutSerializer(allow_null=True))
    def get_identity(self, survivor: Survivor) -> dict[str, Any] | None:
        if not self.context.get("with_identity"):
            return None
        return {
            "name_ar": survivor.name_ar,
            "name_latin": survivor.name_latin,
            "aliases": survivor.aliases,
            "date_of_birth": survivor.date_of_birth,
            "phone": survivor.phone,
            "address": survivor.address,
            "family_contact": survivor.family_contact,
            "unhcr_reference": survivor.unhcr_reference,
            "documents": [
                {"kind": d.kind, "number": d.number, "issuing_country": d.issuing_country}
                for d in documents_of(survivor)
            ],
        }


class ConsentOutSerializer(serializers.ModelSerializer[Consent]):
    recipient: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "purpose",
            "recipient",
            "given_on",
            "withdrawn_on",
            "note",
            "guardian",
            "guardian_consented_on",
            "child_assent",
            "child_assent_reason",
            "version",
            "in_force",
        ]
        read_only_fields = fields

    def get_in_force(self, consent: Consent) -> bool:
        return rules.consent_stands(
            given_on=consent.given_on, withdrawn_on=consent.withdrawn_on, on=self.context["today"]
        )


# ---------------------------------------------------------------- input serializers


class DocumentInSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    number = serializers.CharField(max_length=60)
    issuing_country = serializers.ChoiceField(choices=COUNTRIES, required=False, default="")


def _check_unhcr(data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    problem = rules.unhcr_problem(
        unhcr_registered=data["unhcr_registered"], unhcr_reference=data["unhcr_reference"]
    )
    if problem is not None:
        errors.setdefault("unhcr_reference", []).append(problem_message(problem))


class SurvivorCreateSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(
        required=False, help_text="Code of the registering agency (the user's own by default)."
    )
    name_ar = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    name_latin = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    aliases = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    family_contact = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    sex = serializers.ChoiceField(choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = serializers.IntegerField(required=False, allow_null=True, default=None)
    age_is_estimated = serializers.BooleanField(default=False)
    nationality = serializers.ChoiceField(choices=COUNTRIES, default="EG")
    governorate_of_origin = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="ISO 3166-2:EG code."
    )
    languages = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    has_disability = serializers.BooleanField(default=False)
    migration_status = serializers.ChoiceField(
        choices=MigrationStatus.choices, default=MigrationStatus.NOT_KNOWN
    )
    unhcr_registered = serializers.BooleanField(default=False)
    unhcr_reference = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    documents = DocumentInSerializer(many=True, required=False, default=list)
    confirm_duplicate = serializers.BooleanField(default=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        # The rules of the registration action, answered field by field.
        errors: dict[str, list[str]] = {}
        for field, name_problem in rules.name_problems(
            name_ar=data["name_ar"], name_latin=data["name_latin"]
        ):
            errors.setdefault(field, []).append(problem_message(name_problem))
        _check_unhcr(data, errors)
        dob = data.get("date_of_birth")
        problem = rules.birth_problem(
            date_of_birth=dob, birth_year=data.get("birth_year"), today=timezone.localdate()
        )
        if problem is not None:
            field = "date_of_birth" if problem == "implausible_birth_date" else "birth_year"
            errors.setdefault(field, []).append(problem_message(problem))
        if errors:
            raise ValidationError(errors)
        if dob is not None:
            data["birth_year"] = dob.year
        code = data.get("governorate_of_origin")
        if code:
            governorate = Governorate.objects.filter(code=code).first()
            if governorate is None:
                raise ValidationError({"governorate_of_origin": [gettext("Unknown governorate.")]})
            data["governorate_of_origin"] = governorate
        else:
            data["governorate_of_origin"] = None
        return data


class ProtectionUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The version read; a stale one answers 409.")
    migration_status = serializers.ChoiceField(choices=MigrationStatus.choices)
    unhcr_registered = serializers.BooleanField()
    unhcr_reference = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="Stored encrypted; only for a person registered with UNHCR.",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        _check_unhcr(data, errors)
        if errors:
            raise ValidationError(errors)
        return data


class ConsentCreateSerializer(serializers.Serializer[Any]):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    recipient = serializers.CharField(required=False, allow_blank=True, default="")
    given_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    guardian = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="For a presumed child: the id of the guardian appointment that consented.",
    )
    guardian_consented_on = serializers.DateField(required=False, allow_null=True, default=None)
    child_assent = serializers.ChoiceField(
        choices=[value for value in ChildAssent.values if value],
        required=False,
        allow_blank=True,
        default="",
        help_text="For a presumed child: given, refused or not_asked (with a reason).",
    )
    child_assent_reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class ConsentWithdrawSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1)
    withdrawn_on = serializers.DateField(required=False, allow_null=True, default=None)


# ---------------------------------------------------------------- views


class SurvivorPagination(KeysetPagination):
    """Pages of survivors, latest registrations first, never counted: ``after`` is the
    last code of the page before (the ``next`` link carries it)."""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        after = (request.query_params.get(self.after_query_param) or "").strip()
        if after and not is_valid_code(after, "SV"):
            raise ValidationError({self.after_query_param: [gettext("Enter a survivor's code.")]})
        self.limit = self.get_limit(request)
        page = survivor_page(queryset, after=after, size=self.limit)
        self.page = Page(rows=page.rows, next=page.next_after, previous=None)
        return page.rows

    def _link(self, name: str, position: str | None) -> str | None:
        """The link with the page size as served (a larger one asked for is reduced)."""
        link = super()._link(name, position)
        if link is None:
            return None
        return str(replace_query_param(link, self.limit_query_param, self.limit))

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            parameter
            for parameter in super().get_schema_operation_parameters(view)
            if parameter["name"] != self.before_query_param
        ]


class SurvivorListApi(ListAPIView[Any]):
    """Survivors in the user's scope, clear fields only (``q``: a search, as on the page)."""

    serializer_class = SurvivorClearSerializer
    pagination_class = SurvivorPagination

    def get_queryset(self) -> QuerySet[Survivor]:
        require_capability(self.request.user, "survivors.register")
        query = self.request.query_params.get("q", "").strip()
        user = self.request.user
        return search_survivors(user, query) if query else survivors_visible_to(user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="Part of a name in either script, a phone number, the end of a "
                "code, a code or a document number",
            )
        ],
        responses={200: SurvivorClearSerializer(many=True)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        if request.query_params.get("q", "").strip():
            actions.record_search(
                by=acting_user(request),
                results=len(response.data["results"]),
                more=response.data["next"] is not None,
                names_shown=False,
            )
        return response


class SurvivorCreateApi(APIView):
    @extend_schema(
        request=SurvivorCreateSerializer,
        responses={201: SurvivorCreatedSerializer},
        description=(
            "A match with survivors in the user's scope answers 409; its problem body names "
            "them in the extension member ``existing_codes``. Over the hourly limit of "
            "duplicate checks: 429."
        ),
    )
    def post(self, request: Request) -> Response:
        require_capability(request.user, "survivors.register")
        payload = SurvivorCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        agencies = Agency.objects.filter(
            pk__in=agency_ids_for(request.user, Role.CASE_WORKER, Role.SUPERVISOR)
        ).order_by("name_en")
        agency = (
            agencies.filter(code=data["agency"]).first() if data.get("agency") else agencies.first()
        )
        if agency is None:
            raise ValidationError({"agency": [gettext("Not one of your agencies.")]})
        identity = {
            name: data[name]
            for name in (
                "name_ar",
                "name_latin",
                "aliases",
                "phone",
                "address",
                "family_contact",
                "unhcr_reference",
            )
        }
        identity["date_of_birth"] = (
            data["date_of_birth"].isoformat() if data["date_of_birth"] else ""
        )
        clear = {name: data[name] for name in actions.CLEAR_FIELDS}
        survivor = actions.register_survivor(
            by=acting_user(request),
            agency=agency,
            identity=identity,
            clear=clear,
            documents=[DocumentInput(**doc) for doc in data["documents"]],
            confirm_duplicate=data["confirm_duplicate"],
        )
        body = SurvivorCreatedSerializer(
            survivor, context={"duplicate_review": awaits_review(survivor)}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class PossibleDuplicateListApi(ListAPIView[Any]):
    """Possible duplicates waiting for (or given) a supervisor's review, within scope."""

    serializer_class = PossibleDuplicateOutSerializer

    def get_queryset(self) -> Any:
        require_capability(self.request.user, "survivors.review_duplicates")
        wanted = self.request.query_params.get("status", "")
        if wanted and wanted not in ReviewStatus.values:
            raise ValidationError({"status": [gettext("Unknown status.")]})
        return review_list(self.request.user, status=wanted)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=list(ReviewStatus.values), required=False)
        ],
        responses={200: PossibleDuplicateOutSerializer(many=True)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class SurvivorDetailApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "purpose",
                str,
                enum=sorted(RevealPurpose.values),
                description="Why the identity is read; without it only clear fields are sent.",
            )
        ],
        responses={200: SurvivorDetailSerializer},
    )
    def get(self, request: Request, code: str) -> Response:
        survivor = get_survivor_or_404(request.user, code)
        purpose = request.query_params.get("purpose", "")
        with_identity = False
        if purpose:
            if purpose not in RevealPurpose.values:
                raise ValidationError({"purpose": [gettext("Unknown purpose.")]})
            actions.reveal_identity(survivor=survivor, by=acting_user(request), purpose=purpose)
            with_identity = True
        serializer = SurvivorDetailSerializer(survivor, context={"with_identity": with_identity})
        return Response(serializer.data)


class SurvivorProtectionApi(APIView):
    @extend_schema(
        request=ProtectionUpdateSerializer,
        responses={200: SurvivorClearSerializer},
        description=(
            "Change the migration status and the UNHCR registration (and its reference "
            "number, stored encrypted). A stale ``version`` answers 409 and changes nothing."
        ),
    )
    def post(self, request: Request, code: str) -> Response:
        require_capability(request.user, "survivors.register")
        survivor = get_survivor_or_404(request.user, code)
        payload = ProtectionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        actions.update_identity(
            survivor=survivor,
            by=acting_user(request),
            expected_version=data["version"],
            identity={"unhcr_reference": data["unhcr_reference"]},
            clear={
                "migration_status": data["migration_status"],
                "unhcr_registered": data["unhcr_registered"],
            },
        )
        survivor.refresh_from_db()
        return Response(SurvivorClearSerializer(survivor).data)


def _today() -> datetime.date:
    return timezone.localdate()


class ConsentListApi(APIView):
    @extend_schema(responses={200: ConsentOutSerializer(many=True)})
    def get(self, request: Request, code: str) -> Response:
        survivor = get_survivor_or_404(request.user, code)
        consents = consents_of(survivor)
        return Response(ConsentOutSerializer(consents, many=True, context={"today": _today()}).data)


class ConsentCreateApi(APIView):
    @extend_schema(
        request=ConsentCreateSerializer,
        responses={201: ConsentOutSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        survivor = get_survivor_or_404(request.user, code)
        payload = ConsentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        recipient = None
        if data["recipient"]:
            recipient = Agency.objects.filter(code=data["recipient"], is_active=True).first()
            if recipient is None:
                raise ValidationError({"recipient": [gettext("Unknown agency.")]})
        guardian = None
        if data["guardian"] is not None:
            guardian = current_guardians(survivor).filter(pk=data["guardian"]).first()
            if guardian is None:
                raise ValidationError(
                    {"guardian": [gettext("Choose a guardian currently appointed for this child.")]}
                )
        consent = actions.record_consent(
            survivor=survivor,
            by=acting_user(request),
            purpose=data["purpose"],
            recipient=recipient,
            given_on=data["given_on"],
            note=data["note"],
            guardian=guardian,
            guardian_consented_on=data["guardian_consented_on"],
            child_assent=data["child_assent"],
            child_assent_reason=data["child_assent_reason"],
        )
        body = ConsentOutSerializer(consent, context={"today": _today()}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ConsentWithdrawApi(APIView):
    @extend_schema(
        request=ConsentWithdrawSerializer,
        responses={200: ConsentOutSerializer},
    )
    def post(self, request: Request, code: str, consent_id: int) -> Response:
        survivor = get_survivor_or_404(request.user, code)
        consent = get_consent_or_404(survivor, consent_id)
        payload = ConsentWithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        actions.withdraw_consent(
            consent=consent,
            by=acting_user(request),
            expected_version=payload.validated_data["version"],
            withdrawn_on=payload.validated_data["withdrawn_on"],
        )
        consent.refresh_from_db()
        return Response(ConsentOutSerializer(consent, context={"today": _today()}).data)


# ---------------------------------------------------------------- children's safeguards


class GuardianOutSerializer(serializers.ModelSerializer[GuardianAppointment]):
    """A guardian's appointment; the guardian's name (encrypted) is not sent."""

    appointing_agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = GuardianAppointment
        fields = [
            "id",
            "kind",
            "appointing_agency",
            "appointing_body",
            "appointed_on",
            "ended_on",
            "is_current",
            "version",
        ]
        read_only_fields = fields

    def get_is_current(self, appointment: GuardianAppointment) -> bool:
        today = self.context["today"]
        return appointment.appointed_on <= today and (
            appointment.ended_on is None or appointment.ended_on > today
        )


class GuardianCreateSerializer(serializers.Serializer[Any]):
    guardian_name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=GuardianKind.choices)
    appointing_agency = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The agency's code."
    )
    appointing_body = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    appointed_on = serializers.DateField()


class GuardianEndSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1)
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)


class BestInterestsAssessmentOutSerializer(serializers.ModelSerializer[BestInterestsAssessment]):
    """A best-interests assessment; its summary (encrypted) is not sent."""

    case: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = BestInterestsAssessment
        fields = ["id", "case", "assessed_on", "child_views_heard", "recommendation", "version"]
        read_only_fields = fields


class BestInterestsAssessmentCreateSerializer(serializers.Serializer[Any]):
    assessed_on = serializers.DateField()
    summary = serializers.CharField(max_length=5000)
    child_views_heard = serializers.BooleanField()
    recommendation = serializers.ChoiceField(choices=BestInterestsRecommendation.choices)
    case = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The code of one of the survivor's cases.",
    )


class BestInterestsDeterminationOutSerializer(
    serializers.ModelSerializer[BestInterestsDetermination]
):
    class Meta:
        model = BestInterestsDetermination
        fields = ["id", "decided_on", "panel_size", "durable_solution", "decision", "version"]
        read_only_fields = fields


class BestInterestsDeterminationCreateSerializer(serializers.Serializer[Any]):
    decided_on = serializers.DateField()
    panel_members = serializers.CharField(max_length=5000, help_text="One member per line.")
    durable_solution = serializers.ChoiceField(choices=DurableSolution.choices)
    decision = serializers.ChoiceField(choices=DeterminationDecision.choices)


class ChildFlagsSerializer(serializers.Serializer[Any]):
    unaccompanied = serializers.BooleanField()
    separated = serializers.BooleanField()
    version = serializers.IntegerField(min_value=1)


class ChildSituationSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    presumed_child = serializers.BooleanField()
    unaccompanied = serializers.BooleanField()
    separated = serializers.BooleanField()
    version = serializers.IntegerField()


class AgeAssessmentOutSerializer(serializers.ModelSerializer[AgeAssessment]):
    agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = AgeAssessment
        fields = ["id", "method", "assessed_on", "is_adult", "estimated_age", "agency", "note"]
        read_only_fields = fields


class AgeAssessmentCreateSerializer(serializers.Serializer[Any]):
    method = serializers.ChoiceField(choices=AgeAssessmentMethod.choices)
    assessed_on = serializers.DateField()
    is_adult = serializers.BooleanField()
    estimated_age = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=120
    )
    agency = serializers.CharField(help_text="The code of the user's own agency.")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _agency_by_code(code: str, field: str) -> Agency:
    agency = Agency.objects.filter(code=code.strip(), is_active=True).first()
    if agency is None:
        raise ValidationError({field: [gettext("Unknown agency.")]})
    return agency


def _situation(survivor: Survivor) -> dict[str, Any]:
    return {
        "code": survivor.code,
        "presumed_child": presumed_child(survivor),
        "unaccompanied": survivor.unaccompanied,
        "separated": survivor.separated,
        "version": survivor.version,
    }


class GuardianListApi(APIView):
    @extend_schema(responses={200: GuardianOutSerializer(many=True)})
    def get(self, request: Request, code: str) -> Response:
        survivor = get_survivor_or_404(request.user, code)
        rows = guardian_appointments_of(survivor)
        return Response(GuardianOutSerializer(rows, many=True, context={"today": _today()}).data)


class GuardianCreateApi(APIView):
    @extend_schema(request=GuardianCreateSerializer, responses={201: GuardianOutSerializer})
    def post(self, request: Request, code: str) -> Response:
        require_capability(request.user, "survivors.register")
        survivor = get_survivor_or_404(request.user, code)
        payload = GuardianCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        agency = (
            _agency_by_code(data["appointing_agency"], "appointing_agency")
            if data["appointing_agency"]
            else None
        )
        appointment = actions.appoint_guardian(
            survivor=survivor,
            by=acting_user(request),
            guardian_name=data["guardian_name"],
            kind=data["kind"],
            appointing_agency=agency,
            appointing_body=data["appointing_body"],
            appointed_on=data["appointed_on"],
        )
        body = GuardianOutSerializer(appointment, context={"today": _today()}).data
        return Response(body, status=status.HTTP_201_CREATED)


class GuardianEndApi(APIView):
    @extend_schema(request=GuardianEndSerializer, responses={200: GuardianOutSerializer})
    def post(self, request: Request, code: str, appointment_id: int) -> Response:
        require_capability(request.user, "survivors.register")
        survivor = get_survivor_or_404(request.user, code)
        appointment = guardian_appointments_of(survivor).filter(pk=appointment_id).first()
        if appointment is None:
            raise NotFound
        payload = GuardianEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment = actions.end_guardian_appointment(
            appointment=appointment,
            by=acting_user(request),
            expected_version=payload.validated_data["version"],
            ended_on=payload.validated_data["ended_on"],
        )
        return Response(GuardianOutSerializer(appointment, context={"today": _today()}).data)


class BestInterestsAssessmentListApi(APIView):
    @extend_schema(responses={200: BestInterestsAssessmentOutSerializer(many=True)})
    def get(self, request: Request, code: str) -> Response:
        survivor = get_survivor_or_404(request.user, code)
        rows = best_interests_assessments_of(survivor)
        return Response(BestInterestsAssessmentOutSerializer(rows, many=True).data)


class BestInterestsAssessmentCreateApi(APIView):
    @extend_schema(
        request=BestInterestsAssessmentCreateSerializer,
        responses={201: BestInterestsAssessmentOutSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        require_capability(request.user, "survivors.register")
        survivor = get_survivor_or_404(request.user, code)
        payload = BestInterestsAssessmentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        case = None
        if data["case"]:
            case = survivor.cases.filter(code=data["case"].strip().upper()).first()
            if case is None:
                raise ValidationError({"case": [gettext("This case is not the survivor's.")]})
        assessment = actions.record_best_interests_assessment(
            survivor=survivor,
            by=acting_user(request),
            assessed_on=data["assessed_on"],
            summary=data["summary"],
            child_views_heard=data["child_views_heard"],
            recommendation=data["recommendation"],
            case=case,
        )
        body = BestInterestsAssessmentOutSerializer(assessment).data
        return Response(body, status=status.HTTP_201_CREATED)


class BestInterestsDeterminationListApi(APIView):
    @extend_schema(responses={200: BestInterestsDeterminationOutSerializer(many=True)})
    def get(self, request: Request, code: str) -> Response:
        survivor = get_survivor_or_404(request.user, code)
        rows = best_interests_determinations_of(survivor)
        return Response(BestInterestsDeterminationOutSerializer(rows, many=True).data)


class BestInterestsDeterminationCreateApi(APIView):
    @extend_schema(
        request=BestInterestsDeterminationCreateSerializer,
        responses={201: BestInterestsDeterminationOutSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        require_capability(request.user, "cases.supervise")
        survivor = get_survivor_or_404(request.user, code)
        payload = BestInterestsDeterminationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        determination = actions.record_best_interests_determination(
            survivor=survivor, by=acting_user(request), **payload.validated_data
        )
        body = BestInterestsDeterminationOutSerializer(determination).data
        return Response(body, status=status.HTTP_201_CREATED)


class ChildSituationApi(APIView):
    @extend_schema(responses={200: ChildSituationSerializer})
    def get(self, request: Request, code: str) -> Response:
        survivor = get_survivor_or_404(request.user, code)
        return Response(ChildSituationSerializer(_situation(survivor)).data)

    @extend_schema(
        request=ChildFlagsSerializer,
        responses={200: ChildSituationSerializer},
        description="Set whether the child is unaccompanied or separated; a stale "
        "``version`` answers 409 and changes nothing.",
    )
    def post(self, request: Request, code: str) -> Response:
        require_capability(request.user, "survivors.register")
        survivor = get_survivor_or_404(request.user, code)
        payload = ChildFlagsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        survivor = actions.set_child_flags(
            survivor=survivor,
            by=acting_user(request),
            unaccompanied=data["unaccompanied"],
            separated=data["separated"],
            expected_version=data["version"],
        )
        return Response(ChildSituationSerializer(_situation(survivor)).data)


class AgeAssessmentListApi(APIView):
    @extend_schema(responses={200: AgeAssessmentOutSerializer(many=True)})
    def get(self, request: Request, code: str) -> Response:
        survivor = get_survivor_or_404(request.user, code)
        return Response(AgeAssessmentOutSerializer(age_assessments_of(survivor), many=True).data)


class AgeAssessmentCreateApi(APIView):
    @extend_schema(
        request=AgeAssessmentCreateSerializer, responses={201: AgeAssessmentOutSerializer}
    )
    def post(self, request: Request, code: str) -> Response:
        require_capability(request.user, "survivors.register")
        survivor = get_survivor_or_404(request.user, code)
        payload = AgeAssessmentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        assessment = actions.record_age_assessment(
            survivor=survivor,
            by=acting_user(request),
            agency=_agency_by_code(data["agency"], "agency"),
            method=data["method"],
            assessed_on=data["assessed_on"],
            is_adult=data["is_adult"],
            estimated_age=data["estimated_age"],
            note=data["note"],
        )
        body = AgeAssessmentOutSerializer(assessment).data
        return Response(body, status=status.HTTP_201_CREATED)
