"""A test event, registered for the tests of this app, and a backend that can fail."""

from collections.abc import Iterator

import pytest
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.notifications import events
from himaya.notifications.events import Event, register_event

SAMPLE = Event(
    code="tests.sample",
    label=_("Sample event"),
    subject=_("Referral %(referral_code)s"),
    body=_("Referral %(referral_code)s from %(from_agency)s, %(item_count)s items."),
)
PARAMS = {
    "referral_code": "RF-7K3M-9QXP-R",
    "from_agency_ar": "الجهة أ",
    "from_agency_en": "Agency A",
    "item_count": 3,
}


@pytest.fixture(autouse=True)
def sample_event() -> Iterator[Event]:
    register_event(SAMPLE)
    yield SAMPLE
    events._events.pop(SAMPLE.code, None)


class FlakyChannel:
    """Fails as many times as ``failures`` says, then records what it sends."""

    failures = 0
    sent: list[tuple[int, str, str]] = []

    def send(self, user: User, subject: str, body: str) -> None:
        if FlakyChannel.failures > 0:
            FlakyChannel.failures -= 1
            raise ConnectionError("gateway down")
        FlakyChannel.sent.append((user.pk, subject, body))


@pytest.fixture
def flaky_sms(settings: object) -> Iterator[type[FlakyChannel]]:
    settings.NOTIFICATIONS_SMS_BACKEND = (  # type: ignore[attr-defined]
        "himaya.notifications.tests.conftest.FlakyChannel"
    )
    FlakyChannel.failures = 0
    FlakyChannel.sent = []
    yield FlakyChannel
