"""Help text on the main forms, in Arabic: shown under the field, and linked to the input
by ``aria-describedby`` so that a screen reader reads it with the field."""

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases.forms import OpenCaseForm, RiskFields
from himaya.cases.tests.factories import CaseFactory
from himaya.fund.forms import PaymentRequestForm
from himaya.referrals.forms import ReferralForm
from himaya.survivors.forms import RegisterForm

pytestmark = pytest.mark.django_db


def arabic(text: object) -> str:
    with translation.override("ar"):
        return str(text)


def help_of(html: str, field_id: str) -> str:
    """The text of the help element of a field (an assertion fails when there is none)."""
    match = re.search(rf'<div class="form-text" id="{field_id}_helptext">(.*?)</div>', html, re.S)
    assert match is not None, f"no help text for {field_id}"
    return match.group(1)


def described_by(html: str, field_id: str) -> list[str]:
    """The ids named by ``aria-describedby`` on the element with this id."""
    tag = re.search(rf'<[^>]*\bid="{field_id}"[^>]*>', html)
    assert tag is not None, f"no element {field_id}"
    ids = re.search(r'aria-describedby="([^"]*)"', tag.group(0))
    return ids.group(1).split() if ids else []


def assert_linked_help(html: str, field_id: str, text: object) -> None:
    assert help_of(html, field_id) == escape(arabic(text))
    assert f"{field_id}_helptext" in described_by(html, field_id)


def test_registering_a_survivor_explains_the_age_fields_in_arabic(
    login: Callable[[User], Client], case_worker: User
) -> None:
    html = login(case_worker).get("/survivors/register/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    fields = RegisterForm.base_fields
    assert_linked_help(html, "id_date_of_birth", fields["date_of_birth"].help_text)
    assert_linked_help(html, "id_estimated_age", fields["estimated_age"].help_text)
    assert_linked_help(html, "id_age_is_estimated", fields["age_is_estimated"].help_text)
    assert_linked_help(html, "id_document_number", fields["document_number"].help_text)


def test_opening_a_case_explains_the_identification_date_in_arabic(
    login: Callable[[User], Client], case_worker: User
) -> None:
    html = login(case_worker).get("/cases/open/").content.decode()
    fields = OpenCaseForm.base_fields
    assert_linked_help(html, "id_identified_on", fields["identified_on"].help_text)
    assert_linked_help(html, "id_first_contact_on", fields["first_contact_on"].help_text)
    assert_linked_help(html, "id_identified_by", fields["identified_by"].help_text)
    assert_linked_help(html, "id_is_transnational", fields["is_transnational"].help_text)
    assert "سلطة مختصة" in help_of(html, "id_identified_on")


def test_the_risk_assessment_says_what_each_level_implies_in_arabic(
    login: Callable[[User], Client], case_worker: User, agency_a: Agency
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    html = login(case_worker).get(f"/cases/{case.code}/risk/").content.decode()
    assert_linked_help(html, "id_level", RiskFields.base_fields["level"].help_text)
    assert_linked_help(html, "id_assessed_on", RiskFields.base_fields["assessed_on"].help_text)
    assert "30" in help_of(html, "id_level")
    # The factors are a group of boxes: the help describes the whole group.
    assert re.search(r'<fieldset aria-describedby="id_factors_helptext">', html)


def test_sending_a_referral_explains_the_receiving_agency_in_arabic(
    login: Callable[[User], Client], case_worker: User, agency_a: Agency
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    html = login(case_worker).get(f"/referrals/new/?case={case.code}").content.decode()
    fields = ReferralForm.base_fields
    assert_linked_help(html, "id_to_agency", fields["to_agency"].help_text)
    assert_linked_help(html, "id_safety_note", fields["safety_note"].help_text)
    assert 'role="group" aria-describedby="id_shared_fields_helptext"' in html


def test_requesting_a_payment_explains_the_purpose_in_arabic(
    login: Callable[[User], Client], personas: dict[str, User]
) -> None:
    html = login(personas["fund_officer"]).get("/fund/request/").content.decode()
    fields = PaymentRequestForm.base_fields
    assert_linked_help(html, "id_purpose", fields["purpose"].help_text)
    assert_linked_help(html, "id_justification", fields["justification"].help_text)
    assert_linked_help(html, "id_case_code", fields["case_code"].help_text)


def test_a_field_in_error_is_described_by_its_help_and_its_error(
    login: Callable[[User], Client], case_worker: User
) -> None:
    response = login(case_worker).post("/cases/open/", {"first_contact_on": "not a date"})
    html = response.content.decode()
    assert described_by(html, "id_first_contact_on") == [
        "id_first_contact_on_helptext",
        "id_first_contact_on_error",
    ]
    assert 'id="id_first_contact_on_error"' in html
