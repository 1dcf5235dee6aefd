"""Every answer carries the browser's protections, whoever asks and whatever the status.

Over every page and API address that takes no parameter, asked by a signed-in case worker,
by the administrator and by an anonymous visitor: the Content-Security-Policy (scripts and
styles from Himaya only, never framed), the older frame and type headers, the referrer and
opener policies, and, for a signed-in user, no copy kept by a browser or proxy. HSTS on
HTTPS with the production values, and the flags of the cookies set at sign-in.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Role

pytestmark = pytest.mark.django_db

NO_STORE = "no-store, private"
# Addresses whose GET would end the session or start a long job: asked last, or not at all.
SKIPPED = {"/accounts/logout/"}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        route = str(entry.pattern)
        if "<" in route or route.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


def addresses() -> list[str]:
    """Every address of Himaya without a parameter (pages, API lists, the schema)."""
    return sorted({path for path in _walk(get_resolver().url_patterns)} - SKIPPED)


def directives(header: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def missing_protections(response: Any, *, signed_in: bool) -> list[str]:
    """What this answer lacks (nothing: an empty list)."""
    wrong = []
    policy = directives(response.get("Content-Security-Policy", ""))
    expected = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    for name, sources in expected.items():
        if policy.get(name) != sources:
            wrong.append(f"CSP {name} is {policy.get(name)}")
    headers = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if signed_in:
        headers["Cache-Control"] = NO_STORE
    for name, value in headers.items():
        if response.get(name) != value:
            wrong.append(f"{name} is {response.get(name)!r}")
    return wrong


@pytest.fixture
def signed_in_as(
    make_persona: Callable[..., User], login: Callable[[User], Client], agency_a: Any
) -> Callable[[str], Client]:
    def sign_in(role: str) -> Client:
        return login(make_persona(role, agency_a if role == Role.CASE_WORKER else None))

    return sign_in


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.ADMINISTRATOR])
def test_every_address_answers_a_signed_in_user_with_every_protection(
    signed_in_as: Callable[[str], Client], role: str
) -> None:
    client = signed_in_as(role)
    found = {}
    for path in addresses():
        response = client.get(path)
        wrong = missing_protections(response, signed_in=True)
        if wrong:
            found[f"{path} ({response.status_code})"] = wrong
    assert found == {}


def test_every_address_answers_an_anonymous_visitor_with_every_protection(client: Client) -> None:
    found = {}
    for path in addresses():
        response = client.get(path)
        wrong = missing_protections(response, signed_in=False)
        if wrong:
            found[f"{path} ({response.status_code})"] = wrong
    assert found == {}


def test_the_walk_reaches_the_pages_with_personal_data_and_the_api() -> None:
    walked = addresses()
    for path in ("/", "/cases/", "/survivors/", "/fund/", "/cases/api/cases/", "/api/schema/"):
        assert path in walked


def test_https_answers_carry_hsts_for_a_year_with_subdomains_and_preload(
    settings: LazySettings, client: Client
) -> None:
    # The production values (core/tests/test_settings.py proves production sets them).
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    secure = client.get("/accounts/login/", secure=True)
    plain = client.get("/accounts/login/")

    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Strict-Transport-Security" not in plain


def test_the_cookies_set_at_sign_in_are_out_of_reach_of_scripts_and_other_sites(
    client: Client, case_worker: User
) -> None:
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "case_worker_a", "password": PASSWORD})
    assert response.status_code == 302

    session = response.cookies["sessionid"]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert session["max-age"] == ""  # ends with the browser
    csrf = client.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"


def test_production_marks_every_cookie_secure() -> None:
    from himaya.core.tests.test_settings import _production, _run

    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_SAMESITE, s.LANGUAGE_COOKIE_SECURE, "
        "s.LANGUAGE_COOKIE_SAMESITE)"
    )
    result = _run(["-c", code], _production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "Lax", "True", "Lax", "True", "Lax"]
