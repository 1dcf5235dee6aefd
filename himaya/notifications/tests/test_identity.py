"""No message ever carries a survivor's identity: every registered event, rendered in both
languages, and every message of a scene where the events of the other apps happen."""

from collections.abc import Callable

import pytest
from django.core import mail

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.actions import request_closure
from himaya.cases.models import ClosureReason, Phase
from himaya.notifications import rules
from himaya.notifications.events import Event, registered_events
from himaya.notifications.models import Notification
from himaya.referrals import actions as referral_actions
from himaya.referrals.tests.factories import CaseFactory, give_consent, service
from himaya.survivors.models import Survivor
from himaya.survivors.tests.factories import SurvivorDocumentFactory

pytestmark = pytest.mark.django_db

NAME_AR = "فاطمة أحمد حسن"
NAME_LATIN = "Fatma Ahmed Hassan"
PHONE = "+20 100 555 0101"
DOCUMENT = "A12345678"
IDENTITY = [NAME_AR, NAME_LATIN, PHONE, DOCUMENT, "فاطمة", "Fatma", "555 0101"]

SAMPLE_VALUES = {
    "code": "RF-7K3M-9QXP-R",
    "count": 3,
    "number": 2,
    "date": "2026-03-01",
    "time": "2026-03-01 10:00",
    "deadline": "2026-03-01 10:00",
    "days": 3,
    "hours": 12,
    "agency": "Agency A",
    "governorate": "Cairo",
    "service": "Medical care",
    "programme": "Mastoura",
    "severity": "critical",
    "kind": "raid",
    "amount": "1200.00",
}


def sample_params(event: Event) -> dict[str, str | int]:
    params: dict[str, str | int] = {}
    for name in rules.placeholders(event):
        word = name.rsplit("_", 1)[-1]
        params[name] = SAMPLE_VALUES[word]
    return params


def test_events_of_every_emitting_app_are_registered() -> None:
    codes = {event.code for event in registered_events()}
    assert {
        "referrals.received",
        "referrals.due_soon",
        "fund.approval_waiting",
        "cases.closure_waiting",
        "empowerment.visit_due",
    } <= codes


@pytest.mark.parametrize("event", registered_events(), ids=lambda event: event.code)
def test_every_event_takes_only_safe_params_and_renders_without_identity(event: Event) -> None:
    assert rules.unsafe_param_names(rules.placeholders(event)) == []
    params = sample_params(event)
    assert rules.param_problems(event, params) == []
    for language in ("ar", "en"):
        subject, body = rules.render(event, params, language)
        assert subject.strip() and body.strip()
        assert "%(" not in subject + body
        for detail in IDENTITY:
            assert detail not in subject + body


def test_the_messages_of_a_referral_and_a_closure_carry_no_identity_of_the_survivor(
    make_persona: Callable[..., User],
    agency_a: Agency,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    partner = AgencyFactory(kind="ngo")
    staff = make_persona(Role.PARTNER_STAFF, partner, "partner")
    staff.email = "partner@example.org"
    staff.save()
    boss = make_persona(Role.SUPERVISOR, agency_a, "boss")
    boss.email = "boss@example.org"
    boss.save()
    worker = make_persona(Role.CASE_WORKER, agency_a, "worker")
    case = CaseFactory(lead_agency=agency_a, case_worker=worker, phase=Phase.REINTEGRATION)
    survivor: Survivor = case.survivor
    assert (survivor.name_ar, survivor.name_latin, survivor.phone) == (NAME_AR, NAME_LATIN, PHONE)
    SurvivorDocumentFactory(survivor=survivor, number=DOCUMENT)
    give_consent(survivor, worker, recipient=partner)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        referral_actions.create_referral(
            case=case,
            to_agency=partner,
            service_type=service("medical"),
            shared_fields=["full_name", "phone"],
            by=worker,
        )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        request_closure(case=case, by=worker, reason=ClosureReason.REINTEGRATED)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "boss@example.org",
        "partner@example.org",
    ]
    texts = [f"{message.subject}\n{message.body}" for message in mail.outbox]
    for notification in Notification.objects.all():
        texts.append(str(notification.params))
        event = next(e for e in registered_events() if e.code == notification.event)
        texts.extend(
            rules.render(event, notification.params, language)[1] for language in ["ar", "en"]
        )
    assert len(texts) == 2 + 2 * 3
    for text in texts:
        for detail in IDENTITY:
            assert detail not in text
