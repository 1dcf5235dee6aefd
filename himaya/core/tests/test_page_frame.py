"""Every page's frame (``{% page_header %}``): the messages, the language switch's way
back, and a page written without a request."""

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.template import engines
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import format_html

from himaya.accounts.models import User

pytestmark = pytest.mark.django_db

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<p id="body">x</p>{% endblock %}'
)


def _request(path: str = "/cases/?q=1") -> object:
    request = RequestFactory().get(path)
    request.session = SessionStore()  # type: ignore[attr-defined]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    request.user = User.objects.get_or_create(username="frame-reader")[0]  # type: ignore[attr-defined]
    return request


def test_messages_are_shown_before_the_content_escaped_as_django_escapes_them() -> None:
    request = _request()
    messages.success(request, 'Saved <b>"x"</b>')  # type: ignore[arg-type]
    messages.error(request, format_html("<strong>{}</strong>", "kept"))  # type: ignore[arg-type]
    with translation.override("en"):
        page = PAGE.render({}, request)  # type: ignore[arg-type]
    assert (
        '<div class="alert alert-success" role="alert">Saved &lt;b&gt;&#34;x&#34;&lt;/b&gt;</div>'
        in page
    )
    assert '<div class="alert alert-danger" role="alert"><strong>kept</strong></div>' in page
    assert page.index('role="alert"') < page.index('<p id="body">')


def test_the_language_switch_comes_back_to_the_page_or_to_the_address_given() -> None:
    with translation.override("ar"):
        page = PAGE.render({}, _request("/cases/?q=1&x=<y>"))  # type: ignore[arg-type]
        given = PAGE.render({"language_next": "/survivors/"}, _request())  # type: ignore[arg-type]
    assert '<input type="hidden" name="next" value="/cases/?q=1&amp;x=%3Cy%3E">' in page
    assert '<input type="hidden" name="next" value="/survivors/">' in given
    assert 'value="en"' in page and "English" in page


def test_a_page_written_without_a_request_has_its_frame_without_a_user() -> None:
    with translation.override("en"):
        page = PAGE.render({})
    assert '<html lang="en" dir="ltr">' in page
    assert 'data-testid="logout"' not in page
    assert '<input type="hidden" name="next" value="">' in page
