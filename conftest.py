"""Personas shared by every app's tests.

Agency A (Cairo directorate) has a case worker and a supervisor; agency B (Alexandria
directorate) has the outsider case worker. Each other role has one user in a fitting
agency. ``persona(role)`` makes any other combination.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from himaya.accounts.models import User
from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.models import Agency, AgencyKind, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory, governorate


@pytest.fixture
def agency_a(db: None) -> Agency:
    return AgencyFactory(name_en="Agency A", name_ar="الجهة أ", governorate=governorate("EG-C"))


@pytest.fixture
def agency_b(db: None) -> Agency:
    return AgencyFactory(name_en="Agency B", name_ar="الجهة ب", governorate=governorate("EG-ALX"))


@pytest.fixture
def make_persona(db: None) -> Callable[..., User]:
    def make(role: str, agency: Agency | None = None, username: str | None = None) -> User:
        kind = {
            Role.SHELTER_STAFF: AgencyKind.SHELTER,
            Role.PARTNER_STAFF: AgencyKind.POLICE,
            Role.OPERATOR: AgencyKind.COMMAND_CENTRE,
            Role.ANALYST: AgencyKind.COMMITTEE,
        }.get(Role(role), AgencyKind.MINISTRY)
        agency = agency or AgencyFactory(kind=kind)
        user = UserFactory(username=username or f"{role}-{agency.pk}")
        Membership.objects.create(user=user, agency=agency, role=role)
        return user

    return make


@pytest.fixture
def case_worker(make_persona: Callable[..., User], agency_a: Agency) -> User:
    return make_persona(Role.CASE_WORKER, agency_a, "case_worker_a")


@pytest.fixture
def supervisor(make_persona: Callable[..., User], agency_a: Agency) -> User:
    return make_persona(Role.SUPERVISOR, agency_a, "supervisor_a")


@pytest.fixture
def outsider(make_persona: Callable[..., User], agency_b: Agency) -> User:
    return make_persona(Role.CASE_WORKER, agency_b, "case_worker_b")


@pytest.fixture
def personas(
    make_persona: Callable[..., User], agency_a: Agency, agency_b: Agency
) -> dict[str, User]:
    """One user per role, keyed by role value, plus ``outsider`` (case worker of agency B)."""
    users = {
        role.value: make_persona(
            role, agency_a if role in {Role.CASE_WORKER, Role.SUPERVISOR} else None
        )
        for role in Role
    }
    users["outsider"] = make_persona(Role.CASE_WORKER, agency_b, "outsider_b")
    return users


@pytest.fixture
def login(client: Client) -> Callable[[User], Client]:
    """Sign a user in on the test client, second factor already verified."""

    def sign_in(user: User) -> Client:
        client.force_login(user)
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    return sign_in


@pytest.fixture
def login_english(login: Callable[[User], Client], settings: Any) -> Callable[[User], Client]:
    """Sign a user in (``login``) reading English pages and exports."""

    def sign_in(user: User) -> Client:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in
