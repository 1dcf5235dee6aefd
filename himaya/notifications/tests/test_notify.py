"""notify: once per event, key and person; safe params only; preferences and languages."""

from collections.abc import Callable

import pytest
from django.core import mail

from himaya.accounts.models import User
from himaya.accounts.tests.factories import UserFactory
from himaya.notifications.actions import notify, set_preferences
from himaya.notifications.events import UnknownEvent
from himaya.notifications.models import Channel, Delivery, DeliveryStatus, Notification
from himaya.notifications.tests.conftest import PARAMS

pytestmark = pytest.mark.django_db


def _notify(recipients: list[User], key: str = "RF-1", **kwargs: object) -> int:
    return notify(
        event="tests.sample",
        recipients=recipients,
        key=key,
        link="/referrals/RF-1/",
        params=kwargs.pop("params", PARAMS),  # type: ignore[arg-type]
    )


def test_notify_creates_one_notification_per_person_with_in_app_and_email_by_default(
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    arabic = UserFactory(email="a@example.org", preferred_language="ar")
    english = UserFactory(email="e@example.org", preferred_language="en")

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        created = _notify([arabic, english, english])

    assert created == 2
    assert Notification.objects.filter(event="tests.sample", key="RF-1").count() == 2
    assert sorted(Delivery.objects.values_list("channel", "status")) == [
        (Channel.EMAIL, DeliveryStatus.SENT),
        (Channel.EMAIL, DeliveryStatus.SENT),
    ]
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["e@example.org"].subject == "Referral RF-7K3M-9QXP-R"
    assert by_address["e@example.org"].body == "Referral RF-7K3M-9QXP-R from Agency A, 3 items."
    assert "الجهة أ" in by_address["a@example.org"].body
    assert "Agency A" not in by_address["a@example.org"].body


def test_notifying_the_same_event_again_creates_and_sends_nothing_more(
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    user = UserFactory(email="u@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = _notify([user])
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        second = _notify([user])

    assert (first, second) == (1, 0)
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1
    assert len(mail.outbox) == 1


def test_another_key_of_the_same_event_is_another_notification() -> None:
    user = UserFactory()
    assert _notify([user], key="RF-1") == 1
    assert _notify([user], key="RF-2") == 1
    assert Notification.objects.filter(recipient=user).count() == 2


def test_inactive_users_are_not_notified() -> None:
    user = UserFactory(is_active=False)
    assert _notify([user]) == 0
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {**PARAMS, "survivor_name": "Fatma Ahmed Hassan"},
        {**PARAMS, "phone": "+20 100 555 0101"},
        {**PARAMS, "referral_code": ["RF-1"]},
        {**PARAMS, "referral_code": "x" * 201},
        {"from_agency_ar": "الجهة أ", "from_agency_en": "Agency A", "item_count": 3},
        {"referral_code": "RF-1", "from_agency_ar": "الجهة أ", "item_count": 3},
    ],
    ids=["a name", "a phone", "a list", "too long", "a missing param", "one language only"],
)
def test_a_notification_with_params_that_are_not_safe_is_refused_and_nothing_is_written(
    params: dict[str, object],
) -> None:
    user = UserFactory()
    with pytest.raises(ValueError):
        _notify([user], params=params)
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_an_unknown_event_is_refused() -> None:
    with pytest.raises(UnknownEvent):
        notify(event="tests.unknown", recipients=[UserFactory()], key="k")
    assert not Notification.objects.exists()


def test_preferences_choose_the_channels_of_the_deliveries() -> None:
    quiet = UserFactory()
    texting = UserFactory()
    set_preferences(user=quiet, enabled={"tests.sample": []})
    set_preferences(user=texting, enabled={"tests.sample": [Channel.SMS, Channel.WHATSAPP]})

    assert _notify([quiet, texting]) == 2

    assert list(Delivery.objects.filter(notification__recipient=quiet)) == []
    assert sorted(
        Delivery.objects.filter(notification__recipient=texting).values_list("channel", flat=True)
    ) == [Channel.SMS, Channel.WHATSAPP]
    assert Notification.objects.filter(recipient=quiet).exists()  # in-app is always on


def test_a_user_without_an_email_address_gets_a_failed_delivery_and_the_in_app_notification(
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    user = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _notify([user])
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.last_error == "no e-mail address"
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 1


def test_people_told_meanwhile_by_another_process_are_skipped_and_the_rest_are_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second, third = UserFactory.create_batch(3)
    _notify([second])
    # Another process tells ``second`` between this one's read and its insert: the read
    # below sees nobody told, the insert of all three then conflicts.
    real_filter = Notification.objects.filter

    def seeing_nobody_told(*args: object, **kwargs: object) -> object:
        found = real_filter(*args, **kwargs)
        return found.none() if "recipient_id__in" in kwargs else found

    monkeypatch.setattr(Notification.objects, "filter", seeing_nobody_told)
    created = _notify([first, second, third])
    monkeypatch.undo()

    assert created == 2
    assert sorted(
        Notification.objects.filter(event="tests.sample", key="RF-1").values_list(
            "recipient_id", flat=True
        )
    ) == sorted([first.pk, second.pk, third.pk])
    assert Delivery.objects.filter(notification__recipient=second).count() == 1


@pytest.mark.parametrize("people", [1, 4])
def test_telling_several_people_takes_the_same_number_of_queries_as_one(
    people: int, django_assert_num_queries: Callable[..., object]
) -> None:
    recipients = UserFactory.create_batch(people)
    # The preferences, the people told already, the notifications, the deliveries, and
    # two savepoints (each made and released) around the writes.
    with django_assert_num_queries(8):  # type: ignore[operator]
        assert _notify(recipients) == people
    assert Delivery.objects.count() == people
