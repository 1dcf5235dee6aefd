"""Reads of the notifications app: a person sees only their own notifications."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import Promise

from himaya.accounts.models import User
from himaya.core.bounds import MAX_INTEGER
from himaya.core.typing import AnyUser
from himaya.notifications import rules
from himaya.notifications.events import Event, UnknownEvent, get_event, registered_events
from himaya.notifications.models import Channel, Notification, NotificationPreference


def notifications_of(user: AnyUser) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created", "-id")


def get_notification_or_404(user: AnyUser, notification_id: int) -> Notification:
    if not 0 < notification_id <= MAX_INTEGER:
        raise Http404
    notification = notifications_of(user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    return notification


def unread_count(user: AnyUser) -> int:
    """One query on the partial index of unread notifications."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


@dataclass(frozen=True)
class Shown:
    """A notification as shown to its recipient, in the language of the page."""

    notification: Notification
    subject: str
    body: str

    @property
    def pk(self) -> int:
        return self.notification.pk


def shown(notification: Notification, language: str) -> Shown:
    try:
        event = get_event(notification.event)
    except UnknownEvent:
        return Shown(notification, "", "")
    subject, body = rules.render(event, notification.params, language)
    return Shown(notification, subject, body)


@dataclass(frozen=True)
class PreferenceRow:
    event: Event
    label: Promise
    channels: list[tuple[str, Promise | str, bool]]  # (channel, its label, whether on)


def preference_rows(user: AnyUser) -> list[PreferenceRow]:
    """Every registered event with the user's channels (stored or default)."""
    stored: dict[str, dict[str, bool]] = {}
    for event, channel, enabled in NotificationPreference.objects.filter(
        user_id=int(user.pk or 0)
    ).values_list("event", "channel", "enabled"):
        stored.setdefault(event, {})[channel] = enabled
    return [
        PreferenceRow(
            event=event,
            label=event.label,
            channels=[
                (
                    channel,
                    Channel(channel).label,
                    rules.channel_enabled(channel, stored.get(event.code, {})),
                )
                for channel in rules.SENT_CHANNELS
            ],
        )
        for event in registered_events()
    ]


def channel_labels() -> list[Promise | str]:
    return [Channel(channel).label for channel in rules.SENT_CHANNELS]


def members_of(
    agency_ids: Iterable[int], roles: Iterable[str], *, exclude: Iterable[int] = ()
) -> QuerySet[User]:
    """Active users holding one of ``roles`` by an active membership of these agencies."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__agency_id__in=list(agency_ids),
            memberships__role__in=list(roles),
            memberships__is_active=True,
        )
        .exclude(pk__in=list(exclude))
        .distinct()
        .order_by("pk")
    )
