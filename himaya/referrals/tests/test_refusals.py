"""Rules of referrals refused alike through the page and the API, with nothing changed;
the API answers problem details; the overdue filter is one filter for both."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.tests.factories import AgencyFactory
from himaya.referrals.models import Referral
from himaya.referrals.tests.conftest import World, snapshot

pytestmark = pytest.mark.django_db

NO_CONSENT = (
    "The survivor's consent to share with this agency is not on file. "
    "Record the consent first, or ask a supervisor to override with a reason."
)
ONLY_SUPERVISOR = "Only a supervisor of the referring agency may override a missing consent."


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def assert_problem(response: Any, status: int, detail: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert (body["status"], body["detail"]) == (status, detail)
    return body


def test_a_case_worker_overrides_no_missing_consent_through_the_page(
    world: World, login: Callable[[User], Client]
) -> None:
    """The page offers no override to a case worker, and ignores one posted anyway."""
    other = AgencyFactory()
    client = english(login(world.case_worker))
    before = snapshot()
    form = client.get(f"{reverse('referrals:create')}?case={world.case.code}")
    assert form.context["can_override"] is False
    response = client.post(
        f"{reverse('referrals:create')}?case={world.case.code}",
        {
            "to_agency": other.code,
            "service_type": "medical",
            "shared_fields": ["first_name"],
            "override_reason": "Urgent care",
        },
    )
    assert response.status_code == 200
    assert NO_CONSENT in response.content.decode().replace("&#x27;", "'")
    assert snapshot() == before


def test_a_case_worker_overrides_no_missing_consent_through_the_api(
    world: World, login: Callable[[User], Client]
) -> None:
    other = AgencyFactory()
    client = english(login(world.case_worker))
    before = snapshot()
    response = client.post(
        reverse("referrals:api_create"),
        {
            "case": world.case.code,
            "to_agency": other.code,
            "service_type": "medical",
            "shared_fields": ["first_name"],
            "override_reason": "Urgent care",
        },
        content_type="application/json",
    )
    body = assert_problem(response, 400, ONLY_SUPERVISOR)
    assert body["errors"] == {"override_reason": [ONLY_SUPERVISOR]}
    assert snapshot() == before


def test_the_supervisor_may_override_on_the_page(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.supervisor)
    form = client.get(f"{reverse('referrals:create')}?case={world.case.code}")
    assert form.context["can_override"] is True


def test_the_sender_accepts_nothing_through_page_or_api(
    world: World, login: Callable[[User], Client], make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral()
    client = english(login(world.case_worker))
    before = snapshot()
    page = client.post(reverse("referrals:accept", args=[referral.code]), {"version": 1})
    api = client.post(
        reverse("referrals:api_accept", args=[referral.code]),
        {"version": 1},
        content_type="application/json",
    )
    assert page.status_code == 403
    assert api.status_code == 403
    assert api["Content-Type"] == "application/problem+json"
    assert snapshot() == before


def test_a_stale_version_is_a_conflict_in_problem_details(
    world: World, login: Callable[[User], Client], make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral()
    client = login(world.partner_staff)
    before = snapshot()
    response = client.post(
        reverse("referrals:api_accept", args=[referral.code]),
        {"version": 7},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert snapshot().referrals == before.referrals


def test_the_overdue_filter_is_the_same_on_the_sent_page_and_the_api(
    world: World, login: Callable[[User], Client], make_referral: Callable[..., Referral]
) -> None:
    now = timezone.now()
    late = make_referral(sent_at=now - dt.timedelta(days=5), respond_by=now - dt.timedelta(days=3))
    make_referral(sent_at=now, respond_by=now + dt.timedelta(days=2))
    client = login(world.case_worker)
    page = client.get(reverse("referrals:sent"), {"overdue": "1"})
    api = client.get(reverse("referrals:api_list"), {"box": "outgoing", "overdue": "1"})
    assert [r.code for r in page.context["page"]] == [late.code]
    assert page.context["overdue_only"] is True
    assert [row["code"] for row in api.json()["results"]] == [late.code]
    everything = client.get(reverse("referrals:api_list"), {"box": "outgoing"})
    assert len(everything.json()["results"]) == 2
