"""Tables of the notifications app.

A ``Notification`` is one event told to one person; it is the in-app notification
itself, and it is unique per (event, key, recipient), so the same event never reaches the
same person twice. Its params hold only safe values (public codes, counts, dates, agency
names); the subject and body are rendered from the event's templates in the recipient's
language when shown or sent. A ``Delivery`` is the sending of a notification by one
other channel (e-mail, SMS, WhatsApp), unique per (notification, channel), claimed by the
task queue before it is sent so that a retried job never sends it twice.
A ``NotificationPreference`` stores a person's choice for one event and channel; without
a row the default applies (in-app and e-mail on, SMS and WhatsApp off).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the application")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(_("event"), max_length=100)
    key = models.CharField(_("key"), max_length=200)
    link = models.CharField(_("link"), max_length=500, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "key", "recipient"], name="notifications_once_per_person"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created", "-id"], name="notif_recipient_recent"),
            models.Index(
                fields=["recipient"],
                name="notif_recipient_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.key}"


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event = models.CharField(_("event"), max_length=100)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    enabled = models.BooleanField(_("on"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "event", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event", "channel"], name="notifications_one_preference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.event} {self.channel}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery", "Waiting to be sent")
    SENDING = "sending", pgettext_lazy("delivery", "Being sent")
    SENT = "sent", pgettext_lazy("delivery", "Sent")
    FAILED = "failed", pgettext_lazy("delivery", "Failed")


class Delivery(models.Model):
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        pgettext_lazy("state of a record", "Status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notifications_one_delivery"
            )
        ]
        indexes = [models.Index(fields=["status", "id"], name="notif_delivery_status")]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"
