"""Economic empowerment in a real browser, in Arabic: a case worker refers a survivor to
Mastoura from the case page, the programme's officer accepts her, records her project and
a first follow-up visit."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import Governorate, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.models import Phase
from himaya.empowerment.models import Enrolment, Programme, ProgrammeKind, Visit
from himaya.empowerment.tests.factories import CaseFactory
from himaya.survivors.models import Sex

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_survivor_is_enrolled_in_mastoura_and_her_first_visit_recorded_in_arabic(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    cairo, _ = Governorate.objects.get_or_create(
        code="EG-C", defaults={"name_ar": "القاهرة", "name_en": "Cairo"}
    )
    directorate = AgencyFactory(
        name_ar="مديرية التضامن بالقاهرة", name_en="Cairo Directorate", governorate=cairo
    )
    ministry = AgencyFactory(
        name_ar="وزارة التضامن الاجتماعي", name_en="Ministry", governorate=cairo
    )
    worker = UserFactory(username="mona")
    Membership.objects.create(user=worker, agency=directorate, role=Role.CASE_WORKER)
    officer = UserFactory(username="nadia")
    Membership.objects.create(user=officer, agency=ministry, role=Role.EMPOWERMENT_OFFICER)
    Programme.objects.update_or_create(
        slug="mastoura",
        defaults={
            "name_ar": "مستورة",
            "name_en": "Mastoura",
            "kind": ProgrammeKind.LOAN,
            "managing_agency": ministry,
            "allowed_sexes": [Sex.FEMALE],
            "min_age": 21,
            "max_age": 60,
            "requires_reintegration": True,
            "amount_min": Decimal("4000.00"),
            "amount_max": Decimal("20000.00"),
        },
    )
    case = CaseFactory(
        lead_agency=directorate,
        case_worker=worker,
        phase=Phase.REINTEGRATION,
        survivor__sex=Sex.FEMALE,
        survivor__birth_year=timezone.localdate().year - 32,
    )
    today = timezone.localdate()
    started_on = today - timedelta(days=45)

    # The case worker refers the survivor from the empowerment panel of the case page.
    sign_in(page, "mona", PASSWORD)
    page.goto(f"{live_server.url}/cases/{case.code}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    panel = page.get_by_test_id("empowerment-panel")
    expect(panel).to_contain_text("لا يوجد التحاق ببرنامج بعد.")
    panel.locator("select[name=programme]").select_option(label="مستورة")
    panel.locator("select[name=household_role]").select_option("head")
    panel.locator("textarea[name=note]").fill("تجيد الخياطة وتعول طفلين")
    panel.get_by_test_id("refer-submit").click()
    page.wait_for_url("**/empowerment/enrolments/**")
    enrolment = Enrolment.objects.get()
    expect(page.locator("h1")).to_contain_text(enrolment.code)
    expect(page.locator("[data-status=referred]")).to_have_text("محال")
    page.get_by_test_id("logout").click()
    page.wait_for_load_state("networkidle")

    # The Mastoura officer accepts her and records her sewing project.
    sign_in(page, "nadia", PASSWORD)
    page.goto(f"{live_server.url}/empowerment/queue/")
    page.get_by_test_id("pending").get_by_text(enrolment.code).click()
    page.wait_for_url(f"**/empowerment/enrolments/{enrolment.code}/")
    page.check("input[name=decision][value=accept]")
    page.get_by_test_id("decide-submit").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1 [data-status=enrolled]")).to_have_text("ملتحق")
    form = page.get_by_test_id("project-form")
    form.locator("select[name=activity_type]").select_option("sewing")
    form.locator("input[name=started_on]").fill(started_on.isoformat())
    form.locator("input[name=amount]").fill("12000")
    form.locator("select[name=governorate]").select_option(label="القاهرة")
    form.locator("input[name=baseline_income]").fill("400")
    page.get_by_test_id("project-submit").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("visits").locator("tbody tr")).to_have_count(12)

    # She records the first follow-up visit.
    page.get_by_test_id("open-visit-1").click()
    page.wait_for_load_state("networkidle")
    visit_form = page.get_by_test_id("visit-form")
    visit_form.locator("input[name=done_on]").fill((today - timedelta(days=2)).isoformat())
    visit_form.locator("input[name=project_status][value=active]").check()
    visit_form.locator("input[name=monthly_income]").fill("950")
    visit_form.locator("textarea[name=problems]").fill("صعوبة في شراء القماش بسعر مناسب")
    visit_form.locator("textarea[name=support_given]").fill("ربطها بمورد جملة في العتبة")
    page.get_by_test_id("visit-submit").click()
    page.wait_for_load_state("networkidle")
    first = page.locator("[data-visit='1']")
    expect(first).to_contain_text("950.00")  # amounts use a decimal point in both languages
    expect(first.locator("[data-status=active]")).to_have_text("نشط")
    screenshot(page, "empowerment-mastoura-visit-ar")

    visit = Visit.objects.get(project__enrolment=enrolment, number=1)
    assert (visit.project_status, visit.monthly_income) == ("active", Decimal("950.00"))
    enrolment.refresh_from_db()
    assert enrolment.status == "active"
