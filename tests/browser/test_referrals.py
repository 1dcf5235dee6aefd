"""A referral in a real browser, in Arabic: a case worker refers a case to a partner
agency, whose staff member opens it, sees only the shared fields and accepts it."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import AgencyKind, Governorate, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.referrals.models import Referral
from himaya.referrals.tests.factories import CaseFactory, give_consent
from himaya.services.models import ServiceType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_worker_refers_a_case_and_the_partner_accepts_it_in_arabic(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    cairo, _ = Governorate.objects.get_or_create(
        code="EG-C", defaults={"name_ar": "القاهرة", "name_en": "Cairo"}
    )
    ServiceType.objects.get_or_create(
        code="medical", defaults={"name_ar": "الرعاية الطبية", "name_en": "Medical care"}
    )
    directorate = AgencyFactory(
        name_ar="مديرية التضامن بالجيزة", name_en="Giza Directorate", governorate=cairo
    )
    hospital = AgencyFactory(
        name_ar="مستشفى الأمل", name_en="Hope Hospital", kind=AgencyKind.HEALTH, governorate=cairo
    )
    worker = UserFactory(username="mona")
    Membership.objects.create(user=worker, agency=directorate, role=Role.CASE_WORKER)
    doctor = UserFactory(username="dr.salma")
    Membership.objects.create(user=doctor, agency=hospital, role=Role.PARTNER_STAFF)
    case = CaseFactory(lead_agency=directorate, case_worker=worker)
    give_consent(case.survivor, worker, recipient=hospital)

    sign_in(page, "mona", PASSWORD)
    page.goto(f"{live_server.url}/referrals/new/?case={case.code}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_contain_text("إحالة الحالة")
    page.select_option("select[name=to_agency]", hospital.code)
    page.select_option("select[name=service_type]", "medical")
    page.check("input[name=shared_fields][value=first_name]")
    page.check("input[name=shared_fields][value=medical_needs]")
    page.fill("textarea[name=medical_note]", "تحتاج إلى فحص عام")
    screenshot(page, "referrals-create-ar")
    page.get_by_test_id("referral-submit").click()
    page.wait_for_load_state("networkidle")
    referral = Referral.objects.get()
    expect(page.get_by_test_id("referral-status")).to_have_text("مُرسلة")
    page.get_by_test_id("logout").click()
    page.wait_for_load_state("networkidle")

    sign_in(page, "dr.salma", PASSWORD)
    page.goto(f"{live_server.url}/referrals/")
    expect(page.get_by_test_id("referral-table")).to_contain_text(referral.code)
    page.get_by_role("link", name=referral.code).click()
    page.wait_for_load_state("networkidle")
    shared = page.get_by_test_id("shared-fields")
    expect(shared).to_contain_text("فاطمة")
    expect(shared).to_contain_text("تحتاج إلى فحص عام")
    expect(shared).not_to_contain_text("حسن")
    expect(shared).not_to_contain_text("+20")
    page.get_by_test_id("accept").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("referral-status")).to_have_text("مقبولة")
    screenshot(page, "referrals-accepted-ar")
    assert Referral.objects.get().status == "accepted"
