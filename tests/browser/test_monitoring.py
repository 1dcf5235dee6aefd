"""The daily indicators in a real browser, in Arabic: an analyst sees the chart and the
governorate map, and choosing another indicator or a breakdown redraws them."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import Governorate, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.monitoring.models import DailyValue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

END = datetime.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def cairo(db: None) -> Governorate:
    """Transactional tests flush the governorates loaded by migrations: put Cairo back."""
    governorate, _ = Governorate.objects.get_or_create(
        code="EG-C", defaults={"name_ar": "القاهرة", "name_en": "Cairo"}
    )
    return governorate


def store(indicator: str, day: datetime.date, cell: str, arabic: str, n: int) -> None:
    dimension, _, member = cell.partition("=")
    DailyValue.objects.create(
        indicator=indicator,
        day=day,
        cell=cell,
        dimension=dimension,
        member=member,
        member_ar=arabic,
        member_en=member,
        numerator=Decimal(n),
        value=Decimal(n),
    )


def test_an_analyst_changes_the_indicator_and_the_chart_and_map_follow_in_arabic(
    page: Page,
    live_server: Any,
    sign_in: Callable[..., None],
    screenshot: Callable[..., Any],
    settings: Any,
) -> None:
    settings.DEMO_SKIP_OTP = True
    committee = AgencyFactory(name_ar="اللجنة الوطنية", name_en="National committee")
    analyst = UserFactory(username="mona")
    Membership.objects.create(user=analyst, agency=committee, role=Role.ANALYST)
    for back in range(10):
        day = END - datetime.timedelta(days=back)
        store("screenings", day, "", "", 20 + back)
        store("identified_victims", day, "", "", 30)
        store("identified_victims", day, "gov=EG-C", "القاهرة", 20)
        store("identified_victims", day, "gov=EG-ALX", "الإسكندرية", 10)

    sign_in(page, "mona", PASSWORD)
    page.goto(f"{live_server.url}/monitoring/?end={END}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    chart = page.get_by_test_id("chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("data-points", "10", timeout=10_000)
    drawn = chart.get_attribute("data-drawn")
    expect(page.get_by_test_id("map")).to_have_count(0)

    page.locator("select[name=indicator]").select_option("identified_victims")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("chart")).not_to_have_attribute("data-drawn", drawn or "")
    expect(page.get_by_test_id("map-svg")).to_be_visible()
    cairo = page.locator("[data-code=EG-C]")
    expect(cairo).to_contain_text("القاهرة")
    expect(cairo).not_to_have_attribute("data-fill", "#e9ecef")
    expect(page.locator("[data-code=EG-ASN]")).to_have_attribute("data-fill", "#e9ecef")

    page.locator("select[name=dimension]").select_option("gov")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("breakdown")).to_contain_text("الإسكندرية")
    screenshot(page, "monitoring-dashboard-ar")
