"""The printable case summary: the right reader, the right language, identity only on
purpose, and every summary produced recorded in the audit trail."""

import datetime
from collections.abc import Callable

import pytest
import rules
from django.conf import settings
from django.test import Client

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Governorate, Role
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case, ExploitationForm, Phase, PhaseChange, RiskLevel
from himaya.cases.tests.factories import (
    CarePlanFactory,
    CarePlanGoalFactory,
    CaseFactory,
    RiskAssessmentFactory,
)
from himaya.core.pdf import PDF
from himaya.core.tests.pdftext import pdf_text, without_spaces
from himaya.survivors.tests.factories import SurvivorDocumentFactory

pytestmark = pytest.mark.django_db

NAME_AR = "منسي بيرقدار"
NAME_LATIN = "Mansy Bayraqdar"
PASSPORT = "P7654321"


@pytest.fixture
def case(agency_a: Agency, personas: dict[str, User]) -> Case:
    case = CaseFactory(
        lead_agency=agency_a,
        case_worker=personas[Role.CASE_WORKER],
        phase=Phase.PROTECTION,
        survivor__name_ar=NAME_AR,
        survivor__name_latin=NAME_LATIN,
        survivor__birth_year=2004,
        survivor__nationality="SD",
        governorate_of_exploitation=Governorate.objects.get(code="EG-GZ"),
    )
    case.exploitation_forms.set([ExploitationForm.objects.get(code="sexual_exploitation")])
    SurvivorDocumentFactory(survivor=case.survivor, number=PASSPORT)
    PhaseChange.objects.create(
        case=case,
        from_phase=Phase.IDENTIFICATION,
        to_phase=Phase.PROTECTION,
        changed_on=datetime.date(2026, 3, 5),
    )
    RiskAssessmentFactory(case=case, level=RiskLevel.LOW, assessed_on=datetime.date(2026, 3, 3))
    RiskAssessmentFactory(
        case=case, level=RiskLevel.CRITICAL, assessed_on=datetime.date(2026, 3, 9)
    )
    plan = CarePlanFactory(case=case)
    CarePlanGoalFactory(care_plan=plan, description="الحصول على رعاية طبية")
    return case


def _url(case: Case) -> str:
    return f"/cases/{case.code}/summary.pdf"


def _in(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _printed(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="case.summary_printed", object_code=case.code))


def _identity_reads(case: Case) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action="survivor.identity_viewed", object_code=case.survivor.code)
    )


def test_the_arabic_summary_reads_back_in_logical_order_without_the_identity(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    response = _in(login(personas[Role.CASE_WORKER]), "ar").get(_url(case))

    assert response.status_code == 200
    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"] == f'inline; filename="case-summary-{case.code}.pdf"'
    text = pdf_text(response.content)
    for expected in (
        "ملخص الحالة",
        case.code,
        "وزارة التضامن الاجتماعي",
        "Ministry of Social Solidarity",
        "الحماية",  # the phase
        "الجيزة",
        "الاستغلال الجنسي",
        "حرج",  # the latest risk, not the earlier one
        "الحصول على رعاية طبية",
        case.survivor.code,
        "2004",
        "السودان",
        personas[Role.CASE_WORKER].username,
    ):
        assert expected in text, expected
    assert without_spaces("صفحة 1 من") in without_spaces(text)
    assert "منخفض" not in text
    assert NAME_AR not in text
    assert NAME_LATIN not in text
    assert PASSPORT not in text


def test_the_english_summary_shows_the_same_case_in_english(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    response = _in(login(personas[Role.SUPERVISOR]), "en").get(_url(case))

    assert response.status_code == 200
    assert response["Content-Type"] == PDF
    text = pdf_text(response.content)
    for expected in (
        f"Case summary {case.code}",
        "Ministry of Social Solidarity",
        "وزارة التضامن الاجتماعي",
        "Protection",
        "Critical",
        "Sudan",
        "Page 1 of",
        personas[Role.SUPERVISOR].username,
    ):
        assert expected in text, expected
    assert NAME_AR not in text
    assert NAME_LATIN not in text


def test_each_summary_produced_is_recorded_once_without_a_purpose(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    reader = personas[Role.CASE_WORKER]
    login(reader).get(_url(case))

    [event] = _printed(case)
    assert event.actor_id == reader.pk
    assert event.purpose == ""
    assert event.details == {"survivor": case.survivor.code, "identity": False}
    assert _identity_reads(case) == []


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_identity_is_printed_when_asked_for_with_a_purpose_and_recorded_with_it(
    case: Case, personas: dict[str, User], login: Callable[[User], Client], language: str
) -> None:
    reader = personas[Role.CASE_WORKER]
    response = _in(login(reader), language).post(_url(case), {"purpose": "legal"})

    assert response.status_code == 200
    assert response["Content-Type"] == PDF
    text = pdf_text(response.content)
    assert NAME_AR in text
    assert NAME_LATIN in text
    assert PASSPORT in text
    assert NAME_AR not in response["Content-Disposition"]
    assert ("الإجراءات القانونية" if language == "ar" else "Legal proceedings") in text
    [printed] = _printed(case)
    assert (printed.purpose, printed.details["identity"]) == ("legal", True)
    [read] = _identity_reads(case)
    assert (read.actor_id, read.purpose) == (reader.pk, "legal")


def test_without_the_capability_the_identity_is_refused_and_nothing_is_recorded(
    case: Case,
    personas: dict[str, User],
    login: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(rules.permissions.permissions, "survivors.view_identity", rules.always_deny)
    client = login(personas[Role.CASE_WORKER])

    refused = client.post(_url(case), {"purpose": "care"})
    masked = client.get(_url(case))

    assert refused.status_code == 403
    assert NAME_AR.encode() not in refused.content
    assert masked.status_code == 200
    assert NAME_AR not in pdf_text(masked.content)
    assert [e.details["identity"] for e in _printed(case)] == [False]
    assert _identity_reads(case) == []


def test_a_request_for_the_identity_without_a_purpose_is_refused(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    response = login(personas[Role.CASE_WORKER]).post(_url(case), {"purpose": ""})

    assert response.status_code == 400
    assert _printed(case) == []
    assert _identity_reads(case) == []


# Who may print: the lead agency's case workers and supervisors. Another agency's case
# worker does not find the case; every other role may not work on cases at all.
EXPECTED = {Role.CASE_WORKER: 200, Role.SUPERVISOR: 200, "outsider": 404}


@pytest.mark.parametrize("role", [*[role.value for role in Role], "outsider"])
def test_every_role_gets_the_summary_only_within_its_scope(
    case: Case, personas: dict[str, User], login: Callable[[User], Client], role: str
) -> None:
    client = login(personas[role])

    plain = client.get(_url(case))
    with_identity = client.post(_url(case), {"purpose": "care"})

    expected = EXPECTED.get(role, 403)
    assert (plain.status_code, with_identity.status_code) == (expected, expected)
    if expected == 200:
        assert len(_printed(case)) == 2
        assert len(_identity_reads(case)) == 1
    else:
        assert NAME_AR.encode() not in plain.content + with_identity.content
        assert _printed(case) == []
        assert _identity_reads(case) == []


def test_a_case_that_does_not_exist_is_not_found(
    personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    response = login(personas[Role.CASE_WORKER]).get("/cases/CS-2222-2222-2/summary.pdf")

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="case.summary_printed").count() == 0


def test_an_anonymous_visitor_is_sent_to_sign_in(case: Case, client: Client) -> None:
    response = client.get(_url(case))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _printed(case) == []


def test_the_case_page_links_to_the_summary_and_to_the_choice_of_a_purpose(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.CASE_WORKER])

    page = client.get(f"/cases/{case.code}/").content.decode()
    chooser = client.get(f"/cases/{case.code}/print/")

    assert f'href="{_url(case)}"' in page
    assert f'href="/cases/{case.code}/print/"' in page
    assert chooser.status_code == 200
    html = chooser.content.decode()
    assert f'action="{_url(case)}"' in html
    assert 'name="purpose"' in html
    assert NAME_AR not in html
    assert _identity_reads(case) == []


@pytest.mark.parametrize("role", [Role.PARTNER_STAFF, Role.ANALYST, "outsider"])
def test_the_choice_of_a_purpose_is_offered_only_within_scope(
    case: Case, personas: dict[str, User], login: Callable[[User], Client], role: str
) -> None:
    response = login(personas[role]).get(f"/cases/{case.code}/print/")

    assert response.status_code == (404 if role == "outsider" else 403)
