"""No dead end, nothing lost, in Arabic in a real browser: an admission refused keeps the
search on screen, a "no" to a wheelchair stays a "no" up to the admission, a goal added
to a care plan keeps the summary typed above it, a section of the case page that fails
to load says so and offers to try again, a form sent while offline keeps what was typed,
the audit trail keeps its filters from page to page and speaks the reader's language,
and an irreversible step asks first."""

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import BrowserContext, Page, Route, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import Governorate, Membership, Role
from himaya.agencies.reference import load_governorates
from himaya.agencies.tests.factories import AgencyFactory
from himaya.audit.actions import record_event
from himaya.cases import actions as case_actions
from himaya.cases.models import CarePlan
from himaya.shelters import actions as shelter_actions
from himaya.shelters.models import GovernorateCentroid, Stay, StayStatus
from himaya.shelters.reference import load_centroids
from himaya.shelters.tests.factories import CaseFactory, make_shelter, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def arabic(message: str) -> str:
    with translation.override("ar"):
        return gettext(message)


def arabic_audit_label(message: str) -> str:
    with translation.override("ar"):
        return pgettext("audit trail", message)


def _aswan_worker(username: str = "mona") -> tuple[Any, Any, Any]:
    load_governorates(Governorate)
    load_centroids(GovernorateCentroid, Governorate)
    aswan = Governorate.objects.get(code="EG-ASN")
    directorate = AgencyFactory(
        name_ar="مديرية التضامن الاجتماعي بأسوان", name_en="Aswan Directorate", governorate=aswan
    )
    worker = UserFactory(username=username, first_name="منى", last_name="عبد الله")
    Membership.objects.create(user=worker, agency=directorate, role=Role.CASE_WORKER)
    return aswan, directorate, worker


def test_a_no_to_a_wheelchair_in_the_search_stays_a_no_at_the_admission(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    _aswan, directorate, worker = _aswan_worker()
    shelter = make_shelter("EG-ASN", name_en="Aswan", name_ar="دار الحماية بأسوان")
    make_unit(shelter, label="نساء", beds=2)  # no wheelchair access
    # The survivor's record notes a disability that needs no wheelchair.
    case = CaseFactory(lead_agency=directorate, case_worker=worker, survivor__has_disability=True)

    sign_in(page, "mona", PASSWORD)
    page.goto(f"{live_server.url}/shelters/find-bed/?case={case.code}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("input[name=wheelchair]")).to_be_checked()
    page.locator("input[name=wheelchair]").uncheck()
    page.get_by_test_id("find-bed-submit").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("option")).to_have_count(1)
    expect(page.locator("form input[name=wheelchair][type=hidden]")).to_have_value("false")

    page.get_by_test_id("admit").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("stay-status")).to_have_text("مقيم في الدار")
    screenshot(page, "dead-ends-wheelchair-no-admitted-ar")
    assert Stay.objects.get(survivor=case.survivor).shelter == shelter


def test_an_admission_refused_because_the_bed_was_taken_keeps_the_search_and_its_results(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    aswan, directorate, worker = _aswan_worker()
    nearest = make_shelter("EG-ASN", name_en="Aswan", name_ar="دار الحماية بأسوان")
    make_unit(nearest, label="نساء", beds=1)
    luxor = make_shelter("EG-LX", name_en="Luxor", name_ar="دار الحماية بالأقصر")
    make_unit(luxor, label="نساء", beds=1)
    case = CaseFactory(lead_agency=directorate, case_worker=worker)
    other = CaseFactory(lead_agency=directorate, case_worker=worker)

    sign_in(page, "mona", PASSWORD)
    page.goto(f"{live_server.url}/shelters/find-bed/?case={case.code}")
    page.select_option("select[name=near]", str(aswan.pk))
    page.select_option("select[name=language]", "en")
    page.get_by_test_id("find-bed-submit").click()
    page.wait_for_load_state("networkidle")
    options = page.get_by_test_id("option")
    expect(options).to_have_count(2)
    assert options.first.get_attribute("data-shelter") == nearest.code

    # Meanwhile, another person takes the last bed of the nearest shelter.
    shelter_actions.admit_to_shelter(case=other, shelter=nearest, by=worker)
    page.locator(f'[data-shelter="{nearest.code}"] input[name=planned_nights]').fill("12")
    page.locator(f'[data-shelter="{nearest.code}"] [data-testid=admit]').click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_test_id("admit-refusal")).to_be_visible()
    expect(page.locator("h1")).to_have_text("البحث عن سرير الليلة")
    expect(page.locator("select[name=near]")).to_have_value(str(aswan.pk))
    expect(page.locator("select[name=language]")).to_have_value("en")
    expect(page.get_by_test_id("option")).to_have_count(1)
    expect(page.get_by_test_id("option").first).to_have_attribute("data-shelter", luxor.code)
    screenshot(page, "dead-ends-admission-refused-ar")
    assert not Stay.objects.filter(survivor=case.survivor).exists()

    page.locator(f'[data-shelter="{luxor.code}"] [data-testid=admit]').click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("stay-status")).to_have_text("مقيم في الدار")
    assert Stay.objects.get(survivor=case.survivor).shelter == luxor


def test_adding_a_goal_keeps_the_summary_typed_above_it_and_offline_nothing_is_lost(
    page: Page,
    context: BrowserContext,
    live_server: Any,
    sign_in: Callable[..., None],
    screenshot: Callable[..., Any],
) -> None:
    _aswan, directorate, worker = _aswan_worker()
    case = CaseFactory(lead_agency=directorate, case_worker=worker)
    plan = case_actions.create_care_plan(case=case, by=worker)
    url = f"{live_server.url}{reverse('cases:care_plan', kwargs={'code': plan.code})}"

    sign_in(page, "mona", PASSWORD)
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.fill("textarea[name=summary]", "سكن آمن ثم علاج نفسي ثم تدريب مهني")
    page.fill("input[name=description]", "إيجاد سكن آمن")
    with page.expect_navigation():
        page.get_by_test_id("goal-add").click()
    expect(page.get_by_test_id("goals")).to_contain_text("إيجاد سكن آمن")
    expect(page.locator("textarea[name=summary]")).to_have_value(
        "سكن آمن ثم علاج نفسي ثم تدريب مهني"
    )
    plan.refresh_from_db()
    assert plan.summary == "سكن آمن ثم علاج نفسي ثم تدريب مهني"
    assert [goal.description for goal in plan.goals.all()] == ["إيجاد سكن آمن"]

    # Offline: the form is not sent, the page stays with what was typed and says why.
    context.set_offline(True)
    page.fill("textarea[name=summary]", "ملخص كُتب دون اتصال")
    page.get_by_test_id("care-plan-save").click()
    warning = page.get_by_test_id("offline-warning")
    expect(warning).to_be_visible()
    expect(warning).to_have_text(
        arabic(
            "You are offline: nothing was sent. What you typed is kept on this page; send it "
            "again when the connection is back."
        )
    )
    expect(page.locator("textarea[name=summary]")).to_have_value("ملخص كُتب دون اتصال")
    assert page.url == url
    screenshot(page, "dead-ends-offline-ar")

    context.set_offline(False)
    with page.expect_navigation():
        page.get_by_test_id("care-plan-save").click()
    expect(page.get_by_test_id("offline-warning")).to_have_count(0)
    assert CarePlan.objects.get(pk=plan.pk).summary == "ملخص كُتب دون اتصال"


def test_a_section_of_the_case_page_that_fails_to_load_offers_to_try_again(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    _aswan, directorate, worker = _aswan_worker()
    case = CaseFactory(lead_agency=directorate, case_worker=worker)
    panel_url = "**/shelters/case/*/panel/"

    def server_error(route: Route) -> None:
        route.fulfill(status=500, body="error", content_type="text/html")

    sign_in(page, "mona", PASSWORD)
    page.route(panel_url, server_error)
    page.goto(f"{live_server.url}/cases/{case.code}/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    panel = page.locator("[data-panel=shelter]")
    expect(panel.get_by_test_id("panel-error")).to_contain_text(
        arabic("This section could not be loaded.")
    )
    expect(panel.get_by_test_id("panel-retry")).to_have_text(arabic("Try again"))
    screenshot(page, "dead-ends-panel-error-ar")

    # A network failure says so too, then a retry that works shows the section.
    page.unroute(panel_url)
    page.route(panel_url, lambda route: route.abort())
    panel.get_by_test_id("panel-retry").click()
    expect(panel.get_by_test_id("panel-error")).to_contain_text(
        arabic("This section could not be loaded: there is no connection.")
    )
    page.unroute(panel_url)
    panel.get_by_test_id("panel-retry").click()
    expect(panel.get_by_test_id("shelter-panel")).to_be_visible()
    expect(panel.get_by_test_id("panel-error")).to_have_count(0)


def test_the_audit_trail_keeps_its_filters_across_pages_and_names_actions_in_arabic(
    page: Page,
    live_server: Any,
    sign_in: Callable[..., None],
    screenshot: Callable[..., Any],
    settings: Any,
) -> None:
    settings.DEMO_SKIP_OTP = True
    ministry = AgencyFactory(name_ar="وزارة التضامن الاجتماعي", name_en="Ministry")
    auditor = UserFactory(username="hoda")
    Membership.objects.create(user=auditor, agency=ministry, role=Role.AUDITOR)
    for number in range(60):
        record_event(
            action="survivor.identity_viewed",
            actor=auditor,
            object_code=f"SV-{number}",
            purpose="care",
        )
    for _number in range(30):
        record_event(action="case.opened", actor=auditor)

    sign_in(page, "hoda", PASSWORD)
    page.goto(f"{live_server.url}/audit/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    chooser = page.locator("select[name=action]")
    expect(chooser.locator('option[value="survivor.identity_viewed"]')).to_have_text(
        arabic_audit_label("Identity read")
    )
    chooser.select_option("survivor.identity_viewed")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "action=survivor.identity_viewed" in page.url
    rows = page.locator("[data-testid=audit-events] tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first.locator("[data-action]")).to_contain_text(arabic_audit_label("Identity read"))
    expect(rows.first).to_contain_text(arabic("Care and case management"))
    screenshot(page, "dead-ends-audit-filtered-ar")

    page.get_by_test_id("page-next").click()
    page.wait_for_load_state("networkidle")
    assert "action=survivor.identity_viewed" in page.url
    expect(rows).to_have_count(10)
    actions = {rows.nth(i).locator("[data-action]").get_attribute("data-action") for i in range(10)}
    assert actions == {"survivor.identity_viewed"}
    expect(page.locator("select[name=action]")).to_have_value("survivor.identity_viewed")
    page.get_by_test_id("page-previous").click()
    page.wait_for_load_state("networkidle")
    expect(rows).to_have_count(50)
    assert "action=survivor.identity_viewed" in page.url


def test_discharging_asks_first_and_a_no_changes_nothing(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    _aswan, directorate, worker = _aswan_worker()
    shelter = make_shelter("EG-ASN", name_en="Aswan", name_ar="دار الحماية بأسوان")
    make_unit(shelter, label="نساء", beds=1)
    case = CaseFactory(lead_agency=directorate, case_worker=worker)
    stay = shelter_actions.admit_to_shelter(case=case, shelter=shelter, by=worker)
    question = arabic("Discharge this person from the shelter? The stay ends and the bed is freed.")
    asked: list[str] = []

    sign_in(page, "mona", PASSWORD)
    page.goto(f"{live_server.url}/shelters/stays/{stay.code}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    def refuse(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    page.get_by_test_id("discharge").click()
    page.wait_for_timeout(300)
    assert asked == [question]
    expect(page.get_by_test_id("stay-status")).to_have_text("مقيم في الدار")
    assert Stay.objects.get(pk=stay.pk).status == StayStatus.OPEN

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("discharge").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("stay-status")).not_to_have_text("مقيم في الدار")
    screenshot(page, "dead-ends-discharged-ar")
    assert Stay.objects.get(pk=stay.pk).status != StayStatus.OPEN
    assert timezone.localdate() == Stay.objects.get(pk=stay.pk).ended_on
