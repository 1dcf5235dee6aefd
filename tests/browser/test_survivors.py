"""Registering a survivor in Arabic in a real browser, then revealing the identity."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.audit.models import AuditEvent
from himaya.survivors.models import Survivor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_worker_registers_a_survivor_in_arabic_and_sees_the_code(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    agency = AgencyFactory(name_ar="مديرية التضامن بالجيزة", name_en="Giza Directorate")
    user = UserFactory(username="mona")
    Membership.objects.create(user=user, agency=agency, role=Role.CASE_WORKER)

    sign_in(page, "mona", PASSWORD)
    page.locator("[data-nav=survivors]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("الناجيات والناجون")

    page.get_by_test_id("register-survivor").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # A first attempt without any name: the error is beside the field, typed values stay.
    page.fill("input[name=phone]", "+20 10 5555 6666")
    page.get_by_test_id("register-submit").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-error-for=name_ar]")).to_contain_text("أدخل الاسم")
    expect(page.locator("input[name=phone]")).to_have_value("+20 10 5555 6666")

    page.fill("input[name=name_ar]", "أمل عثمان إبراهيم")
    page.fill("input[name=name_latin]", "Amal Osman Ibrahim")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=estimated_age]", "16")
    page.select_option("select[name=nationality]", "SD")
    page.select_option("select[name=document_kind]", "passport")
    page.fill("input[name=document_number]", "P04432187")
    screenshot(page, "survivors-register-ar")
    page.get_by_test_id("register-submit").click()
    page.wait_for_load_state("networkidle")

    survivor = Survivor.objects.get()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("survivor-code")).to_have_text(survivor.code)
    expect(page.get_by_role("alert").first).to_contain_text(survivor.code)
    expect(page.get_by_test_id("clear-data")).to_contain_text("السودان")
    expect(page.get_by_test_id("identity")).not_to_contain_text("أمل")

    page.select_option("select[name=purpose]", "care")
    page.get_by_test_id("reveal").click()
    expect(page.get_by_test_id("name-ar")).to_have_text("أمل عثمان إبراهيم")
    expect(page.get_by_test_id("identity")).to_contain_text("P04432187")
    assert AuditEvent.objects.filter(action="survivor.identity_viewed").count() == 1
    screenshot(page, "survivors-detail-ar")

    # In English the page turns left to right, and the identity is hidden again.
    page.get_by_test_id("switch-language").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_test_id("survivor-code")).to_have_text(survivor.code)
    expect(page.get_by_test_id("clear-data")).to_contain_text("Sudan")
    expect(page.get_by_test_id("identity")).not_to_contain_text("Amal")
    screenshot(page, "survivors-detail-en")
