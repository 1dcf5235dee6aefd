"""JSON API of the shelters app: one view per operation, scoped like the pages."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from himaya.accounts.acting import acting_user
from himaya.agencies.models import Governorate
from himaya.agencies.permissions import require_capability
from himaya.core.bounds import MAX_INTEGER
from himaya.shelters import actions, selectors
from himaya.shelters.actions import DISCHARGE_DESTINATIONS
from himaya.shelters.filters import StayFilter
from himaya.shelters.models import SecurityLevel, Shelter, Stay, Unit
from himaya.shelters.rules import Need

# --- output -------------------------------------------------------------------------------


class ShelterOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    governorate = serializers.CharField(source="governorate.code")
    duty_phone = serializers.CharField()
    beds_in_service = serializers.IntegerField()
    beds_occupied = serializers.IntegerField()


class UnitOut(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="label")
    sex = serializers.CharField()
    accepts_children = serializers.BooleanField()
    accepts_adolescents = serializers.BooleanField()
    accepts_adults = serializers.BooleanField()
    accepts_mothers_with_children = serializers.BooleanField()
    wheelchair_accessible = serializers.BooleanField()
    languages = serializers.CharField()
    security_level = serializers.IntegerField()
    beds_total = serializers.IntegerField()
    free_beds = serializers.IntegerField()
    free_cots = serializers.IntegerField()


class ShelterDetailOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    governorate = serializers.CharField(source="governorate.code")
    duty_phone = serializers.CharField()
    address = serializers.CharField(
        allow_null=True, help_text="Only for the shelter's own staff; null for everyone else."
    )
    units = UnitOut(many=True)


class UnitOptionOut(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="unit.pk")
    name = serializers.CharField(source="unit.label")
    free_beds = serializers.IntegerField()
    free_cots = serializers.IntegerField()


class ShelterOptionOut(serializers.Serializer[Any]):
    code = serializers.CharField(source="shelter.code")
    name = serializers.CharField(source="shelter.name")
    governorate = serializers.CharField(source="shelter.governorate.code")
    duty_phone = serializers.CharField(source="shelter.duty_phone")
    distance_km = serializers.FloatField(allow_null=True)
    free_beds = serializers.IntegerField()
    free_cots = serializers.IntegerField()
    units = UnitOptionOut(many=True)


class StayOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    case = serializers.CharField(source="case.code")
    survivor = serializers.CharField(source="survivor.code", allow_null=True)
    shelter = serializers.CharField(source="shelter.code")
    unit = serializers.CharField(source="bed.unit.label")
    bed = serializers.CharField(source="bed.label")
    status = serializers.CharField()
    admitted_on = serializers.DateField()
    planned_nights = serializers.IntegerField()
    ended_on = serializers.DateField(allow_null=True)
    destination = serializers.CharField()
    nights = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()


class OccupancyOut(serializers.Serializer[Any]):
    on = serializers.DateField()
    shelter = serializers.CharField(source="shelter.code")
    beds = serializers.IntegerField()
    occupied = serializers.IntegerField()
    survivors = serializers.IntegerField()
    children = serializers.IntegerField()


# --- input --------------------------------------------------------------------------------


class NeedIn(serializers.Serializer[Any]):
    sex = serializers.ChoiceField(choices=["female", "male", "other", "unknown"])
    age = serializers.IntegerField(
        min_value=0,
        max_value=120,
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave out when the age is not known: the person is then treated as a child.",
    )
    children_ages = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=17), required=False, max_length=6
    )
    wheelchair = serializers.BooleanField(required=False, default=False)
    language = serializers.RegexField(r"^[a-z]{2,3}$", required=False, allow_blank=True)
    security_level = serializers.ChoiceField(choices=SecurityLevel.values, required=False)
    near = serializers.CharField(required=False, help_text="Governorate ISO code, e.g. EG-ASN.")


class AdmitIn(serializers.Serializer[Any]):
    case = serializers.CharField(max_length=20)
    shelter = serializers.CharField(max_length=20)
    unit = serializers.IntegerField(required=False)
    planned_nights = serializers.IntegerField(min_value=1, max_value=365, default=30)
    children_birth_years = serializers.ListField(
        child=serializers.IntegerField(min_value=1900, max_value=2100), required=False, max_length=6
    )
    wheelchair = serializers.BooleanField(required=False, allow_null=True, default=None)
    language = serializers.RegexField(r"^[a-z]{2,3}$", required=False, allow_blank=True)
    security_level = serializers.ChoiceField(choices=SecurityLevel.values, required=False)


class TransferIn(serializers.Serializer[Any]):
    shelter = serializers.CharField(max_length=20)
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)
    unit = serializers.IntegerField(required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DischargeIn(serializers.Serializer[Any]):
    destination = serializers.ChoiceField(choices=[d.value for d in DISCHARGE_DESTINATIONS])
    version = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class OccupancyIn(serializers.Serializer[Any]):
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    shelter = serializers.CharField(required=False)


# --- helpers ------------------------------------------------------------------------------


def _codes(data: Any) -> dict[str, str]:
    """The codes named in a request body, for the audit row of a refusal."""
    if not hasattr(data, "get"):
        return {}
    return {
        "case_code": str(data.get("case") or "")[:40],
        "shelter_code": str(data.get("shelter") or "")[:40],
    }


STAY_RELATED = ("case", "survivor", "shelter", "bed__unit")


# --- views --------------------------------------------------------------------------------


class ShelterListApi(GenericAPIView[Any]):
    serializer_class = ShelterOut

    @extend_schema(operation_id="shelters_list", responses={200: ShelterOut(many=True)})
    def get(self, request: Request) -> Response:
        require_capability(request.user, "shelters.find_bed", "shelters.manage_stays")
        page = self.paginate_queryset(selectors.shelter_list(request.user))
        return self.get_paginated_response(ShelterOut(page, many=True).data)


class ShelterDetailApi(GenericAPIView[Any]):
    serializer_class = ShelterDetailOut

    @extend_schema(
        operation_id="shelters_retrieve",
        responses={200: ShelterDetailOut},
    )
    def get(self, request: Request, code: str) -> Response:
        require_capability(request.user, "shelters.find_bed", "shelters.manage_stays")
        shelter = selectors.get_shelter_or_404(request.user, code)
        data = {
            "code": shelter.code,
            "name": shelter.name,
            "governorate": shelter.governorate,
            "duty_phone": shelter.duty_phone,
            "address": shelter.address
            if selectors.may_manage_shelter(request.user, shelter)
            else None,
            "units": selectors.units_with_free_beds(shelter),
        }
        return Response(ShelterDetailOut(data).data)


class AvailabilityApi(GenericAPIView[Any]):
    serializer_class = ShelterOptionOut
    pagination_class = None

    @extend_schema(
        operation_id="shelters_availability",
        parameters=[NeedIn],
        responses={200: ShelterOptionOut(many=True)},
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, "shelters.find_bed")
        query = NeedIn(
            data={
                **request.query_params.dict(),
                "children_ages": request.query_params.getlist("children_ages"),
            }
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        near = None
        if data.get("near"):
            near = Governorate.objects.filter(code=data["near"]).first()
            if near is None:
                raise ValidationError({"near": [_("No governorate has this code.")]})
        need = Need(
            sex=data["sex"],
            age=data.get("age"),
            children_ages=tuple(data.get("children_ages") or ()),
            wheelchair=data.get("wheelchair", False),
            language=data.get("language") or "",
            security_level=int(data.get("security_level") or 1),
        )
        options = selectors.availability(need, near=near)
        return Response(ShelterOptionOut(options, many=True).data)


class StayListApi(GenericAPIView[Any]):
    serializer_class = StayOut

    @extend_schema(
        operation_id="shelters_stays_list",
        parameters=[OpenApiParameter("open", bool, description="Only stays still open.")],
        responses={200: StayOut(many=True)},
    )
    def get(self, request: Request) -> Response:
        require_capability(
            request.user, "shelters.find_bed", "shelters.manage_stays", "cases.work_cases"
        )
        stays = selectors.stays_visible_to(request.user).select_related(*STAY_RELATED)
        chosen = StayFilter(request.query_params, queryset=stays)
        if not chosen.is_valid():
            raise ValidationError(chosen.errors)
        page = self.paginate_queryset(chosen.qs.order_by("-admitted_on", "-id"))
        return self.get_paginated_response(StayOut(page, many=True).data)


class StayDetailApi(GenericAPIView[Any]):
    serializer_class = StayOut

    @extend_schema(
        operation_id="shelters_stays_retrieve",
        responses={200: StayOut},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(
            StayOut(actions.stay_in_scope_or_refuse(acting_user(request), "read_stay", code)).data
        )


def _unit(shelter: Shelter, unit_id: int | None) -> Unit | None:
    unit = selectors.unit_of(shelter, unit_id)
    if unit_id is not None and unit is None:
        raise ValidationError({"unit": [_("This shelter has no unit with this number.")]})
    return unit


class AdmitApi(GenericAPIView[Any]):
    serializer_class = AdmitIn

    @extend_schema(
        operation_id="shelters_stays_admit",
        request=AdmitIn,
        responses={201: StayOut},
    )
    def post(self, request: Request) -> Response:
        codes = _codes(request.data)
        actions.require_or_refuse(
            acting_user(request), "admit", "shelters.manage_stays", "cases.work_cases", **codes
        )
        body = AdmitIn(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = body.validated_data
        case = actions.case_in_scope_or_refuse(
            acting_user(request), "admit", data["case"], data["shelter"]
        )
        shelter = selectors.get_shelter_or_404(request.user, data["shelter"])
        if not selectors.may_admit(request.user, case=case, shelter=shelter):
            actions.refuse_access(
                by=acting_user(request),
                operation="admit",
                missing=False,
                message=_("You may not admit this person into this shelter."),
                **codes,
            )
        stay = actions.admit_to_shelter(
            case=case,
            shelter=shelter,
            unit=_unit(shelter, data.get("unit")),
            by=acting_user(request),
            planned_nights=data["planned_nights"],
            children_birth_years=data.get("children_birth_years") or [],
            wheelchair=data.get("wheelchair"),
            language=data.get("language") or "",
            security_level=int(data.get("security_level") or 1),
        )
        stay = Stay.objects.select_related(*STAY_RELATED).get(pk=stay.pk)
        return Response(StayOut(stay).data, status=status.HTTP_201_CREATED)


class TransferApi(GenericAPIView[Any]):
    serializer_class = TransferIn

    @extend_schema(
        operation_id="shelters_stays_transfer",
        request=TransferIn,
        responses={201: StayOut},
    )
    def post(self, request: Request, code: str) -> Response:
        stay = actions.stay_in_scope_or_refuse(acting_user(request), "transfer", code)
        if not selectors.may_move(request.user, stay=stay):
            actions.refuse_access(
                by=acting_user(request),
                operation="transfer",
                missing=False,
                message=_("You may not transfer this person to this shelter."),
                stay_code=code,
            )
        body = TransferIn(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = body.validated_data
        shelter = selectors.get_shelter_or_404(request.user, data["shelter"])
        new_stay = actions.transfer_stay(
            stay=stay,
            shelter=shelter,
            unit=_unit(shelter, data.get("unit")),
            by=acting_user(request),
            expected_version=data["version"],
            note=data.get("note", ""),
        )
        new_stay = Stay.objects.select_related(*STAY_RELATED).get(pk=new_stay.pk)
        return Response(StayOut(new_stay).data, status=status.HTTP_201_CREATED)


class DischargeApi(GenericAPIView[Any]):
    serializer_class = DischargeIn

    @extend_schema(
        operation_id="shelters_stays_discharge",
        request=DischargeIn,
        responses={200: StayOut},
    )
    def post(self, request: Request, code: str) -> Response:
        stay = actions.stay_in_scope_or_refuse(acting_user(request), "discharge", code)
        if not selectors.may_move(request.user, stay=stay):
            actions.refuse_access(
                by=acting_user(request),
                operation="discharge",
                missing=False,
                message=_("You may not discharge this person."),
                stay_code=code,
            )
        body = DischargeIn(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = body.validated_data
        actions.discharge_stay(
            stay=stay,
            destination=data["destination"],
            by=acting_user(request),
            expected_version=data["version"],
            note=data.get("note", ""),
        )
        stay = Stay.objects.select_related(*STAY_RELATED).get(pk=stay.pk)
        return Response(StayOut(stay).data)


class OccupancyApi(GenericAPIView[Any]):
    serializer_class = OccupancyOut

    @extend_schema(
        operation_id="shelters_occupancy_list",
        parameters=[OccupancyIn],
        responses={200: OccupancyOut(many=True)},
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, "shelters.find_bed", "shelters.manage_stays")
        query = OccupancyIn(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        until: date = query.validated_data.get("until") or today
        since: date = query.validated_data.get("since") or until - timedelta(days=30)
        shelter_ids = None
        if query.validated_data.get("shelter"):
            shelter_ids = {
                selectors.get_shelter_or_404(request.user, query.validated_data["shelter"]).pk
            }
        rows = selectors.occupancy_history(since=since, until=until, shelter_ids=shelter_ids)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(OccupancyOut(page, many=True).data)
