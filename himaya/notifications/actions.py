"""Writes of the notifications app: tell people of an event, read and preferences.

``notify`` is the one way to tell people of an event. It is called by the app that
emits the event, inside the transaction of the write the event comes from; the
deliveries by e-mail, SMS or WhatsApp are queued after that transaction commits.

Params hold only safe values: their names end with ``code``, ``count``, ``number``,
``date``, ``time``, ``deadline``, ``days``, ``hours``, ``agency``, ``governorate``,
``severity``, ``kind`` or ``amount`` (``referral_code``, ``from_agency``, ``due_date``),
their values are texts or whole numbers; a survivor's name, phone or document never
goes in a notification. ``notify`` refuses any other param.
"""

from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.core.bounds import MAX_INTEGER
from himaya.core.errors import Invalid, NotFound
from himaya.notifications import rules
from himaya.notifications.channels import ChannelUnavailable, get_channel
from himaya.notifications.events import UnknownEvent, get_event
from himaya.notifications.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationPreference,
)

MAX_ATTEMPTS = 4  # the first try and three retries
ERROR_LENGTH = 500
# A delivery left "being sent" this long was interrupted: it is not sent again (a message
# may have left), it is marked failed.
INTERRUPTED_AFTER = timedelta(minutes=30)
# The periodic sweep leaves alone what a queued task is about to send.
WAITING_AFTER = timedelta(minutes=2)


def _stored_choices(user_ids: list[int], event: str) -> dict[int, dict[str, bool]]:
    choices: dict[int, dict[str, bool]] = {}
    rows = NotificationPreference.objects.filter(user_id__in=user_ids, event=event).values_list(
        "user_id", "channel", "enabled"
    )
    for user_id, channel, enabled in rows:
        choices.setdefault(user_id, {})[channel] = enabled
    return choices


def _create_all(
    event: str, key: str, user_ids: list[int], *, link: str, params: dict[str, str | int]
) -> list[Notification] | None:
    """The notifications of the people not yet told of (event, key), written together:
    one read of those already told, one insert. ``None`` if another process wrote one of
    them meanwhile (nothing is written then)."""
    told = set(
        Notification.objects.filter(event=event, key=key, recipient_id__in=user_ids).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = [
        Notification(event=event, key=key, recipient_id=user_id, link=link, params=params)
        for user_id in user_ids
        if user_id not in told
    ]
    if not fresh:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(fresh)
    except IntegrityError:
        return None


def _create_one_by_one(
    event: str, key: str, user_ids: list[int], *, link: str, params: dict[str, str | int]
) -> list[Notification]:
    """The same, a person at a time, each skipped if told already or meanwhile."""
    made = []
    for user_id in user_ids:
        try:
            with transaction.atomic():
                notification, created = Notification.objects.get_or_create(
                    event=event,
                    key=key,
                    recipient_id=user_id,
                    defaults={"link": link, "params": params},
                )
        except IntegrityError:  # created at the same moment by another process
            continue
        if created:
            made.append(notification)
    return made


def notify(
    *,
    event: str,
    recipients: Iterable[User],
    key: str,
    link: str = "",
    params: Mapping[str, str | int] | None = None,
) -> int:
    """One notification per (event, key, recipient), never twice; deliveries by the
    recipient's preferred channels are queued after commit; returns how many were created.

    An unknown event raises ``UnknownEvent``; an empty key or an unsafe param, ``ValueError``.
    """
    definition = get_event(event)  # an unknown event is a programming error
    params = dict(params or {})
    if not key:
        raise ValueError("a notification needs a key")
    if problems := rules.param_problems(definition, params):
        raise ValueError("; ".join(problems))
    people = {user.pk: user for user in recipients if user.is_active}
    if not people:
        return 0
    choices = _stored_choices(list(people), event)
    key = key[:200]
    with transaction.atomic():
        made = _create_all(event, key, sorted(people), link=link[:500], params=params)
        if made is None:  # another process notified one of them at the same moment
            made = _create_one_by_one(event, key, sorted(people), link=link[:500], params=params)
        Delivery.objects.bulk_create(
            Delivery(notification=notification, channel=channel)
            for notification in made
            for channel in rules.SENT_CHANNELS
            if rules.channel_enabled(channel, choices.get(notification.recipient_id, {}))
        )
    created_ids = [notification.pk for notification in made]
    if created_ids:
        from himaya.notifications.tasks import queue_deliveries

        transaction.on_commit(lambda: queue_deliveries(created_ids))
    return len(created_ids)


@transaction.atomic
def mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (404 for anyone else's)."""
    if not 0 < notification_id <= MAX_INTEGER:
        raise NotFound(_("No such notification."))
    notification = (
        Notification.objects.select_for_update(no_key=True)
        .filter(pk=notification_id, recipient=user)
        .first()
    )
    if notification is None:
        raise NotFound(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, user: User) -> int:
    """Mark all the user's unread notifications read; answer how many were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def set_preferences(*, user: User, enabled: Mapping[str, Iterable[str]]) -> None:
    """Store the user's channels for each event: ``{event code: channels that are on}``.

    In-app is always on (it is the notification itself); the other channels are stored
    for every registered event given.
    """
    for event, channels in enabled.items():
        try:
            get_event(event)
        except UnknownEvent:
            raise Invalid(_("This event is not known."), field="event") from None
        on = set(channels)
        for channel in rules.SENT_CHANNELS:
            NotificationPreference.objects.update_or_create(
                user=user,
                event=event,
                channel=channel,
                defaults={"enabled": channel in on},
            )


def _claim(delivery_id: int) -> bool:
    """Take a waiting delivery for sending; only one run can (a conditional update)."""
    return (
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1
        )
        == 1
    )


def _finish(delivery_id: int, *, status: str, error: str = "") -> None:
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
        status=status,
        sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
        last_error=error[:ERROR_LENGTH],
    )


def send_delivery(delivery_id: int) -> str:
    """Send one delivery if it is waiting; answer its status afterwards.

    The delivery is claimed first, so two runs never both send it; the message is
    rendered in the recipient's language from the event's templates.
    """
    if not _claim(delivery_id):
        return str(Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first())
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    notification = delivery.notification
    user = notification.recipient
    if not user.is_active:
        _finish(delivery_id, status=DeliveryStatus.FAILED, error="recipient is inactive")
        return DeliveryStatus.FAILED
    try:
        subject, body = rules.render(
            get_event(notification.event), notification.params, user.preferred_language
        )
        get_channel(delivery.channel).send(user, subject, body)
    except (ChannelUnavailable, UnknownEvent) as exception:
        _finish(delivery_id, status=DeliveryStatus.FAILED, error=str(exception))
        return DeliveryStatus.FAILED
    except Exception as exception:  # any failure of a backend is retried
        final = delivery.attempts >= MAX_ATTEMPTS
        status = DeliveryStatus.FAILED if final else DeliveryStatus.PENDING
        _finish(delivery_id, status=status, error=f"{type(exception).__name__}: {exception}")
        return status
    _finish(delivery_id, status=DeliveryStatus.SENT)
    return DeliveryStatus.SENT


def send_deliveries(*, notification_ids: list[int] | None) -> tuple[int, int]:
    """Send the waiting deliveries of these notifications (or of all, for the sweep).

    Answer how many were sent and how many failed but will be tried again.
    """
    waiting = Delivery.objects.filter(status=DeliveryStatus.PENDING)
    if notification_ids is None:
        now = timezone.now()
        Delivery.objects.filter(
            status=DeliveryStatus.SENDING, notification__created__lt=now - INTERRUPTED_AFTER
        ).update(status=DeliveryStatus.FAILED, last_error="interrupted while sending")
        waiting = waiting.filter(notification__created__lt=now - WAITING_AFTER)
    else:
        waiting = waiting.filter(notification_id__in=notification_ids)
    sent = retry = 0
    for delivery_id in waiting.order_by("id").values_list("id", flat=True)[:1000]:
        status = send_delivery(delivery_id)
        sent += status == DeliveryStatus.SENT
        retry += status == DeliveryStatus.PENDING
    return sent, retry
