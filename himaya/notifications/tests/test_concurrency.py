"""The same event for the same person from two processes at once: one notification, and
two runs sending the same delivery at once: one message."""

import pytest
from django.core import mail
from django.db import connection

from himaya.accounts.tests.factories import UserFactory
from himaya.core.tests.concurrency import at_once
from himaya.notifications.actions import notify, send_delivery
from himaya.notifications.models import Delivery, DeliveryStatus, Notification
from himaya.notifications.tests.conftest import PARAMS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_notifications_of_the_same_event_make_one() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections")
    user = UserFactory(email="u@example.org")

    outcomes = at_once(
        lambda: notify(event="tests.sample", recipients=[user], key="RF-1", params=PARAMS)
    )

    assert sorted(outcomes) == [0, 1]  # type: ignore[type-var]
    assert Notification.objects.filter(recipient=user).count() == 1
    assert Delivery.objects.count() == 1


def test_simultaneous_sends_of_the_same_delivery_send_one_message() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections")
    user = UserFactory(email="u@example.org")
    # Created outside any job: the sending below is the only one.
    Notification.objects.create(event="tests.sample", key="RF-1", recipient=user, params=PARAMS)
    delivery = Delivery.objects.create(notification=Notification.objects.get(), channel="email")

    outcomes = at_once(lambda: send_delivery(delivery.pk))

    # One run claims and sends; the other finds it being sent, or already sent.
    assert DeliveryStatus.SENT in outcomes
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
