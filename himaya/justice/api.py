"""JSON API of the justice track, scoped through the same selectors and written through
the same actions as the pages."""

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.core.api import Pagination
from himaya.core.bounds import MAX_INTEGER, MAX_TEXT_LENGTH
from himaya.justice import actions, selectors
from himaya.justice.actions import ChargeDetails, ProceedingDetails
from himaya.justice.models import (
    Charge,
    ChargeAgainstSurvivor,
    ChargeResult,
    CriminalProceeding,
    Offence,
    Outcome,
    ProceedingStatus,
    ProtectionMeasure,
    SurvivorRole,
)
from himaya.justice.selectors import EDIT, RECEIVE

TAGS = ["justice"]

# --- Serializers ------------------------------------------------------------------------


def _money() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )


class HearingOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    held_on = serializers.DateField()
    court = serializers.CharField()
    purpose = serializers.CharField()
    survivor_attended = serializers.BooleanField()
    support_provided = serializers.CharField()
    note = serializers.CharField()


class ProceedingOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    case = serializers.CharField(source="case.code")
    court = serializers.CharField()
    offences = serializers.ListField(child=serializers.CharField())
    survivor_role = serializers.CharField()
    protection_measures = serializers.ListField(child=serializers.CharField())
    protection_other = serializers.CharField()
    reported_on = serializers.DateField()
    status = serializers.CharField()
    outcome = serializers.CharField()
    compensation_claimed = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )
    claimed_on = serializers.DateField(allow_null=True)
    compensation_received = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )
    received_on = serializers.DateField(allow_null=True)
    hearings = HearingOut(many=True, source="hearings.all")
    version = serializers.IntegerField()


class ProceedingWithReferencesOut(ProceedingOut):
    police_report_ref = serializers.CharField()
    prosecution_ref = serializers.CharField()


class ChargeOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    case = serializers.CharField(source="case.code")
    charge = serializers.CharField()
    charge_other = serializers.CharField()
    authority = serializers.CharField()
    arising_from_trafficking = serializers.BooleanField()
    justification = serializers.CharField()
    drop_requested_on = serializers.DateField(allow_null=True)
    drop_requested_to = serializers.CharField()
    result = serializers.CharField()
    result_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()


class CaseJusticeOut(serializers.Serializer[Any]):
    case = serializers.CharField()
    proceedings = ProceedingOut(many=True)
    charges = ChargeOut(many=True)


class ProceedingIn(serializers.Serializer[Any]):
    offences = serializers.ListField(
        child=serializers.ChoiceField(choices=Offence.choices), allow_empty=False, max_length=20
    )
    survivor_role = serializers.ChoiceField(choices=SurvivorRole.choices)
    reported_on = serializers.DateField()
    police_report_ref = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    prosecution_ref = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    court = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    protection_measures = serializers.ListField(
        child=serializers.ChoiceField(choices=ProtectionMeasure.choices),
        required=False,
        default=list,
        max_length=20,
    )
    protection_other = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    compensation_claimed = _money()
    claimed_on = serializers.DateField(required=False, allow_null=True, default=None)
    compensation_received = _money()
    received_on = serializers.DateField(required=False, allow_null=True, default=None)


class ProceedingUpdateIn(ProceedingIn):
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


class ProceedingStatusIn(serializers.Serializer[Any]):
    to = serializers.ChoiceField(choices=ProceedingStatus.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


class HearingIn(serializers.Serializer[Any]):
    held_on = serializers.DateField()
    purpose = serializers.CharField(max_length=200)
    court = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    survivor_attended = serializers.BooleanField(required=False, default=False)
    support_provided = serializers.CharField(
        max_length=MAX_TEXT_LENGTH, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        max_length=MAX_TEXT_LENGTH, required=False, allow_blank=True, default=""
    )


class ChargeIn(serializers.Serializer[Any]):
    charge = serializers.ChoiceField(choices=Charge.choices)
    charge_other = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    authority = serializers.CharField(max_length=200)
    arising_from_trafficking = serializers.BooleanField()
    justification = serializers.CharField(
        max_length=MAX_TEXT_LENGTH, required=False, allow_blank=True, default=""
    )
    drop_requested_on = serializers.DateField(required=False, allow_null=True, default=None)
    drop_requested_to = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    result = serializers.ChoiceField(
        choices=ChargeResult.choices, required=False, default=ChargeResult.PENDING
    )
    result_on = serializers.DateField(required=False, allow_null=True, default=None)


class ChargeUpdateIn(ChargeIn):
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)


# --- Helpers ----------------------------------------------------------------------------


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _proceeding_details(data: dict[str, Any]) -> ProceedingDetails:
    data.pop("version", None)
    return ProceedingDetails(**data)


def _charge_details(data: dict[str, Any]) -> ChargeDetails:
    data.pop("version", None)
    return ChargeDetails(**data)


def _editable_proceeding(request: Request, code: str) -> CriminalProceeding:
    require_capability(request.user, EDIT, RECEIVE)
    proceeding = selectors.get_proceeding_or_404(request.user, code)
    if not selectors.may_edit(request.user, proceeding.case):
        raise PermissionDenied
    return proceeding


# --- Views ------------------------------------------------------------------------------


class ProceedingListApi(APIView):
    pagination_class = Pagination  # the schema describes the list as the page it answers

    @extend_schema(
        responses={200: ProceedingOut(many=True)},
        tags=TAGS,
        operation_id="justice_proceedings_list",
    )
    def get(self, request: Request) -> Response:
        """The proceedings the user may read (without references), newest first."""
        require_capability(request.user, EDIT, RECEIVE)
        proceedings = (
            selectors.proceedings_visible_to(request.user)
            .prefetch_related("hearings")
            .order_by("-reported_on", "-id")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(proceedings, request, view=self)
        return paginator.get_paginated_response(ProceedingOut(page, many=True).data)


class CaseJusticeApi(APIView):
    @extend_schema(responses={200: CaseJusticeOut}, tags=TAGS)
    def get(self, request: Request, code: str) -> Response:
        """A case's proceedings (without references) and charges against the survivor."""
        require_capability(request.user, EDIT, RECEIVE)
        case = selectors.get_justice_case_or_404(request.user, code)
        proceedings, charges = selectors.justice_of_case(request.user, case)
        return Response(
            CaseJusticeOut({"case": case.code, "proceedings": proceedings, "charges": charges}).data
        )


class ProceedingCreateApi(APIView):
    @extend_schema(request=ProceedingIn, responses={201: ProceedingOut}, tags=TAGS)
    def post(self, request: Request, code: str) -> Response:
        require_capability(request.user, EDIT, RECEIVE)
        case = selectors.get_justice_case_or_404(request.user, code)
        data = _valid(ProceedingIn(data=request.data))
        proceeding = actions.record_proceeding(
            case=case, details=_proceeding_details(data), by=acting_user(request)
        )
        return Response(ProceedingOut(proceeding).data, status=status.HTTP_201_CREATED)


class ProceedingDetailApi(APIView):
    @extend_schema(responses={200: ProceedingWithReferencesOut}, tags=TAGS)
    def get(self, request: Request, code: str) -> Response:
        """One proceeding with its references; reading them is audited."""
        require_capability(request.user, EDIT, RECEIVE)
        proceeding = selectors.get_proceeding_or_404(request.user, code)
        references = actions.read_references(proceeding=proceeding, by=acting_user(request))
        body = dict(ProceedingOut(proceeding).data)
        body.update(references)
        return Response(body)


class ProceedingUpdateApi(APIView):
    @extend_schema(request=ProceedingUpdateIn, responses={200: ProceedingOut}, tags=TAGS)
    def post(self, request: Request, code: str) -> Response:
        proceeding = _editable_proceeding(request, code)
        data = _valid(ProceedingUpdateIn(data=request.data))
        version = data["version"]
        proceeding = actions.update_proceeding(
            proceeding=proceeding,
            details=_proceeding_details(data),
            expected_version=version,
            by=acting_user(request),
        )
        return Response(ProceedingOut(proceeding).data)


class ProceedingStatusApi(APIView):
    @extend_schema(request=ProceedingStatusIn, responses={200: ProceedingOut}, tags=TAGS)
    def post(self, request: Request, code: str) -> Response:
        proceeding = _editable_proceeding(request, code)
        data = _valid(ProceedingStatusIn(data=request.data))
        proceeding = actions.move_proceeding(
            proceeding=proceeding,
            to=data["to"],
            outcome=data["outcome"],
            expected_version=data["version"],
            by=acting_user(request),
        )
        return Response(ProceedingOut(proceeding).data)


class HearingCreateApi(APIView):
    @extend_schema(request=HearingIn, responses={201: HearingOut}, tags=TAGS)
    def post(self, request: Request, code: str) -> Response:
        proceeding = _editable_proceeding(request, code)
        data = _valid(HearingIn(data=request.data))
        hearing = actions.record_hearing(proceeding=proceeding, by=acting_user(request), **data)
        return Response(HearingOut(hearing).data, status=status.HTTP_201_CREATED)


class ChargeCreateApi(APIView):
    @extend_schema(request=ChargeIn, responses={201: ChargeOut}, tags=TAGS)
    def post(self, request: Request, code: str) -> Response:
        require_capability(request.user, EDIT, RECEIVE)
        case = selectors.get_justice_case_or_404(request.user, code)
        data = _valid(ChargeIn(data=request.data))
        charge = actions.record_charge(
            case=case, details=_charge_details(data), by=acting_user(request)
        )
        return Response(ChargeOut(charge).data, status=status.HTTP_201_CREATED)


class ChargeUpdateApi(APIView):
    @extend_schema(request=ChargeUpdateIn, responses={200: ChargeOut}, tags=TAGS)
    def post(self, request: Request, code: str) -> Response:
        require_capability(request.user, EDIT, RECEIVE)
        charge: ChargeAgainstSurvivor = selectors.get_charge_or_404(request.user, code)
        if not selectors.may_edit(request.user, charge.case):
            raise PermissionDenied
        data = _valid(ChargeUpdateIn(data=request.data))
        version = data["version"]
        charge = actions.update_charge(
            charge=charge,
            details=_charge_details(data),
            expected_version=version,
            by=acting_user(request),
        )
        return Response(ChargeOut(charge).data)
