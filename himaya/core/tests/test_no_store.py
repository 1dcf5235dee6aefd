"""No browser or proxy keeps a copy of personal data; the API schema is for signed-in users."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from himaya.core.middleware import NoStoreMiddleware

pytestmark = pytest.mark.django_db

NO_STORE = "no-store, private"


def test_a_page_for_a_signed_in_user_is_never_stored(login, case_worker) -> None:
    response = login(case_worker).get("/")
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_an_api_answer_is_never_stored(login, case_worker) -> None:
    response = login(case_worker).get("/cases/api/cases/")
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_an_api_refusal_to_an_anonymous_caller_is_never_stored(client: Client) -> None:
    response = client.get("/cases/api/cases/")
    assert response.status_code == 403
    assert response["Cache-Control"] == NO_STORE


def test_the_schema_is_refused_to_an_anonymous_visitor(client: Client) -> None:
    response = client.get("/api/schema/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert b"openapi" not in response.content
    assert b"/cases/api/" not in response.content
    assert response["Cache-Control"] == NO_STORE


def test_the_schema_is_served_to_a_signed_in_user_and_never_stored(login, case_worker) -> None:
    response = login(case_worker).get("/api/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: ")
    assert b"/cases/api/cases/" in response.content
    assert response["Cache-Control"] == NO_STORE


def _answer_with_cache(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("body")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def test_the_view_s_own_caching_is_replaced_for_a_signed_in_user(case_worker) -> None:
    request = RequestFactory().get("/cases/")
    request.user = case_worker
    assert NoStoreMiddleware(_answer_with_cache)(request)["Cache-Control"] == NO_STORE


def test_a_static_file_keeps_its_own_caching(case_worker) -> None:
    request = RequestFactory().get("/static/core/himaya.css")
    request.user = case_worker
    response = NoStoreMiddleware(_answer_with_cache)(request)
    assert response["Cache-Control"] == "public, max-age=3600"


def test_a_public_page_for_an_anonymous_visitor_keeps_its_own_caching() -> None:
    request = RequestFactory().get("/accounts/login/")
    request.user = AnonymousUser()
    response = NoStoreMiddleware(_answer_with_cache)(request)
    assert response["Cache-Control"] == "public, max-age=3600"
