"""Every role × every page and API endpoint of the survivors app → expected status.

Denied writes change nothing: the counts of records, the versions and the survivors'
part of the audit trail are the same before and after.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.survivors.models import Consent, PossibleDuplicate, Survivor, SurvivorDocument
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

CASE_ROLES = {"case_worker", "supervisor"}
ALL_PERSONAS = [role.value for role in Role] + ["outsider"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: Callable[[Any], str]
    data: Callable[[Any, Any], dict[str, Any]] | None
    allowed_status: int
    scoped: bool  # True: only the survivor's scope (agency A); False: any case role
    api: bool = False
    supervisors: bool = False  # only supervisors (of agency A when scoped)


def _register_data(world: Any, user: Any) -> dict[str, Any]:
    membership = user.memberships.first()
    return {
        "agency": membership.agency_id,
        "name_ar": "سلمى يوسف",
        "sex": "female",
        "birth_year": "2004",
        "nationality": "SD",
    }


def _edit_data(world: Any, user: Any) -> dict[str, Any]:
    return {
        "version": "1",
        "name_ar": "فاطمة أحمد علي",
        "name_latin": "Fatma Ahmed Ali",
        "sex": "female",
        "birth_year": "1998",
        "nationality": "EG",
    }


def _code(world: Any) -> str:
    return world.registered_by_a.code


@pytest.fixture(autouse=True)
def review(world: Any) -> PossibleDuplicate:
    """A possible duplicate between two survivors of agency A's scope."""
    return PossibleDuplicate.objects.create(
        survivor=world.registered_by_a,
        matched=world.case_of_a,
        found_by=world.registered_by_a.registered_by,
        reason="name_year",
    )


def _review_url(world: Any) -> str:
    return reverse("survivors:decide_review", args=[PossibleDuplicate.objects.get().pk])


ENDPOINTS = [
    Endpoint("list", "get", lambda w: reverse("survivors:list"), None, 200, False),
    Endpoint(
        "search", "get", lambda w: reverse("survivors:list") + "?q=Fatma+Ahmed+Ali", None,
        200, False,
    ),
    Endpoint("register form", "get", lambda w: reverse("survivors:register"), None, 200, False),
    Endpoint(
        "register", "post", lambda w: reverse("survivors:register"), _register_data, 302, False
    ),
    Endpoint(
        "detail", "get", lambda w: reverse("survivors:detail", args=[_code(w)]), None, 200, True
    ),
    Endpoint(
        "reveal", "post", lambda w: reverse("survivors:reveal", args=[_code(w)]),
        lambda w, u: {"purpose": "care"}, 200, True,
    ),
    Endpoint(
        "edit form", "get", lambda w: reverse("survivors:edit", args=[_code(w)]), None, 200, True
    ),
    Endpoint(
        "edit", "post", lambda w: reverse("survivors:edit", args=[_code(w)]), _edit_data, 302,
        True,
    ),
    Endpoint(
        "add document", "post", lambda w: reverse("survivors:add_document", args=[_code(w)]),
        lambda w, u: {"kind": "passport", "number": "Z9988776", "issuing_country": "SD"},
        302, True,
    ),
    Endpoint(
        "record consent", "post",
        lambda w: reverse("survivors:record_consent", args=[_code(w)]),
        lambda w, u: {"purpose": "statistics", "given_on": "2026-01-02"}, 302, True,
    ),
    Endpoint(
        "withdraw consent", "post",
        lambda w: reverse("survivors:withdraw_consent", args=[_code(w), w.consent.pk]),
        lambda w, u: {"version": "1"}, 302, True,
    ),
    Endpoint(
        "case panel", "get", lambda w: reverse("survivors:case_panel", args=[w.case.code]),
        None, 200, True,
    ),
    Endpoint(
        "review queue", "get", lambda w: reverse("survivors:reviews"), None, 200, False,
        supervisors=True,
    ),
    Endpoint(
        "decide review", "post", _review_url, lambda w, u: {"status": "distinct", "version": "1"},
        302, True, supervisors=True,
    ),
    Endpoint(
        "api reviews", "get", lambda w: reverse("survivors:api_reviews"), None, 200, False, True,
        supervisors=True,
    ),
    Endpoint("api list", "get", lambda w: reverse("survivors:api_list"), None, 200, False, True),
    Endpoint(
        "api create", "post", lambda w: reverse("survivors:api_create"),
        lambda w, u: {"name_latin": "Amal Osman", "birth_year": 2003, "nationality": "SD"},
        201, False, True,
    ),
    Endpoint(
        "api detail", "get", lambda w: reverse("survivors:api_detail", args=[_code(w)]), None,
        200, True, True,
    ),
    Endpoint(
        "api identity", "get",
        lambda w: reverse("survivors:api_detail", args=[_code(w)]) + "?purpose=safety", None,
        200, True, True,
    ),
    Endpoint(
        "api consents", "get", lambda w: reverse("survivors:api_consents", args=[_code(w)]),
        None, 200, True, True,
    ),
    Endpoint(
        "api consent create", "post",
        lambda w: reverse("survivors:api_consent_create", args=[_code(w)]),
        lambda w, u: {"purpose": "statistics"}, 201, True, True,
    ),
    Endpoint(
        "api consent withdraw", "post",
        lambda w: reverse("survivors:api_consent_withdraw", args=[_code(w), w.consent.pk]),
        lambda w, u: {"version": 1}, 200, True, True,
    ),
]  # fmt: skip


def expected_status(endpoint: Endpoint, persona: str) -> int:
    if endpoint.supervisors:
        return endpoint.allowed_status if persona == "supervisor" else 403
    if endpoint.scoped:
        return endpoint.allowed_status if persona in CASE_ROLES else 404
    if persona in CASE_ROLES or persona == "outsider":
        return endpoint.allowed_status
    return 403


def snapshot(world: Any) -> dict[str, Any]:
    return {
        "survivors": Survivor.objects.count(),
        "documents": SurvivorDocument.objects.count(),
        "consents": Consent.objects.count(),
        "versions": sorted(Survivor.objects.values_list("code", "version")),
        "withdrawn": sorted(Consent.objects.values_list("pk", "withdrawn_on", "version")),
        "reviews": sorted(PossibleDuplicate.objects.values_list("pk", "status", "version")),
        "survivor events": AuditEvent.objects.filter(action__startswith="survivor.").count(),
        "case events": CaseEvent.objects.count(),
    }


def call(client: Any, endpoint: Endpoint, world: Any, user: Any) -> Any:
    data = endpoint.data(world, user) if endpoint.data else None
    kwargs: dict[str, Any] = {}
    if endpoint.api and data is not None:
        kwargs["content_type"] = "application/json"
    send = getattr(client, endpoint.method)
    return (
        send(endpoint.url(world), data, **kwargs) if data is not None else send(endpoint.url(world))
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_access_matrix(login, personas, world, persona, endpoint) -> None:
    user = personas[persona]
    client = login(user)
    before = snapshot(world)
    response = call(client, endpoint, world, user)
    expected = expected_status(endpoint, persona)
    assert response.status_code == expected, response.content[:500]
    if expected >= 400 and endpoint.method == "post":
        assert snapshot(world) == before
    if expected >= 400:
        body = response.content.decode()
        assert "فاطمة" not in body and "Fatma" not in body


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_signed_out_visitors_reach_nothing(client, world, endpoint) -> None:
    before = snapshot(world)
    response = (
        call(client, endpoint, world, None)
        if endpoint.data is None
        else getattr(client, endpoint.method)(endpoint.url(world), {})
    )
    assert response.status_code == (403 if endpoint.api else 302)
    assert snapshot(world) == before


def test_system_administrator_is_refused_survivor_data_everywhere(login, personas, world) -> None:
    admin = personas["administrator"]
    client = login(admin)
    for endpoint in ENDPOINTS:
        response = call(client, endpoint, world, admin)
        assert response.status_code in {403, 404}, endpoint.name
        body = response.content.decode()
        assert world.registered_by_a.code not in body or endpoint.scoped
        assert "فاطمة" not in body and "Fatma" not in body
    assert not AuditEvent.objects.filter(action="survivor.identity_viewed").exists()
    assert Survivor.objects.count() == 4
