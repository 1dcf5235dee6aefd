"""The whole identification journey in a real browser, in Arabic, through the pages only.

A case worker of a directorate signs in, registers a survivor, records the survivor's
consent to be referred to a hospital, screens the survivor (trafficking indicated), opens
the case the result page offers, refers it to the hospital sharing three fields and signs
out. A doctor of the hospital signs in, finds the referral among the incoming ones, sees
only the shared fields and accepts it. The case worker then reads the acceptance on the
case timeline. Only the starting agencies and users are made with factories.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from himaya.accounts.tests.factories import PASSWORD, UserFactory
from himaya.agencies.models import AgencyKind, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory, governorate
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case, Phase
from himaya.referrals.models import Referral
from himaya.screening.models import Screening
from himaya.survivors.models import Consent, Survivor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARABIC = re.compile(r"[\u0600-\u06ff]")

# Adults' labour set: one strong and one medium "yes" in deceptive recruitment, in
# exploitation and in coercion at destination make the three dimensions positive, which for
# an adult is trafficking indicated (himaya/screening/rules.py).
YES = [
    "A_LAB-DR-S01",  # misled about the type of job
    "A_LAB-DR-M01",  # misled about working conditions
    "A_LAB-EX-S01",  # excessive working days or hours
    "A_LAB-EX-M01",  # bad living conditions
    "A_LAB-CD-S01",  # identity or travel documents confiscated
    "A_LAB-CD-M01",  # forced into illicit activities
]

NAME_AR = "سلمى أحمد حسن"
NAME_LATIN = "Salma Ahmed Hassan"
PHONE = "+20 11 2222 3333"
PASSPORT = "A77120934"
MEDICAL_NOTE = "تحتاج إلى فحص طبي عام وعلاج لإصابة في اليد"
HOSPITAL = "مستشفى الأمل"
FORCED_LABOUR = "العمل القسري (السخرة) أو الخدمة قسراً"
OUTCOME_INDICATED = "الاتجار مرجَّح بقوة (ضحية مفترضة)"


def in_arabic(page: Page, heading: str) -> None:
    """The page is laid out right to left, in Arabic, under the expected heading."""
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_contain_text(heading)
    assert ARABIC.search(page.locator("h1").inner_text())


def click_and_load(page: Page, target: Any) -> None:
    target.click()
    page.wait_for_load_state("networkidle")


def sign_out(page: Page) -> None:
    click_and_load(page, page.get_by_test_id("logout"))
    in_arabic(page, "تسجيل الدخول إلى حماية")


def test_a_survivor_is_identified_screened_and_referred_and_the_partner_accepts_in_arabic(
    page: Page, live_server: Any, sign_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    directorate = AgencyFactory(
        name_ar="مديرية التضامن بالجيزة",
        name_en="Giza Directorate",
        kind=AgencyKind.DIRECTORATE,
        governorate=governorate("EG-C"),
    )
    hospital = AgencyFactory(
        name_ar=HOSPITAL,
        name_en="Hope Hospital",
        kind=AgencyKind.HEALTH,
        governorate=governorate("EG-C"),
    )
    worker = UserFactory(username="mona", first_name="منى", last_name="عبد الله")
    Membership.objects.create(user=worker, agency=directorate, role=Role.CASE_WORKER)
    doctor = UserFactory(username="dr.salwa", first_name="سلوى", last_name="فهمي")
    Membership.objects.create(user=doctor, agency=hospital, role=Role.PARTNER_STAFF)

    # 1. The case worker signs in through the login page and registers the survivor.
    page.goto(f"{live_server.url}/accounts/login/")
    in_arabic(page, "تسجيل الدخول إلى حماية")
    screenshot(page, "journey-01-login")
    sign_in(page, "mona", PASSWORD)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    click_and_load(page, page.locator("[data-nav=survivors]"))
    in_arabic(page, "الناجيات والناجون")
    click_and_load(page, page.get_by_test_id("register-survivor"))
    in_arabic(page, "تسجيل ناجٍ/ناجية")
    page.fill("input[name=name_ar]", NAME_AR)
    page.fill("input[name=name_latin]", NAME_LATIN)
    page.fill("input[name=phone]", PHONE)
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=birth_year]", "1995")
    page.select_option("select[name=nationality]", "EG")
    page.select_option("select[name=document_kind]", "passport")
    page.fill("input[name=document_number]", PASSPORT)
    screenshot(page, "journey-02-register")
    click_and_load(page, page.get_by_test_id("register-submit"))

    in_arabic(page, "الناجي")
    survivor = Survivor.objects.get()
    expect(page.get_by_test_id("survivor-code")).to_have_text(survivor.code)
    expect(page.get_by_role("alert").first).to_have_text(f"سُجِّل الناجي/ة بالرمز {survivor.code}.")
    expect(page.get_by_test_id("clear-data")).to_contain_text("أنثى")
    expect(page.get_by_test_id("identity")).not_to_contain_text(NAME_AR)

    # 2. The survivor agrees to be referred to the hospital: recorded on the survivor page.
    consent_form = page.locator("form[action$='/consents/']")
    page.locator("summary", has_text="تسجيل موافقة").click()
    consent_form.locator("select[name=purpose]").select_option("referral")
    consent_form.locator("select[name=recipient]").select_option(str(hospital.pk))
    screenshot(page, "journey-03-consent")
    click_and_load(page, consent_form.get_by_role("button", name="سجِّل الموافقة"))
    in_arabic(page, "الناجي")
    expect(page.get_by_role("alert").first).to_have_text("سُجِّلت الموافقة.")
    consents = page.get_by_test_id("consents")
    expect(consents).to_contain_text("الإحالة إلى جهة محددة")
    expect(consents).to_contain_text(HOSPITAL)
    expect(consents).to_contain_text("سارية")

    # 3. A screening, started from the survivor page, answered so that trafficking is indicated.
    click_and_load(page, page.get_by_test_id("start-screening"))
    in_arabic(page, f"فحص الناجي/ة {survivor.code}")
    expect(page.get_by_label("البالغون - الاتجار بغرض الاستغلال في العمل")).to_be_checked()
    page.locator('input[name="consent_by"][value="person"]').check()
    page.locator('input[name="interpreter_needed"][value="no"]').check()
    click_and_load(page, page.get_by_test_id("choose-set"))
    in_arabic(page, f"فحص الناجي/ة {survivor.code}")
    expect(page.get_by_test_id("questionnaire")).to_contain_text("التجنيد بالخداع")
    for code in YES:
        page.locator(f'input[name="answer-{code}"][value="yes"]').check()
    expect(page.locator('input[type=radio][value="yes"]:checked')).to_have_count(len(YES))
    screenshot(page, "journey-04-questionnaire")
    click_and_load(page, page.get_by_test_id("record-screening"))

    expect(page.get_by_test_id("outcome-label")).to_have_text(OUTCOME_INDICATED)
    screening = Screening.objects.get()
    in_arabic(page, f"الفحص {screening.code}")
    explanation = page.get_by_test_id("explanation")
    expect(explanation).to_contain_text("خداع بشأن طبيعة العمل أو مكانه أو صاحب العمل")
    expect(explanation).to_contain_text("الإكراه في مكان الوجهة")
    offer = page.get_by_test_id("open-case")
    expect(offer).to_have_text("فتح حالة لهذا الناجي/ة")
    screenshot(page, "journey-05-screening-result")

    # 4. The result page's offer opens the case, with the survivor and screening filled in.
    click_and_load(page, offer)
    in_arabic(page, "فتح حالة")
    expect(page.locator("input[name=survivor]")).to_have_value(survivor.code)
    expect(page.locator("input[name=screening_code]")).to_have_value(screening.code)
    page.select_option("select[name=identified_by]", "ngo_outreach")
    page.select_option("select[name=recruitment_channel]", "social_media")
    page.locator("[data-field=exploitation_forms]").get_by_label(FORCED_LABOUR, exact=True).check()
    screenshot(page, "journey-06-open-case")
    click_and_load(page, page.get_by_test_id("open-case-submit"))

    in_arabic(page, "الحالة")
    case = Case.objects.get()
    expect(page.get_by_role("alert").first).to_have_text(f"فُتحت الحالة {case.code}.")
    expect(page.get_by_test_id("case-phase")).to_have_text("التحديد")
    expect(page.get_by_test_id("case-facts")).to_contain_text(screening.code)
    expect(page.get_by_test_id("case-facts")).to_contain_text(FORCED_LABOUR)
    expect(page.get_by_test_id("timeline")).to_contain_text("فُتحت الحالة في مرحلة التحديد")

    # 5. From the case page's referrals panel, the case is referred to the hospital.
    panel = page.get_by_test_id("referrals-panel")
    expect(panel).to_contain_text("لا توجد إحالات.")
    click_and_load(page, panel.get_by_role("link", name="إحالة إلى جهة"))
    in_arabic(page, f"إحالة الحالة {case.code}")
    page.select_option("select[name=to_agency]", hospital.code)
    page.select_option("select[name=service_type]", "medical")
    page.check("input[name=shared_fields][value=first_name]")
    page.check("input[name=shared_fields][value=sex]")
    page.check("input[name=shared_fields][value=medical_needs]")
    page.fill("textarea[name=medical_note]", MEDICAL_NOTE)
    screenshot(page, "journey-07-refer")
    click_and_load(page, page.get_by_test_id("referral-submit"))

    in_arabic(page, "الإحالة")
    expect(page.get_by_test_id("referral-status")).to_have_text("مُرسلة")
    expect(page.get_by_role("alert").first).to_have_text("أُرسلت الإحالة.")
    referral = Referral.objects.get()
    sign_out(page)

    # 6. The hospital's doctor finds the referral among the incoming ones.
    sign_in(page, "dr.salwa", PASSWORD)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    click_and_load(page, page.locator("[data-nav=referrals_inbox]"))
    in_arabic(page, "الإحالات الواردة")
    row = page.get_by_test_id("referral-table").locator("tbody tr", has_text=referral.code)
    expect(row).to_contain_text("مديرية التضامن بالجيزة")
    expect(row).to_contain_text("الرعاية الطبية")
    expect(row).to_contain_text("مُرسلة")
    screenshot(page, "journey-08-inbox")
    click_and_load(page, row.get_by_role("link", name=referral.code))

    # Only the three shared fields show: the first name, the sex and the medical note.
    in_arabic(page, "الإحالة")
    shared = page.get_by_test_id("shared-fields")
    expect(shared).to_contain_text("ما شورك مع جهتك")
    expect(shared.locator("[data-field]")).to_have_count(3)
    expect(shared.locator("[data-field=first_name]")).to_have_text("سلمى")
    expect(shared.locator("[data-field=sex]")).to_have_text("أنثى")
    expect(shared.locator("[data-field=medical_needs]")).to_have_text(MEDICAL_NOTE)
    for hidden in ("حسن", "Hassan", PHONE, PASSPORT, "1995"):
        expect(page.locator("main")).not_to_contain_text(hidden)
    expect(page.locator(f"a[href$='/cases/{case.code}/']")).to_have_count(0)
    screenshot(page, "journey-09-partner-referral")

    click_and_load(page, page.get_by_test_id("accept"))
    in_arabic(page, "الإحالة")
    expect(page.get_by_role("alert").first).to_have_text("قُبلت الإحالة.")
    expect(page.get_by_test_id("referral-status")).to_have_text("مقبولة")
    expect(page.get_by_test_id("accept")).to_have_count(0)
    screenshot(page, "journey-10-accepted")
    sign_out(page)

    # 7. The case worker reads the acceptance on the case timeline.
    sign_in(page, "mona", PASSWORD)
    click_and_load(page, page.locator("[data-nav='cases.list']"))
    in_arabic(page, "الحالات")
    click_and_load(page, page.get_by_test_id("case-list").get_by_role("link", name=case.code))
    in_arabic(page, "الحالة")
    accepted = page.locator("[data-testid=timeline] [data-kind='referral.accepted']")
    expect(accepted).to_have_count(1)
    expect(accepted).to_contain_text(f"قبلت {HOSPITAL} الإحالة")
    expect(accepted).to_contain_text("سلوى فهمي")
    sent = page.locator("[data-testid=timeline] [data-kind='referral.sent']")
    expect(sent).to_contain_text(f"أُحيلت إلى {HOSPITAL} لخدمة الرعاية الطبية")
    panel = page.get_by_test_id("referrals-panel")
    expect(panel).to_contain_text(referral.code)
    expect(panel).to_contain_text("مقبولة")
    screenshot(page, "journey-11-case-timeline")

    # The database holds exactly the story told through the pages.
    assert Survivor.objects.count() == 1
    survivor.refresh_from_db()
    assert survivor.name_ar == NAME_AR
    assert survivor.registered_by_agency == directorate
    consent = Consent.objects.get()
    assert (consent.survivor, consent.purpose, consent.recipient) == (
        survivor,
        "referral",
        hospital,
    )
    assert Screening.objects.count() == 1
    screening.refresh_from_db()
    assert screening.survivor == survivor
    assert screening.outcome == "indicated"
    assert sorted(screening.positive_dimensions) == ["CD", "DR", "EX"]
    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert (case.survivor, case.lead_agency, case.case_worker) == (survivor, directorate, worker)
    assert case.phase == Phase.IDENTIFICATION
    assert case.screening_code == screening.code
    assert list(case.exploitation_forms.values_list("code", flat=True)) == ["forced_labour"]
    assert Referral.objects.count() == 1
    referral.refresh_from_db()
    assert (referral.case, referral.to_agency, referral.status) == (case, hospital, "accepted")
    assert referral.consent_basis == "consent"
    assert referral.shared_fields == ["first_name", "sex", "medical_needs"]
    assert referral.answered_by == doctor
    views = AuditEvent.objects.filter(action="referral.shared_fields_viewed")
    assert views.count() == 2  # the referral page before and after accepting
    assert set(views.values_list("actor", "purpose", "object_code")) == {
        (doctor.pk, "referral", referral.code)
    }
    for event in views:
        assert event.details == {
            "case": case.code,
            "fields": ["first_name", "sex", "medical_needs"],
        }
    assert AuditEvent.objects.filter(
        action="referral.accepted", actor=doctor, object_code=referral.code
    ).exists()
