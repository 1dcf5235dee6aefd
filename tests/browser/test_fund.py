"""The fund in a real browser, in Arabic: a fund officer requests an assistance payment for
a case, an approver (someone else) approves it, the officer records its payment, and the
fund statement leaves through the export door as a spreadsheet."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import Governorate, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.audit.tests.exported import exports_written
from himaya.fund.models import PaymentRequest, Status
from himaya.fund.tests.factories import BudgetLineFactory, balances_now, make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def cairo(db: None) -> Governorate:
    """Transactional tests flush the governorates loaded by migrations: put Cairo back."""
    governorate, _ = Governorate.objects.get_or_create(
        code="EG-C", defaults={"name_ar": "القاهرة", "name_en": "Cairo"}
    )
    return governorate


def test_an_assistance_payment_is_requested_approved_and_paid_in_arabic(
    page: Page,
    live_server: Any,
    sign_in: Callable[..., None],
    screenshot: Callable[..., Any],
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.DEMO_SKIP_OTP = True
    settings.MEDIA_ROOT = tmp_path
    page.on("dialog", lambda dialog: dialog.accept())  # approving and paying ask first
    ministry = AgencyFactory(name_ar="وزارة التضامن الاجتماعي", name_en="Ministry")
    officer = UserFactory(username="ahmed")
    Membership.objects.create(user=officer, agency=ministry, role=Role.FUND_OFFICER)
    approver = UserFactory(username="laila")
    Membership.objects.create(user=approver, agency=ministry, role=Role.FUND_APPROVER)
    line = BudgetLineFactory(name_ar="مساعدات الضحايا - اعتماد الدولة", amount=Decimal("50000"))
    case = make_case()

    sign_in(page, "ahmed", PASSWORD)
    page.goto(f"{live_server.url}/fund/request/?case={case.code}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.select_option("select[name=budget_line]", str(line.pk))
    page.select_option("select[name=purpose]", "medical")
    page.fill("input[name=amount]", "2750.50")
    page.fill("textarea[name=justification]", "فحوصات وعلاج في مستشفى جامعي")
    screenshot(page, "fund-request")
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=status]")).to_have_text("مطلوب")
    payment = PaymentRequest.objects.get()
    screenshot(page, "fund-requested")
    page.click("[data-testid=logout]")

    sign_in(page, "laila", PASSWORD)
    page.goto(f"{live_server.url}/fund/payments/{payment.code}/")
    page.click("[data-testid=approve]")
    expect(page.locator("[data-testid=status]")).to_have_text("معتمد")
    page.click("[data-testid=logout]")

    sign_in(page, "ahmed", PASSWORD)
    page.goto(f"{live_server.url}/fund/payments/{payment.code}/")
    page.select_option("select[name=method]", "bank_transfer")
    page.fill("input[name=reference]", "TRF-2026-0042")
    page.click("[data-testid=pay]")
    expect(page.locator("[data-testid=status]")).to_have_text("مصروف")
    screenshot(page, "fund-paid")
    payment.refresh_from_db()
    assert payment.status == Status.PAID
    assert balances_now(line).available == Decimal("47249.50")

    page.goto(f"{live_server.url}/fund/lines/")
    screenshot(page, "fund-lines")
    page.goto(f"{live_server.url}/fund/statement/")
    expect(page.locator("button[name=format]")).to_have_count(0)
    page.get_by_test_id("export-links").get_by_role("link", name="XLSX").click()
    form = page.get_by_test_id("export-form")
    form.locator("select[name=purpose]").select_option("reporting")
    form.locator("input[name=password]").fill(PASSWORD)
    with page.expect_download() as download:
        form.get_by_test_id("export-submit").click()
    assert [(event.object_code, event.purpose) for event in exports_written()] == [
        ("fund-statement", "reporting")
    ]
    path = tmp_path / "statement.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.sheet_view.rightToLeft is True
    assert any(row[6] == 2750.5 for row in sheet.iter_rows(values_only=True))


def test_an_ngo_reports_and_the_next_tranche_is_released_after_approval_in_arabic(
    page: Page,
    live_server: Any,
    sign_in: Callable[..., None],
    screenshot: Callable[..., Any],
) -> None:
    from himaya.grants import actions as grant_actions
    from himaya.grants.models import Tranche
    from himaya.grants.tests.factories import make_grant, ngo

    page.on("dialog", lambda dialog: dialog.accept())  # releasing a tranche asks first
    nour = ngo("جمعية نور لدعم المرأة")
    staff = UserFactory(username="yasmine")
    Membership.objects.create(user=staff, agency=nour, role=Role.PARTNER_STAFF)
    ministry = AgencyFactory(name_ar="وزارة التضامن الاجتماعي", name_en="Ministry")
    officer = UserFactory(username="tarek")
    Membership.objects.create(user=officer, agency=ministry, role=Role.GRANTS_OFFICER)
    grant = make_grant(nour, by=officer)
    grant_actions.release_tranche(
        tranche=grant.tranches.get(sequence=1), by=officer, expected_version=1
    )

    sign_in(page, "yasmine", PASSWORD)
    page.goto(f"{live_server.url}/grants/{grant.code}/")
    page.click("[data-testid=report-1]")
    page.fill("textarea[name=narrative]", "قدمنا جلسات دعم نفسي وتدريبًا مهنيًا لخمس وعشرين ناجية.")
    page.fill("input[name=people_served]", "25")
    page.fill("input[name=services_delivered]", "60")
    screenshot(page, "grants-report")
    page.click("main button[type=submit]")
    expect(page.locator("[data-testid=tranche-1]")).to_contain_text("مقدَّم")
    page.click("[data-testid=logout]")

    sign_in(page, "tarek", PASSWORD)
    page.goto(f"{live_server.url}/grants/{grant.code}/")
    page.locator("[data-testid=tranche-2] button").click()
    expect(page.locator("[data-testid=action-error]")).to_be_visible()
    page.select_option("[data-testid=tranche-1] select[name=decision]", "approve")
    page.locator("[data-testid=tranche-1] button").last.click()
    page.locator("[data-testid=tranche-2] button").click()
    expect(page.locator("[data-testid=tranche-2]")).to_contain_text("مصروفة")
    screenshot(page, "grants-detail")
    assert Tranche.objects.get(grant=grant, sequence=2).status == "released"
