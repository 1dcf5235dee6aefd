"""The worklist on a phone in Arabic: one card per case, nothing wider than the screen."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.tests.factories import CaseFactory, RiskAssessmentFactory
from himaya.survivors.tests.factories import SurvivorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_worklist_shows_cards_within_a_390_pixel_screen_in_arabic(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    agency = AgencyFactory(name_ar="مديرية التضامن بالجيزة", name_en="Giza Directorate")
    user = UserFactory(username="huda.worklist", first_name="هدى", last_name="سامي")
    Membership.objects.create(user=user, agency=agency, role=Role.CASE_WORKER)
    for n in range(30):
        survivor = SurvivorFactory(
            registered_by_agency=agency,
            registered_by=user,
            name_ar=f"فاطمة عبد الرحمن محمد {n}",
            nationality="SD" if n % 3 == 0 else "EG",
            birth_year=None if n % 4 == 0 else 1995,
        )
        case = CaseFactory(lead_agency=agency, case_worker=user, survivor=survivor)
        if n % 2:
            RiskAssessmentFactory(case=case, level="critical" if n % 5 else "low")

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "huda.worklist", PASSWORD)
    page.goto(f"{live_server.url}/cases/queue/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    rows = page.get_by_test_id("worklist-row")
    expect(rows).to_have_count(25)
    first = rows.first
    # A card: the row is a block as wide as the list, its cells stacked with their labels.
    assert first.evaluate("el => getComputedStyle(el).display") == "block"
    assert page.locator(".worklist thead").evaluate("el => getComputedStyle(el).display") == (
        "none"
    )
    expect(first.get_by_test_id("first-name")).to_have_text("فاطمة")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "worklist-390-ar")

    page.get_by_test_id("worklist-more").click()
    expect(rows).to_have_count(30)
    expect(page.get_by_test_id("worklist-more")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => !el.closest('.visually-hidden, .visually-hidden-focusable'))
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
                       || el.getBoundingClientRect().left < -0.5)
            .map(el => el.tagName + '.' + el.className)"""
    )
    assert wide == []
