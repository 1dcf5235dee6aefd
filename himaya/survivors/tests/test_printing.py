"""The printable consent form: pre-filled from a recorded consent or blank for a code,
the survivor named by code only, and every form produced recorded."""

import datetime
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.cases.tests.factories import CaseFactory
from himaya.core.pdf import PDF
from himaya.core.tests.pdftext import pdf_text
from himaya.survivors.models import Consent, ConsentPurpose, Survivor
from himaya.survivors.tests.factories import ConsentFactory

pytestmark = pytest.mark.django_db

NAME_AR = "منسي بيرقدار"
NAME_LATIN = "Mansy Bayraqdar"


@pytest.fixture
def survivor(agency_a: Agency, personas: dict[str, User]) -> Survivor:
    case = CaseFactory(
        lead_agency=agency_a,
        case_worker=personas[Role.CASE_WORKER],
        survivor__name_ar=NAME_AR,
        survivor__name_latin=NAME_LATIN,
    )
    return case.survivor


@pytest.fixture
def consent(
    survivor: Survivor, personas: dict[str, User], make_persona: Callable[..., User]
) -> Consent:
    partner = make_persona(Role.PARTNER_STAFF).memberships.get().agency
    return ConsentFactory(
        survivor=survivor,
        purpose=ConsentPurpose.REFERRAL,
        recipient=partner,
        given_on=datetime.date(2026, 2, 14),
        recorded_by=personas[Role.CASE_WORKER],
    )


def _in(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _blank_url(survivor: Survivor) -> str:
    return f"/survivors/{survivor.code}/consent-form.pdf"


def _filled_url(consent: Consent) -> str:
    return f"/survivors/{consent.survivor.code}/consents/{consent.pk}/form.pdf"


def _printed(survivor: Survivor) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action="survivor.consent_form_printed", object_code=survivor.code
        ).order_by("sequence")
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ar", ["نموذج الموافقة", "حقوقك", "الإحالة إلى جهة محددة", "توقيع الناجي"]),
        ("en", ["Consent form", "Your rights", "Referral to a named agency", "Signature"]),
    ],
)
def test_the_form_is_pre_filled_from_the_recorded_consent(
    consent: Consent,
    personas: dict[str, User],
    login: Callable[[User], Client],
    language: str,
    expected: list[str],
) -> None:
    response = _in(login(personas[Role.CASE_WORKER]), language).get(_filled_url(consent))

    assert response.status_code == 200
    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"] == (
        f'inline; filename="consent-form-{consent.survivor.code}-{consent.pk}.pdf"'
    )
    text = pdf_text(response.content)
    for phrase in [*expected, consent.survivor.code, "2026"]:
        assert phrase in text, phrase
    assert consent.recipient is not None
    assert consent.recipient.name in text
    # Only the recorded purpose is on a pre-filled form.
    other = "المشاركة مع سفارة" if language == "ar" else "Sharing with an embassy"
    assert other not in text
    assert NAME_AR not in text
    assert NAME_LATIN not in text


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_blank_form_lists_every_purpose_to_tick(
    survivor: Survivor, personas: dict[str, User], login: Callable[[User], Client], language: str
) -> None:
    response = _in(login(personas[Role.SUPERVISOR]), language).get(_blank_url(survivor))

    assert response.status_code == 200
    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"] == (
        f'inline; filename="consent-form-{survivor.code}.pdf"'
    )
    text = pdf_text(response.content)
    assert ("نموذج الموافقة" if language == "ar" else "Consent form") in text
    assert survivor.code in text
    with translation.override(language):
        labels = [str(purpose.label) for purpose in ConsentPurpose]
    for label in labels:
        assert label in text, label
    assert NAME_AR not in text
    assert NAME_LATIN not in text


def test_each_form_produced_is_recorded_by_code_without_a_purpose(
    consent: Consent, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.CASE_WORKER])
    client.get(_filled_url(consent))
    client.get(_blank_url(consent.survivor))

    events = _printed(consent.survivor)
    assert [(e.actor_id, e.purpose, e.details) for e in events] == [
        (personas[Role.CASE_WORKER].pk, "", {"consent": consent.pk, "purpose": "referral"}),
        (personas[Role.CASE_WORKER].pk, "", {"consent": None, "purpose": ""}),
    ]


def test_a_consent_of_another_survivor_is_not_found(
    consent: Consent,
    survivor: Survivor,
    personas: dict[str, User],
    agency_a: Agency,
    login: Callable[[User], Client],
) -> None:
    other = CaseFactory(lead_agency=agency_a).survivor
    response = login(personas[Role.CASE_WORKER]).get(
        f"/survivors/{other.code}/consents/{consent.pk}/form.pdf"
    )

    assert response.status_code == 404
    assert _printed(other) == []
    assert _printed(survivor) == []


# The survivor's agency (case workers and supervisors) prints; another agency's case worker
# does not find the survivor, and no other role sees survivors at all.
@pytest.mark.parametrize("role", [*[role.value for role in Role], "outsider"])
def test_every_role_gets_the_form_only_within_its_scope(
    consent: Consent, personas: dict[str, User], login: Callable[[User], Client], role: str
) -> None:
    client = login(personas[role])

    filled = client.get(_filled_url(consent))
    blank = client.get(_blank_url(consent.survivor))

    expected = 200 if role in {Role.CASE_WORKER, Role.SUPERVISOR} else 404
    assert (filled.status_code, blank.status_code) == (expected, expected)
    assert len(_printed(consent.survivor)) == (2 if expected == 200 else 0)


def test_the_survivor_page_links_to_both_forms(
    consent: Consent, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    html = login(personas[Role.CASE_WORKER]).get(f"/survivors/{consent.survivor.code}/")

    assert f'href="{_blank_url(consent.survivor)}"' in html.content.decode()
    assert f'href="{_filled_url(consent)}"' in html.content.decode()
    assert _printed(consent.survivor) == []
