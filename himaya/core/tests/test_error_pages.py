"""The error pages: in the layout and both languages, a way back, problem details under
an API prefix, and one 404 page for a missing record and a record out of scope."""

import json
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import include, path

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases.models import Case
from himaya.cases.tests.factories import CaseFactory
from himaya.core import views

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a fault in the system")


def _refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a tampered request")


# This module is also a URL configuration: the project's pages, plus pages that fail.
urlpatterns = [
    path("boom/", _boom),
    path("cases/api/boom/", _boom),
    path("refuse/", _refuse),
    path("cases/api/refuse/", _refuse),
    path("suspicious/", _suspicious),
    path("cases/api/suspicious/", _suspicious),
    path("", include("himaya.urls")),
]
handler400 = "himaya.core.views.bad_request"
handler403 = "himaya.core.views.permission_denied"
handler404 = "himaya.core.views.not_found"
handler500 = "himaya.core.views.server_error"

THIS_URLCONF = __name__


@pytest.fixture
def signed_in(login: Callable[[User], Client], case_worker: User) -> Client:
    return login(case_worker)


def in_english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def assert_layout(html: str, *, language: str, nav: bool) -> None:
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert 'aria-label="' in html and 'class="navbar ' in html
    assert ('data-testid="nav"' in html) is nav
    assert 'href="/" data-testid="home-link"' in html


# --- 404 ---------------------------------------------------------------------------


def test_an_unknown_page_is_not_found_in_arabic_inside_the_layout(signed_in: Client) -> None:
    response = signed_in.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_layout(html, language="ar", nav=True)
    assert 'data-status="404"' in html
    assert "هذه الصفحة غير متاحة" in html


def test_an_unknown_page_is_not_found_in_english_with_a_kind_text(signed_in: Client) -> None:
    response = in_english(signed_in).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_layout(html, language="en", nav=True)
    assert "This page is not available" in html
    assert "This page does not exist or is not open to you." in html
    assert "ask your supervisor" in html


def test_the_not_found_page_offers_the_page_the_reader_came_from(signed_in: Client) -> None:
    response = signed_in.get("/no-such-page/", HTTP_REFERER="http://testserver/cases/")
    assert 'href="http://testserver/cases/" data-testid="back-link"' in response.content.decode()


def test_the_not_found_page_offers_no_way_back_to_another_site(signed_in: Client) -> None:
    response = signed_in.get("/no-such-page/", HTTP_REFERER="https://elsewhere.example/")
    html = response.content.decode()
    assert "elsewhere.example" not in html
    assert 'data-testid="back-link"' not in html


def test_a_signed_out_reader_sees_the_not_found_page_without_the_navigation(
    client: Client,
) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_layout(response.content.decode(), language="ar", nav=False)


def test_a_case_out_of_scope_shows_exactly_the_page_of_a_missing_case(
    login: Callable[[User], Client],
    outsider: User,
    agency_a: Agency,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The security token is random on every page; fixed here so that pages can be equal.
    monkeypatch.setattr("django.middleware.csrf._get_new_csrf_string", lambda: "k" * 32)
    case = CaseFactory(lead_agency=agency_a)
    client = login(outsider)
    out_of_scope = client.get(f"/cases/{case.code}/")
    Case.objects.filter(pk=case.pk).update(code="CS-GONE-0000")
    missing = client.get(f"/cases/{case.code}/")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.content == missing.content
    assert case.code not in Case.objects.values_list("code", flat=True)


def test_an_unknown_api_address_still_answers_problem_details(signed_in: Client) -> None:
    response = signed_in.get("/cases/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert json.loads(response.content)["status"] == 404


# --- 403 ---------------------------------------------------------------------------


def test_a_page_closed_to_the_role_is_refused_in_arabic_inside_the_layout(
    login: Callable[[User], Client], personas: dict[str, User]
) -> None:
    client = login(personas["auditor"])
    response = client.get("/cases/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_layout(html, language="ar", nav=True)
    assert 'data-status="403"' in html


def test_a_page_closed_to_the_role_is_refused_in_english_with_whom_to_ask(
    login: Callable[[User], Client], personas: dict[str, User]
) -> None:
    client = in_english(login(personas["auditor"]))
    response = client.get("/cases/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_layout(html, language="en", nav=True)
    assert "Your role does not allow this page or this action." in html
    assert "ask your supervisor" in html


@pytest.mark.urls(THIS_URLCONF)
def test_a_refusal_under_an_api_prefix_answers_problem_details(signed_in: Client) -> None:
    response = signed_in.get("/cases/api/refuse/")
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert json.loads(response.content)["status"] == 403


# --- 400 ---------------------------------------------------------------------------


@pytest.mark.urls(THIS_URLCONF)
def test_a_tampered_request_is_refused_in_arabic_inside_the_layout(signed_in: Client) -> None:
    response = signed_in.get("/suspicious/")
    assert response.status_code == 400
    html = response.content.decode()
    assert_layout(html, language="ar", nav=True)
    assert 'data-status="400"' in html


@pytest.mark.urls(THIS_URLCONF)
def test_a_tampered_request_is_refused_in_english(signed_in: Client) -> None:
    response = in_english(signed_in).get("/suspicious/")
    assert response.status_code == 400
    html = response.content.decode()
    assert_layout(html, language="en", nav=True)
    assert "The request could not be read" in html


def test_a_form_with_too_many_fields_is_refused_with_the_bad_request_page(
    signed_in: Client,
) -> None:
    fields = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = in_english(signed_in).post("/cases/open/", fields)
    assert response.status_code == 400
    assert "The request could not be read" in response.content.decode()


def test_a_request_for_an_unknown_host_is_refused_without_the_navigation(
    signed_in: Client,
) -> None:
    response = signed_in.get("/", HTTP_HOST="elsewhere.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert_layout(html, language="ar", nav=False)
    assert 'data-status="400"' in html


@pytest.mark.urls(THIS_URLCONF)
def test_a_tampered_api_request_answers_problem_details(signed_in: Client) -> None:
    response = signed_in.get("/cases/api/suspicious/")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


# --- 500 ---------------------------------------------------------------------------


@pytest.mark.urls(THIS_URLCONF)
def test_a_fault_shows_the_server_error_page_in_arabic(signed_in: Client) -> None:
    signed_in.raise_request_exception = False
    response = signed_in.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert 'data-status="500"' in html
    assert 'href="/" data-testid="home-link"' in html


@pytest.mark.urls(THIS_URLCONF)
def test_a_fault_shows_the_server_error_page_in_english(signed_in: Client) -> None:
    signed_in.raise_request_exception = False
    response = in_english(signed_in).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Something went wrong on our side" in html
    assert "not because of anything you did" in html


@pytest.mark.urls(THIS_URLCONF)
def test_a_fault_under_an_api_prefix_answers_problem_details(signed_in: Client) -> None:
    signed_in.raise_request_exception = False
    response = signed_in.get("/cases/api/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert json.loads(response.content)["status"] == 500


def test_the_server_error_page_needs_no_database_query(
    django_assert_num_queries: Callable[..., object],
) -> None:
    request = RequestFactory().get("/boom/")
    with django_assert_num_queries(0):  # type: ignore[attr-defined]
        response = views.server_error(request)
    assert response.status_code == 500
    assert 'data-status="500"' in response.content.decode()


# --- CSRF --------------------------------------------------------------------------


def test_a_form_sent_without_its_security_token_explains_itself_in_arabic(
    login: Callable[[User], Client], case_worker: User
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies = login(case_worker).cookies
    response = client.post("/cases/open/", {"survivor": "X"})
    assert response.status_code == 403
    html = response.content.decode()
    assert_layout(html, language="ar", nav=True)
    assert 'data-status="403"' in html
    assert "انتهت صلاحية النموذج" in html


def test_a_form_sent_without_its_security_token_says_the_input_is_kept_in_english(
    login: Callable[[User], Client], case_worker: User
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies = login(case_worker).cookies
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/cases/open/", {"survivor": "X"})
    assert response.status_code == 403
    html = response.content.decode()
    assert_layout(html, language="en", nav=True)
    assert "The form has expired" in html
    assert "Back button" in html
    assert "what you typed is still there" in html
