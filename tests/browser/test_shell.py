"""The bilingual shell in a real browser: sign in in Arabic, switch to English, sign out."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import Membership, Role
from himaya.agencies.tests.factories import AgencyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_worker_signs_in_in_arabic_switches_to_english_and_signs_out(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    agency = AgencyFactory(name_ar="مديرية التضامن بالجيزة", name_en="Giza Directorate")
    user = UserFactory(username="mona")
    Membership.objects.create(user=user, agency=agency, role=Role.CASE_WORKER)

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_have_text("تسجيل الدخول إلى حماية")
    screenshot(page, "shell-login-ar")

    sign_in(page, "mona", PASSWORD)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("memberships")).to_contain_text("مديرية التضامن بالجيزة")
    expect(page.get_by_test_id("memberships")).to_contain_text("أخصائي حالة")
    expect(page.locator("h1")).to_contain_text("مرحبًا")
    # The navigation starts at the inline start: on the right in Arabic.
    brand = page.locator(".navbar-brand").bounding_box()
    assert brand is not None and brand["x"] > page.viewport_size["width"] / 2  # type: ignore[index]
    screenshot(page, "shell-home-ar")

    page.get_by_test_id("switch-language").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("memberships")).to_contain_text("Giza Directorate")
    expect(page.get_by_test_id("memberships")).to_contain_text("Case worker")
    brand = page.locator(".navbar-brand").bounding_box()
    assert brand is not None and brand["x"] < page.viewport_size["width"] / 2  # type: ignore[index]
    screenshot(page, "shell-home-en")

    page.get_by_test_id("logout").click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("h1")).to_have_text("Sign in to Himaya")


def test_wrong_password_shows_the_error_in_arabic(
    page: Page, live_server: Any, sign_in: Callable[..., None]
) -> None:
    UserFactory(username="karim")
    sign_in(page, "karim", "not-the-password")
    expect(page.get_by_test_id("login-error")).to_have_text(
        "اسم المستخدم أو كلمة المرور غير صحيحة."
    )
