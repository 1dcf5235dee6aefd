"""Screening in a real browser: in Arabic, a case worker screens a survivor and reads why."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.screening.models import Screening, TraffickingIndicator
from himaya.screening.tests.conftest import ensure_catalogue
from himaya.screening.tests.factories import SurvivorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YES = [
    "A_LAB-DR-S01",  # misled about the job
    "A_LAB-DR-M01",  # misled about working conditions
    "A_LAB-EX-S01",  # excessive hours
    "A_LAB-EX-M01",
    "A_LAB-CD-S01",  # documents confiscated
    "A_LAB-CD-M01",
]


def test_case_worker_screens_a_survivor_in_arabic_and_sees_the_outcome_explained(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    if not TraffickingIndicator.objects.exists():
        ensure_catalogue()
    agency = AgencyFactory(name_ar="مديرية التضامن بالجيزة", name_en="Giza Directorate")
    user = UserFactory(username="mona")
    Membership.objects.create(user=user, agency=agency, role=Role.CASE_WORKER)
    survivor = SurvivorFactory(registered_by_agency=agency, registered_by=user, birth_year=1994)

    sign_in(page, "mona", PASSWORD)
    page.goto(f"{live_server.url}/screening/start/?survivor={survivor.code}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_contain_text("فحص الناجي")
    # The adults' labour set is proposed for a person born in 1994.
    expect(page.get_by_label("البالغون - الاتجار بغرض الاستغلال في العمل")).to_be_checked()
    expect(page.get_by_test_id("interview-guidance")).to_be_visible()
    # Consent to the interview comes before the questionnaire.
    page.locator('input[name="consent_by"][value="person"]').check()
    page.locator('input[name="interpreter_needed"][value="no"]').check()
    page.get_by_test_id("choose-set").click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_test_id("questionnaire")).to_contain_text("التجنيد بالخداع")
    # Every answer starts as "unknown".
    expect(page.locator('input[type=radio][value="unknown"]:checked')).to_have_count(67)
    for code in YES:
        page.locator(f'input[name="answer-{code}"][value="yes"]').check()
    screenshot(page, "screening-questionnaire-ar")
    page.get_by_test_id("record-screening").click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_test_id("outcome-label")).to_have_text("الاتجار مرجَّح بقوة (ضحية مفترضة)")
    explanation = page.get_by_test_id("explanation")
    expect(explanation).to_contain_text("الأبعاد الإيجابية")
    expect(explanation).to_contain_text("التجنيد بالخداع")
    expect(explanation).to_contain_text("خداع بشأن طبيعة العمل أو مكانه أو صاحب العمل")
    expect(explanation).to_contain_text("الإكراه في مكان الوجهة")
    query = f"?survivor={survivor.code}&screening={Screening.objects.get().code}"
    expect(page.get_by_test_id("open-case")).to_have_attribute(
        "href", re.compile(re.escape(query) + "$")
    )
    screenshot(page, "screening-result-ar")
