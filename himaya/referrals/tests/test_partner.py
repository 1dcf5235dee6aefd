"""The partner agency's staff before, during and after a referral, on every page and
endpoint; and what their reading leaves in the audit trail."""

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.audit.models import AuditEvent
from himaya.referrals import actions
from himaya.referrals.models import Referral, Status
from himaya.referrals.tests.conftest import World, snapshot
from himaya.referrals.tests.factories import PartnerAgencyFactory
from himaya.referrals.tests.test_access import ENDPOINTS, Endpoint
from himaya.survivors.models import Consent

pytestmark = pytest.mark.django_db

FIRST_NAME = "فاطمة"
FULL_NAME = "فاطمة أحمد حسن"
LATIN = "Fatma"
PHONE = "+20 100 555 0101"
ADDRESS = "شارع النيل"
PERSONAL = [FIRST_NAME, FULL_NAME, LATIN, PHONE, ADDRESS, "Hassan"]


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def _no_personal_data(text: str) -> None:
    for value in PERSONAL:
        assert value not in text, value


@pytest.fixture
def partner(world: World, login: Callable[..., Client]) -> Client:
    return login(world.partner_staff)


def test_before_any_referral_the_partner_reaches_nothing_of_the_case(
    world: World, partner: Client, make_referral: Callable[..., Referral]
) -> None:
    elsewhere = make_referral(to_agency=PartnerAgencyFactory())
    before = snapshot()

    for url in [
        reverse("referrals:detail", args=[elsewhere.code]),
        reverse("referrals:api_detail", args=[elsewhere.code]),
        reverse("referrals:case_panel", args=[world.case.code]),
    ]:
        assert partner.get(url).status_code == 404, url
    for name in ["accept", "decline", "complete", "cancel"]:
        response = partner.post(
            reverse(f"referrals:{name}", args=[elsewhere.code]),
            {"version": 1, "reason": "x", "outcome": "x"},
        )
        assert response.status_code == 404, name
        response = partner.post(
            reverse(f"referrals:api_{name}", args=[elsewhere.code]),
            {"version": 1, "reason": "x", "outcome": "x"},
            content_type="application/json",
        )
        assert response.status_code == 404, name
    assert partner.get(reverse("referrals:create"), {"case": world.case.code}).status_code == 403
    inbox = partner.get(reverse("referrals:inbox"))
    assert inbox.status_code == 200
    assert elsewhere.code not in _text(inbox)
    assert world.case.code not in _text(inbox)
    api = partner.get(reverse("referrals:api_list"), {"box": "incoming"})
    assert api.json()["count"] == 0
    assert snapshot() == before


def test_during_the_referral_the_partner_sees_exactly_the_shared_fields(
    world: World, partner: Client
) -> None:
    referral = actions.create_referral(
        case=world.case,
        to_agency=world.partner,
        service_type=Referral._meta.get_field("service_type").related_model.objects.get(  # type: ignore[union-attr]
            code="medical"
        ),
        shared_fields=["first_name", "phone"],
        by=world.case_worker,
    )

    page = _text(partner.get(reverse("referrals:detail", args=[referral.code])))
    assert f'data-field="first_name">{FIRST_NAME}<' in page
    assert f'data-field="phone">{PHONE}<' in page
    assert FULL_NAME not in page
    assert LATIN not in page
    assert ADDRESS not in page
    assert "2001" not in page
    assert 'data-field="sex"' not in page

    body = partner.get(reverse("referrals:api_detail", args=[referral.code])).json()
    assert [(s["field"], s["value"]) for s in body["shared"]] == [
        ("first_name", FIRST_NAME),
        ("phone", PHONE),
    ]
    assert body["consent_withdrawn"] is False

    inbox = _text(partner.get(reverse("referrals:inbox")))
    assert referral.code in inbox
    _no_personal_data(inbox)
    listed = partner.get(reverse("referrals:api_list"), {"box": "incoming"}).json()
    assert [r["code"] for r in listed["results"]] == [referral.code]
    _no_personal_data(json.dumps(listed, ensure_ascii=False))
    assert partner.get(reverse("referrals:case_panel", args=[world.case.code])).status_code == 404


def test_the_partners_view_is_audited_with_purpose_referral_and_no_personal_data(
    world: World, partner: Client, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(shared_fields=["full_name", "phone"])
    before = AuditEvent.objects.count()

    partner.get(reverse("referrals:detail", args=[referral.code]))

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert event.action == "referral.shared_fields_viewed"
    assert event.purpose == "referral"
    assert event.actor == world.partner_staff
    assert event.object_code == referral.code
    assert event.details == {"case": world.case.code, "fields": ["full_name", "phone"]}
    _no_personal_data(
        json.dumps([event.details, event.object_code, event.actor_username], ensure_ascii=False)
    )


def test_after_completion_the_partner_sees_the_record_without_personal_fields(
    world: World, partner: Client, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(
        status=Status.COMPLETED,
        shared_fields=["full_name", "phone"],
        answered_at=timezone.now(),
        answered_by=world.partner_staff,
        completed_at=timezone.now(),
        completed_by=world.partner_staff,
        outcome_note="Medical check done",
    )
    audit_before = AuditEvent.objects.count()

    response = partner.get(reverse("referrals:detail", args=[referral.code]))
    assert response.status_code == 200
    page = _text(response)
    assert referral.code in page
    assert "Medical check done" in page
    assert 'data-testid="sharing-ended"' in page
    _no_personal_data(page)

    body = partner.get(reverse("referrals:api_detail", args=[referral.code])).json()
    assert body["shared"] is None
    assert body["status"] == "completed"
    _no_personal_data(json.dumps(body, ensure_ascii=False))
    assert AuditEvent.objects.count() == audit_before

    before = snapshot()
    assert (
        partner.post(reverse("referrals:accept", args=[referral.code]), {"version": 1}).status_code
        == 302
    )
    api = partner.post(
        reverse("referrals:api_accept", args=[referral.code]),
        {"version": 1},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert snapshot() == before
    assert partner.get(reverse("referrals:case_panel", args=[world.case.code])).status_code == 404


def test_withdrawn_consent_hides_the_shared_fields_from_the_partner(
    world: World, partner: Client, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(shared_fields=["full_name", "phone"])
    Consent.objects.filter(survivor=world.case.survivor).update(withdrawn_on=timezone.localdate())
    audit_before = AuditEvent.objects.count()

    page = _text(partner.get(reverse("referrals:detail", args=[referral.code])))
    assert 'data-testid="consent-withdrawn"' in page
    _no_personal_data(page)
    body = partner.get(reverse("referrals:api_detail", args=[referral.code])).json()
    assert body["shared"] is None
    assert body["consent_withdrawn"] is True
    assert AuditEvent.objects.count() == audit_before


def test_the_sender_sees_that_consent_was_withdrawn(
    world: World, login: Callable[..., Client], make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral()
    Consent.objects.filter(survivor=world.case.survivor).update(withdrawn_on=timezone.localdate())
    page = _text(login(world.case_worker).get(reverse("referrals:detail", args=[referral.code])))
    assert 'data-testid="consent-withdrawn"' in page


# --- the partner × every page and endpoint, before, during and after ------------------

BEFORE = {
    "inbox": 200,
    "sent": 403,
    "queue_overdue": 403,
    "create_form": 403,
    "create": 403,
    "detail": 404,
    "case_panel": 404,
    "accept": 404,
    "decline": 404,
    "complete": 404,
    "cancel": 404,
    "api_incoming": 200,
    "api_outgoing": 403,
    "api_detail": 404,
    "api_create": 403,
    "api_accept": 404,
    "api_decline": 404,
    "api_complete": 404,
    "api_cancel": 404,
}
DURING = {
    **BEFORE,
    "detail": 200,
    "accept": 302,
    "decline": 302,
    "complete": 302,
    "cancel": 403,
    "api_detail": 200,
    "api_accept": 200,
    "api_decline": 200,
    "api_complete": 200,
    "api_cancel": 403,
}
# After completion the record stays readable, every answer is refused by its state.
AFTER = {
    **DURING,
    "api_accept": 400,
    "api_decline": 400,
    "api_complete": 400,
}
PHASES = {"before": BEFORE, "during": DURING, "after": AFTER}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
@pytest.mark.parametrize("phase", list(PHASES))
def test_partner_before_during_and_after_a_referral(
    phase: str,
    endpoint: Endpoint,
    world: World,
    partner: Client,
    make_referral: Callable[..., Referral],
) -> None:
    if phase == "before":
        referral = make_referral(to_agency=PartnerAgencyFactory())
    elif phase == "during":
        accepted = endpoint.status_before == Status.ACCEPTED
        referral = make_referral(
            status=endpoint.status_before,
            shared_fields=["first_name", "phone"],
            answered_at=timezone.now() if accepted else None,
            answered_by=world.partner_staff if accepted else None,
        )
    else:
        referral = make_referral(
            status=Status.COMPLETED,
            shared_fields=["first_name", "phone"],
            answered_at=timezone.now(),
            answered_by=world.partner_staff,
            completed_at=timezone.now(),
            completed_by=world.partner_staff,
            outcome_note="Service delivered",
        )
    before = snapshot()

    response = endpoint.call(partner, world, referral)

    expected = PHASES[phase][endpoint.name]
    assert response.status_code == expected
    changed = snapshot() != before
    reads_shared = phase == "during" and endpoint.name in {"detail", "api_detail"}
    writes = phase == "during" and expected in {200, 302} and endpoint.writes
    assert changed == (reads_shared or writes)
    if response.status_code == 200 and not reads_shared and not writes:
        _no_personal_data(_text(response))
    if reads_shared:
        text = _text(response)
        assert FIRST_NAME in text
        assert PHONE in text
        assert FULL_NAME not in text
        assert ADDRESS not in text
        assert (
            AuditEvent.objects.filter(
                action="referral.shared_fields_viewed",
                purpose="referral",
                object_code=referral.code,
            ).count()
            == 1
        )
