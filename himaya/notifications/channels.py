"""The channels a notification is sent by, behind one interface: ``send(user, subject, body)``.

In-app needs no sending: the notification is shown in the notification centre. E-mail
goes through Django's mail backend (``settings.EMAIL_BACKEND``: console in development,
in-memory in tests, SMTP in production). SMS and WhatsApp are pluggable: the class named
by ``settings.NOTIFICATIONS_SMS_BACKEND`` / ``NOTIFICATIONS_WHATSAPP_BACKEND`` is used;
the default only writes a line to the log (no message text, which may be sensitive).
A backend raises any exception to say the message was not sent; the queue retries it.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from himaya.accounts.models import User
from himaya.notifications.models import Channel

logger = logging.getLogger("himaya.notifications")


class ChannelUnavailable(Exception):
    """The person cannot be reached by this channel (no address, no number)."""


class ChannelBackend(Protocol):
    def send(self, user: User, subject: str, body: str) -> None: ...


class EmailChannel:
    def send(self, user: User, subject: str, body: str) -> None:
        if not user.email:
            raise ChannelUnavailable("no e-mail address")
        send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )


class LoggingChannel:
    """A channel that only logs that a message would be sent (development and tests)."""

    name = "log"

    def send(self, user: User, subject: str, body: str) -> None:
        logger.info("%s message for user %s (%d characters)", self.name, user.pk, len(body))


class SmsChannel(LoggingChannel):
    """SMS: replace by a provider's class in ``NOTIFICATIONS_SMS_BACKEND``."""

    name = "sms"


class WhatsAppChannel(LoggingChannel):
    """WhatsApp: replace by a provider's class in ``NOTIFICATIONS_WHATSAPP_BACKEND``."""

    name = "whatsapp"


_DEFAULTS: dict[str, str] = {
    Channel.EMAIL: "himaya.notifications.channels.EmailChannel",
    Channel.SMS: "himaya.notifications.channels.SmsChannel",
    Channel.WHATSAPP: "himaya.notifications.channels.WhatsAppChannel",
}
_SETTINGS: dict[str, str] = {
    Channel.EMAIL: "NOTIFICATIONS_EMAIL_BACKEND",
    Channel.SMS: "NOTIFICATIONS_SMS_BACKEND",
    Channel.WHATSAPP: "NOTIFICATIONS_WHATSAPP_BACKEND",
}


def get_channel(channel: str) -> ChannelBackend:
    """The backend that sends by ``channel``, as configured in the settings."""
    path = getattr(settings, _SETTINGS[channel], "") or _DEFAULTS[channel]
    backend: ChannelBackend = import_string(path)()
    return backend
