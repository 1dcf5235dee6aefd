"""A child's safeguards in Arabic in a real browser: a case worker appoints a guardian,
then a supervisor records the identification decision for the child's case."""

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.models import Case, IdentificationDecision
from himaya.survivors.actions import sync_survivor_access
from himaya.survivors.models import Consent, ConsentPurpose, GuardianAppointment
from himaya.survivors.tests.factories import SurvivorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LATIN = re.compile(r"[A-Za-z]")


def no_english(page: Page, testid: str) -> None:
    """The section shows no word in Latin letters (codes are kept out of these sections)."""
    text = page.get_by_test_id(testid).inner_text()
    assert not LATIN.search(text), f"English on the Arabic page: {LATIN.findall(text)[:10]}"


def test_a_guardian_is_appointed_and_the_childs_identification_decided_in_arabic(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    agency = AgencyFactory(name_ar="مديرية التضامن بالقاهرة", name_en="Cairo Directorate")
    worker = UserFactory(username="hala.children", first_name="هالة", last_name="سمير")
    boss = UserFactory(username="amal.supervisor", first_name="آمال", last_name="فؤاد")
    Membership.objects.create(user=worker, agency=agency, role=Role.CASE_WORKER)
    Membership.objects.create(user=boss, agency=agency, role=Role.SUPERVISOR)
    device = TOTPDevice.objects.create(user=boss, name="هاتف", confirmed=True)
    child = SurvivorFactory(birth_year=None, registered_by_agency=agency, registered_by=worker)
    case = Case.objects.create(
        survivor=child,
        lead_agency=agency,
        case_worker=worker,
        first_contact_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    sync_survivor_access(survivor=child)
    Consent.objects.create(
        survivor=child,
        purpose=ConsentPurpose.CARE,
        given_on=timezone.localdate() - datetime.timedelta(days=2),
        recorded_by=worker,
    )

    # The case worker appoints the guardian on the survivor's page, at phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "hala.children", PASSWORD)
    page.goto(f"{live_server.url}/survivors/{child.code}/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("badge-child").first).to_have_text("طفل مفترض")
    expect(page.get_by_test_id("no-guardian")).to_be_visible()
    form = page.get_by_test_id("guardian-form")
    form.locator("input[name=guardian_name]").fill("سعاد محمود")
    form.locator("select[name=kind]").select_option("legal_guardian")
    form.locator("input[name=appointing_body]").fill("محكمة الأسرة بالقاهرة")
    page.get_by_test_id("appoint-guardian").click()
    expect(page.get_by_test_id("guardians")).to_contain_text("وصي قانوني")
    expect(page.get_by_test_id("no-guardian")).to_have_count(0)
    no_english(page, "children")
    expect(page.get_by_test_id("consents")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "children-guardian-ar")
    appointment = GuardianAppointment.objects.get(survivor=child)
    assert appointment.guardian_name == "سعاد محمود"

    # The supervisor, with the second factor, records the decision on the child's case.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "amal.supervisor")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-submit]")
    if "/accounts/second-factor/" in page.url:
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.fill("input[name=token]", f"{code:06d}")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/cases/{case.code}/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_test_id("case-child-badges")).to_contain_text("طفل مفترض")
    decision = page.get_by_test_id("identification-form")
    decision.locator("select[name=status]").select_option("possible")
    decision.locator("input[name=decided_on]").fill(timezone.localdate().isoformat())
    decision.locator("textarea[name=grounds]").fill("مؤشرات قوية على الاستغلال في العمل القسري")
    decision.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("identification-history")).to_contain_text("مؤشرات قوية")
    no_english(page, "identification")
    screenshot(page, "children-identification-ar")
    assert IdentificationDecision.objects.filter(case=case, status="possible").count() == 1
