"""Every demo user walks the demo: each page of their navigation and every page linked from
it answers without a server error, in Arabic and in English, and shows only their entries."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from himaya.accounts.demo import USERS
from himaya.accounts.models import User
from himaya.core.nav import all_items

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/static/", "/accounts/logout/", "/i18n/", "/jsi18n/", "/admin/")


def _links(html: str) -> set[str]:
    return {link.replace("&amp;", "&") for link in HREF.findall(html) if not link.startswith(SKIP)}


def test_each_demo_user_walks_their_pages_without_a_server_error(settings) -> None:
    settings.DEMO_SKIP_OTP = True
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    visited = 0
    for username, *_ in USERS:
        user = User.objects.get(username=username)
        for language in ("ar", "en"):
            client = Client()
            client.force_login(user)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            home = client.get("/")
            assert home.status_code == 200
            html = home.content.decode()
            assert f'<html lang="{language}"' in html
            shown = {item.key for item in all_items() if f'data-nav="{item.key}"' in html}
            assert shown == {item.key for item in all_items() if user.has_perm(item.permission)}
            if language == "en":
                continue  # links are the same in both languages; English checks the shell
            pages = {item.url for item in all_items() if user.has_perm(item.permission)}
            seen: set[str] = set()
            for page in sorted(pages):
                response = client.get(page)
                assert response.status_code == 200, (username, page)
                seen.add(page)
                for link in sorted(_links(response.content.decode()) - seen - pages):
                    seen.add(link)
                    answer = client.get(link)
                    assert answer.status_code < 500, (username, page, link)
                    assert urlsplit(link).path
            visited += len(seen)
    assert visited > 100
