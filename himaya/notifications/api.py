"""JSON API of notifications: a person lists and marks read only their own."""

from typing import Any

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.notifications import actions, selectors
from himaya.notifications.models import Notification


def _read_body(request: Request) -> None:
    """The body carries nothing, but is read, so that a malformed one answers 400."""
    request.data  # noqa: B018 -- parsing is the point


class NotificationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="notification.pk")
    event = serializers.CharField(source="notification.event")
    subject = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField(source="notification.link")
    created = serializers.DateTimeField(source="notification.created")
    read_at = serializers.DateTimeField(source="notification.read_at", allow_null=True)


class NotificationListApi(ListAPIView[Notification]):
    serializer_class = NotificationSerializer

    def get_queryset(self) -> Any:
        return selectors.notifications_of(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        language = get_language() or "ar"
        page = self.paginate_queryset(self.get_queryset())
        rows = [selectors.shown(notification, language) for notification in page or []]
        response = self.get_paginated_response(NotificationSerializer(rows, many=True).data)
        response.data["unread"] = selectors.unread_count(request.user)
        return response


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _read_body(request)
        notification = selectors.get_notification_or_404(request.user, pk)
        notification = actions.mark_read(user=acting_user(request), notification_id=notification.pk)
        shown = selectors.shown(notification, get_language() or "ar")
        return Response(NotificationSerializer(shown).data)


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request: Request) -> Response:
        _read_body(request)
        return Response({"marked": actions.mark_all_read(user=acting_user(request))})
