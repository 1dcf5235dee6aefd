"""JSON API of duplicate detection, scoped exactly as the pages."""

from typing import Any

from django.http import QueryDict
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.core.api import VersionField
from himaya.duplicates import actions
from himaya.duplicates.forms import unsaved_survivor
from himaya.duplicates.models import CandidatePair
from himaya.duplicates.selectors import get_merge_or_404, get_pair_or_404, review_queue

# The queue answers at most this many pairs, best first.
QUEUE_LIMIT = 200


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()
    weight = serializers.FloatField()


class PairSerializer(serializers.ModelSerializer[CandidatePair]):
    survivor_a = serializers.SlugRelatedField[Any](slug_field="code", read_only=True)
    survivor_b = serializers.SlugRelatedField[Any](slug_field="code", read_only=True)
    reasons = ReasonSerializer(many=True, read_only=True)

    class Meta:
        model = CandidatePair
        fields = ["id", "survivor_a", "survivor_b", "score", "reasons", "status", "version"]


class MergeInSerializer(serializers.Serializer[Any]):
    keep = serializers.CharField(max_length=20)
    version = VersionField()


class VersionInSerializer(serializers.Serializer[Any]):
    version = VersionField()


class MergeOutSerializer(serializers.Serializer[Any]):
    merge = serializers.IntegerField()
    kept = serializers.CharField()
    removed = serializers.CharField()


class LikelyMatchInSerializer(serializers.Serializer[Any]):
    name_ar = serializers.CharField(max_length=300, required=False, allow_blank=True)
    name_latin = serializers.CharField(max_length=300, required=False, allow_blank=True)
    aliases = serializers.CharField(max_length=300, required=False, allow_blank=True)
    birth_year = serializers.IntegerField(
        min_value=1900, max_value=2100, required=False, allow_null=True
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    sex = serializers.CharField(max_length=10, required=False, allow_blank=True)
    nationality = serializers.CharField(max_length=2, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=100, required=False, allow_blank=True)
    document_number = serializers.CharField(max_length=60, required=False, allow_blank=True)


class LikelyMatchOutSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    score = serializers.FloatField()
    reasons = ReasonSerializer(many=True)


class PairListApi(APIView):
    @extend_schema(responses={200: PairSerializer(many=True)})
    def get(self, request: Request) -> Response:
        require_capability(request.user, "duplicates.review")
        pairs = review_queue(request.user)[:QUEUE_LIMIT]
        return Response(PairSerializer(pairs, many=True).data)


class MergeApi(APIView):
    @extend_schema(request=MergeInSerializer, responses={201: MergeOutSerializer})
    def post(self, request: Request, pair_id: int) -> Response:
        require_capability(request.user, "duplicates.review")
        pair = get_pair_or_404(request.user, pair_id)
        payload = MergeInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sides = {pair.survivor_a.code: pair.survivor_a, pair.survivor_b.code: pair.survivor_b}
        keep = sides.get(payload.validated_data["keep"].strip().upper())
        if keep is None:
            raise ValidationError({"keep": ["Not one of the two survivors of the pair."]})
        record = actions.merge_pair(
            pair=pair,
            by=acting_user(request),
            keep=keep,
            expected_version=payload.validated_data["version"],
        )
        body = {"merge": record.pk, "kept": keep.code, "removed": record.removed_code}
        return Response(MergeOutSerializer(body).data, status=status.HTTP_201_CREATED)


class DistinctApi(APIView):
    @extend_schema(request=VersionInSerializer, responses={200: PairSerializer})
    def post(self, request: Request, pair_id: int) -> Response:
        require_capability(request.user, "duplicates.review")
        pair = get_pair_or_404(request.user, pair_id)
        payload = VersionInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        decided = actions.mark_distinct(
            pair=pair, by=acting_user(request), expected_version=payload.validated_data["version"]
        )
        return Response(PairSerializer(decided).data)


class UndoApi(APIView):
    @extend_schema(request=None, responses={200: MergeOutSerializer})
    def post(self, request: Request, merge_id: int) -> Response:
        require_capability(request.user, "duplicates.review")
        merge = get_merge_or_404(request.user, merge_id)
        restored = actions.undo_merge(merge=merge, by=acting_user(request))
        body = {"merge": merge.pk, "kept": merge.kept.code, "removed": restored.code}
        return Response(MergeOutSerializer(body).data)


class LikelyMatchesApi(APIView):
    @extend_schema(
        request=LikelyMatchInSerializer,
        responses={200: LikelyMatchOutSerializer(many=True)},
        description="Likely matches, among the survivors the user may see, of a survivor "
        "about to be registered (nothing is saved).",
    )
    def post(self, request: Request) -> Response:
        require_capability(request.user, "survivors.register")
        require_capability(request.user, "cases.work_cases")
        payload = LikelyMatchInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = QueryDict(mutable=True)
        for name, value in payload.validated_data.items():
            if value is not None:
                data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        survivor, numbers = unsaved_survivor(data)
        matches = actions.find_likely_matches(acting_user(request), survivor, numbers)
        return Response(LikelyMatchOutSerializer(matches, many=True).data)
