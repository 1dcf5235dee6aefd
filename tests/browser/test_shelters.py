"""Finding a bed tonight in a real browser, in Arabic: a case worker in Aswan looks for a
place for a 16-year-old foreign girl with her infant, and admits her to the nearest
shelter that can take them both; the staff of a shelter admit a girl referred to them,
and only into their own shelter, while a case not referred to them is not found."""

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import Governorate, Membership, Role
from himaya.agencies.reference import load_governorates
from himaya.agencies.tests.factories import AgencyFactory
from himaya.shelters.models import GovernorateCentroid, Stay
from himaya.shelters.reference import load_centroids
from himaya.shelters.tests.factories import (
    CaseFactory,
    make_shelter,
    make_unit,
    refer_to_shelter,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _mother_and_child_shelter(code: str, name: str) -> Any:
    shelter = make_shelter(code, name_en=name, name_ar=name)
    make_unit(
        shelter,
        label="أمهات وأطفال",
        beds=2,
        cots=1,
        accepts_adolescents=True,
        accepts_mothers_with_children=True,
    )
    return shelter


def test_case_worker_finds_the_nearest_bed_for_a_girl_and_her_infant_and_admits_them(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    load_governorates(Governorate)
    load_centroids(GovernorateCentroid, Governorate)
    aswan = Governorate.objects.get(code="EG-ASN")
    directorate = AgencyFactory(
        name_ar="مديرية التضامن الاجتماعي بأسوان", name_en="Aswan Directorate", governorate=aswan
    )
    worker = UserFactory(username="mona")
    Membership.objects.create(user=worker, agency=directorate, role=Role.CASE_WORKER)
    cairo = _mother_and_child_shelter("EG-C", "دار الحماية بالقاهرة")
    nearest = _mother_and_child_shelter("EG-ASN", "دار الحماية بأسوان")
    luxor = _mother_and_child_shelter("EG-LX", "دار الحماية بالأقصر")
    adults = make_shelter("EG-ASN", name_en="Adults", name_ar="دار البالغات")
    make_unit(adults, beds=4)
    case = CaseFactory(
        lead_agency=directorate,
        case_worker=worker,
        survivor__nationality="ER",
        survivor__birth_year=timezone.localdate().year - 16,
    )

    sign_in(page, "mona", PASSWORD)
    page.goto(f"{live_server.url}/shelters/find-bed/?case={case.code}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("البحث عن سرير الليلة")
    expect(page.locator("input[name=age]")).to_have_value("16")
    page.fill("input[name=children_ages]", "0")
    page.get_by_test_id("find-bed-submit").click()
    page.wait_for_load_state("networkidle")

    options = page.get_by_test_id("option")
    expect(options).to_have_count(3)
    shown = [options.nth(i).get_attribute("data-shelter") for i in range(3)]
    assert shown == [nearest.code, luxor.code, cairo.code]
    expect(options.first).to_contain_text("دار الحماية بأسوان")
    expect(options.first).to_contain_text("مهود شاغرة: 1")
    screenshot(page, "shelters-find-bed-ar")

    options.first.get_by_test_id("admit").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("stay-status")).to_have_text("مقيم في الدار")
    screenshot(page, "shelters-admitted-ar")

    stay = Stay.objects.get(survivor=case.survivor)
    assert stay.shelter == nearest
    assert Stay.objects.get(companion_of=stay).bed.kind == "cot"


def test_shelter_staff_admit_a_girl_referred_to_their_shelter_and_find_no_other_case(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    load_governorates(Governorate)
    load_centroids(GovernorateCentroid, Governorate)
    aswan = Governorate.objects.get(code="EG-ASN")
    directorate = AgencyFactory(
        name_ar="مديرية التضامن الاجتماعي بأسوان", name_en="Aswan Directorate", governorate=aswan
    )
    worker = UserFactory(username="mona")
    Membership.objects.create(user=worker, agency=directorate, role=Role.CASE_WORKER)
    nearest = _mother_and_child_shelter("EG-ASN", "دار الحماية بأسوان")
    luxor = _mother_and_child_shelter("EG-LX", "دار الحماية بالأقصر")
    staff = UserFactory(username="salma")
    Membership.objects.create(user=staff, agency=nearest.agency, role=Role.SHELTER_STAFF)
    girl = CaseFactory(
        lead_agency=directorate,
        case_worker=worker,
        survivor__nationality="ER",
        survivor__birth_year=timezone.localdate().year - 16,
    )
    refer_to_shelter(girl, nearest, shared_fields=("first_name", "sex", "age"))
    not_referred = CaseFactory(lead_agency=directorate, case_worker=worker)

    sign_in(page, "salma", PASSWORD)
    page.goto(f"{live_server.url}/shelters/find-bed/?case={girl.code}")
    expect(page.locator("input[name=age]")).to_have_value("16")
    page.fill("input[name=children_ages]", "0")
    page.get_by_test_id("find-bed-submit").click()
    page.wait_for_load_state("networkidle")

    options = page.get_by_test_id("option")
    expect(options).to_have_count(2)
    expect(page.get_by_test_id("admit")).to_have_count(1)
    expect(page.locator(f'[data-shelter="{luxor.code}"] [data-testid=admit]')).to_have_count(0)
    screenshot(page, "shelters-find-bed-referred-ar")
    page.locator(f'[data-shelter="{nearest.code}"] [data-testid=admit]').click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("stay-status")).to_have_text("مقيم في الدار")
    assert Stay.objects.get(survivor=girl.survivor).admitted_by == staff

    response = page.goto(f"{live_server.url}/shelters/find-bed/?case={not_referred.code}")
    assert response is not None and response.status == 404
    expect(page.get_by_test_id("refusal")).to_have_text("لا توجد حالة متاحة لك بهذا الرمز.")
    screenshot(page, "shelters-case-not-found-ar")
    assert not Stay.objects.filter(case=not_referred).exists()
