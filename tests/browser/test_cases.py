"""Opening a case in Arabic in a real browser and moving it to protection."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.models import Case, Phase
from himaya.survivors.tests.factories import SurvivorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_case_worker_opens_a_case_in_arabic_and_moves_it_to_protection(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    agency = AgencyFactory(name_ar="مديرية التضامن بالقاهرة", name_en="Cairo Directorate")
    user = UserFactory(username="mona.cases", first_name="منى", last_name="عبد الله")
    Membership.objects.create(user=user, agency=agency, role=Role.CASE_WORKER)
    survivor = SurvivorFactory(registered_by_agency=agency, registered_by=user)

    sign_in(page, "mona.cases", PASSWORD)
    page.goto(f"{live_server.url}/cases/open/?survivor={survivor.code}&screening=SC-TEST-0001")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("فتح حالة")
    expect(page.locator("input[name=survivor]")).to_have_value(survivor.code)

    # A first attempt with identification before first contact: the error sits beside the field.
    page.fill("input[name=first_contact_on]", "2026-05-10")
    page.fill("input[name=identified_on]", "2026-05-01")
    page.select_option("select[name=identified_by]", "hotline")
    page.select_option("select[name=recruitment_channel]", "social_media")
    page.get_by_test_id("open-case-submit").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-error-for=identified_on]")).to_contain_text("تاريخ أول تواصل")
    expect(page.locator("input[name=first_contact_on]")).to_have_value("2026-05-10")

    page.fill("input[name=identified_on]", "2026-05-12")
    page.locator("[data-field=exploitation_forms] input").first.check()
    screenshot(page, "cases-open-ar")
    page.get_by_test_id("open-case-submit").click()
    page.wait_for_load_state("networkidle")

    case = Case.objects.get(survivor=survivor)
    expect(page.get_by_test_id("case-phase")).to_have_text("التحديد")
    expect(page.get_by_test_id("timeline")).to_contain_text("فُتحت الحالة")
    expect(page.get_by_test_id("services-panel")).to_be_visible()

    page.get_by_test_id("move-protection").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("case-phase")).to_have_text("الحماية")
    expect(page.get_by_role("alert").first).to_contain_text("الحماية")
    case.refresh_from_db()
    assert case.phase == Phase.PROTECTION
    assert case.protection_started_on is not None
    assert case.screening_code == "SC-TEST-0001"
    screenshot(page, "cases-detail-protection-ar")
