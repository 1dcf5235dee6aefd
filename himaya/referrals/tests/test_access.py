"""Who reaches what: every persona × every page and API endpoint → status, and every
refusal leaves the database as it was."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.referrals.models import Referral, Status
from himaya.referrals.tests.conftest import World, snapshot

pytestmark = pytest.mark.django_db

SENDERS = {Role.CASE_WORKER.value, Role.SUPERVISOR.value}
PARTNER = {Role.PARTNER_STAFF.value}
RECEIVE = {*SENDERS, *PARTNER, Role.SHELTER_STAFF.value, "outsider"}
WORK_CASES = {*SENDERS, "outsider"}
PERSONAS = [role.value for role in Role] + ["outsider", "anonymous"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    call: Callable[[Client, World, Referral], Any]
    expect: Callable[[str], int]
    writes: bool = False
    status_before: str = Status.SENT


def page(allowed: set[str], ok: int = 200, *, scoped: bool = False) -> Callable[[str], int]:
    """Pages: anonymous → login redirect; without the capability → 403; a record out of
    scope → 404."""

    def expect(persona: str) -> int:
        if persona == "anonymous":
            return 302
        return ok if persona in allowed else (404 if scoped else 403)

    return expect


def api(allowed: set[str], ok: int = 200, *, scoped: bool = False) -> Callable[[str], int]:
    def expect(persona: str) -> int:
        if persona == "anonymous":
            return 403
        return ok if persona in allowed else (404 if scoped else 403)

    return expect


def scoped_record(visible: set[str], actor: set[str], ok: int, anon: int) -> Callable[[str], int]:
    """A referral: 404 for those who cannot see it, 403 for those who see it but may not
    act on it (the other side), ``ok`` for the side that acts."""

    def expect(persona: str) -> int:
        if persona == "anonymous":
            return anon
        if persona in actor:
            return ok
        return 403 if persona in visible else 404

    return expect


def create_expect(ok: int, anon: int) -> Callable[[str], int]:
    def expect(persona: str) -> int:
        if persona == "anonymous":
            return anon
        if persona in SENDERS:
            return ok
        return 404 if persona == "outsider" else 403

    return expect


VISIBLE = SENDERS | PARTNER


def _create_payload(world: World) -> dict[str, Any]:
    return {
        "to_agency": world.partner.code,
        "service_type": "legal_aid",
        "shared_fields": ["first_name", "languages"],
    }


ENDPOINTS = [
    Endpoint("inbox", lambda c, w, r: c.get(reverse("referrals:inbox")), page(RECEIVE)),
    Endpoint("sent", lambda c, w, r: c.get(reverse("referrals:sent")), page(WORK_CASES)),
    Endpoint(
        "queue_overdue",
        lambda c, w, r: c.get(reverse("referrals:queue_overdue")),
        page(WORK_CASES),
    ),
    Endpoint(
        "create_form",
        lambda c, w, r: c.get(reverse("referrals:create"), {"case": w.case.code}),
        create_expect(200, 302),
    ),
    Endpoint(
        "create",
        lambda c, w, r: c.post(
            f"{reverse('referrals:create')}?case={w.case.code}", _create_payload(w)
        ),
        create_expect(302, 302),
        writes=True,
    ),
    Endpoint(
        "detail",
        lambda c, w, r: c.get(reverse("referrals:detail", args=[r.code])),
        page(VISIBLE, scoped=True),
    ),
    Endpoint(
        "case_panel",
        lambda c, w, r: c.get(reverse("referrals:case_panel", args=[w.case.code])),
        page(SENDERS, scoped=True),
    ),
    Endpoint(
        "accept",
        lambda c, w, r: c.post(reverse("referrals:accept", args=[r.code]), {"version": 1}),
        scoped_record(VISIBLE, PARTNER, 302, 302),
        writes=True,
    ),
    Endpoint(
        "decline",
        lambda c, w, r: c.post(
            reverse("referrals:decline", args=[r.code]), {"version": 1, "reason": "Full"}
        ),
        scoped_record(VISIBLE, PARTNER, 302, 302),
        writes=True,
    ),
    Endpoint(
        "complete",
        lambda c, w, r: c.post(
            reverse("referrals:complete", args=[r.code]), {"version": 1, "outcome": "Done"}
        ),
        scoped_record(VISIBLE, PARTNER, 302, 302),
        writes=True,
        status_before=Status.ACCEPTED,
    ),
    Endpoint(
        "cancel",
        lambda c, w, r: c.post(reverse("referrals:cancel", args=[r.code]), {"version": 1}),
        scoped_record(VISIBLE, SENDERS, 302, 302),
        writes=True,
    ),
    Endpoint(
        "api_incoming",
        lambda c, w, r: c.get(reverse("referrals:api_list"), {"box": "incoming"}),
        api(RECEIVE),
    ),
    Endpoint(
        "api_outgoing",
        lambda c, w, r: c.get(reverse("referrals:api_list"), {"box": "outgoing"}),
        api(WORK_CASES),
    ),
    Endpoint(
        "api_detail",
        lambda c, w, r: c.get(reverse("referrals:api_detail", args=[r.code])),
        api(VISIBLE, scoped=True),
    ),
    Endpoint(
        "api_create",
        lambda c, w, r: c.post(
            reverse("referrals:api_create"),
            {**_create_payload(w), "case": w.case.code},
            content_type="application/json",
        ),
        create_expect(201, 403),
        writes=True,
    ),
    Endpoint(
        "api_accept",
        lambda c, w, r: c.post(
            reverse("referrals:api_accept", args=[r.code]),
            {"version": 1},
            content_type="application/json",
        ),
        scoped_record(VISIBLE, PARTNER, 200, 403),
        writes=True,
    ),
    Endpoint(
        "api_decline",
        lambda c, w, r: c.post(
            reverse("referrals:api_decline", args=[r.code]),
            {"version": 1, "reason": "Full"},
            content_type="application/json",
        ),
        scoped_record(VISIBLE, PARTNER, 200, 403),
        writes=True,
    ),
    Endpoint(
        "api_complete",
        lambda c, w, r: c.post(
            reverse("referrals:api_complete", args=[r.code]),
            {"version": 1, "outcome": "Done"},
            content_type="application/json",
        ),
        scoped_record(VISIBLE, PARTNER, 200, 403),
        writes=True,
        status_before=Status.ACCEPTED,
    ),
    Endpoint(
        "api_cancel",
        lambda c, w, r: c.post(
            reverse("referrals:api_cancel", args=[r.code]),
            {"version": 1},
            content_type="application/json",
        ),
        scoped_record(VISIBLE, SENDERS, 200, 403),
        writes=True,
    ),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(
    persona: str,
    endpoint: Endpoint,
    world: World,
    personas: dict[str, User],
    make_referral: Callable[..., Referral],
    login: Callable[[User], Client],
    client: Client,
) -> None:
    extra: dict[str, Any] = {}
    if endpoint.status_before == Status.ACCEPTED:
        extra = {
            "answered_at": timezone.now(),
            "answered_by": world.partner_staff,
        }
    referral = make_referral(status=endpoint.status_before, **extra)
    if persona != "anonymous":
        client = login(personas[persona])
    before = snapshot()

    response = endpoint.call(client, world, referral)

    expected = endpoint.expect(persona)
    assert response.status_code == expected, (persona, endpoint.name)
    if expected >= 300 and not (expected == 302 and persona in SENDERS | PARTNER):
        assert snapshot() == before
    if endpoint.writes and expected in {200, 201, 302} and persona in SENDERS | PARTNER:
        assert snapshot() != before
