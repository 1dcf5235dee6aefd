"""The task that sends deliveries: claimed once, retried, never sent twice."""

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from himaya.accounts.tests.factories import UserFactory
from himaya.notifications import actions, tasks
from himaya.notifications.actions import MAX_ATTEMPTS, notify, send_deliveries, set_preferences
from himaya.notifications.models import Channel, Delivery, DeliveryStatus, Notification
from himaya.notifications.tests.conftest import PARAMS, FlakyChannel

pytestmark = pytest.mark.django_db


def _one(email: str = "u@example.org") -> Notification:
    user = UserFactory(email=email)
    notify(event="tests.sample", recipients=[user], key="RF-1", params=PARAMS)
    return Notification.objects.get(recipient=user)


def test_a_retried_or_doubled_job_sends_each_message_exactly_once() -> None:
    notification = _one()

    tasks._deliver([notification.pk])
    tasks._deliver([notification.pk])  # the queue runs the job again
    tasks.deliver_notifications([notification.pk])  # and queues it once more
    send_deliveries(notification_ids=None)  # the periodic sweep

    assert len(mail.outbox) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert delivery.sent_at is not None


def test_a_delivery_being_sent_by_another_run_is_not_sent_again() -> None:
    notification = _one()
    Delivery.objects.update(status=DeliveryStatus.SENDING, attempts=1)

    assert actions.send_delivery(Delivery.objects.get().pk) == DeliveryStatus.SENDING
    tasks._deliver([notification.pk])

    assert mail.outbox == []
    assert Delivery.objects.get().attempts == 1


def test_a_failed_send_is_retried_by_the_job_and_then_sent_once(
    flaky_sms: type[FlakyChannel],
) -> None:
    user = UserFactory(email="")
    set_preferences(user=user, enabled={"tests.sample": [Channel.SMS]})
    notify(event="tests.sample", recipients=[user], key="RF-1", params=PARAMS)
    notification = Notification.objects.get()
    flaky_sms.failures = 2

    for _attempt in range(2):
        with pytest.raises(tasks.DeliveriesFailed):
            tasks._deliver([notification.pk])
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 2)
    assert delivery.last_error == "ConnectionError: gateway down"

    assert tasks._deliver([notification.pk]) == 1
    tasks._deliver([notification.pk])

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 3, "")
    assert flaky_sms.sent == [(user.pk, "Referral RF-7K3M-9QXP-R", flaky_sms.sent[0][2])]


def test_a_delivery_that_keeps_failing_stops_after_the_last_retry(
    flaky_sms: type[FlakyChannel],
) -> None:
    user = UserFactory(email="")
    set_preferences(user=user, enabled={"tests.sample": [Channel.SMS]})
    notify(event="tests.sample", recipients=[user], key="RF-1", params=PARAMS)
    notification = Notification.objects.get()
    flaky_sms.failures = 100

    for _attempt in range(MAX_ATTEMPTS - 1):
        with pytest.raises(tasks.DeliveriesFailed):
            tasks._deliver([notification.pk])
    assert tasks._deliver([notification.pk]) == 0  # the last attempt fails for good
    tasks._deliver([notification.pk])

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert flaky_sms.sent == []


def test_the_sweep_sends_what_a_lost_job_left_waiting_and_fails_interrupted_sends() -> None:
    waiting = _one("w@example.org")
    interrupted = _one("i@example.org")
    Delivery.objects.filter(notification=interrupted).update(status=DeliveryStatus.SENDING)

    assert send_deliveries(notification_ids=None) == (0, 0)  # too fresh: a job will send them
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert tasks.send_waiting_deliveries.call_local() == 1

    assert [message.to for message in mail.outbox] == [["w@example.org"]]
    assert Delivery.objects.get(notification=waiting).status == DeliveryStatus.SENT
    assert Delivery.objects.get(notification=interrupted).status == DeliveryStatus.FAILED


def test_a_recipient_deactivated_before_sending_gets_no_message() -> None:
    notification = _one()
    notification.recipient.is_active = False
    notification.recipient.save()

    tasks._deliver([notification.pk])

    assert mail.outbox == []
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_a_queue_that_cannot_be_reached_loses_nothing_the_sweep_sends_it_later(
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    def down(_ids: list[int]) -> None:
        raise ConnectionError("queue storage down")

    monkeypatch.setattr(tasks, "deliver_notifications", down)
    user = UserFactory(email="u@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert notify(event="tests.sample", recipients=[user], key="RF-1", params=PARAMS) == 1

    assert mail.outbox == []
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert send_deliveries(notification_ids=None) == (1, 0)
    assert len(mail.outbox) == 1
