"""Consent before the interview, the age at recruitment and the child's outcome: through
the action, the page and the API; a refusal changes nothing."""

import datetime as dt
import json
from collections.abc import Callable

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.screening import demo
from himaya.screening.actions import record_screening
from himaya.screening.exceptions import ScreeningError
from himaya.screening.models import Screening, ScreeningAnswer
from himaya.screening.tests.factories import SurvivorFactory, labour_set
from himaya.survivors.models import Survivor

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
CHILD_REASON = (
    "Exploitation of a child is positive but no recruitment dimension is. A child is never "
    "a labour-rights case: refer the child to child protection at once, and establish how "
    "the child was recruited, moved or received."
)


@pytest.fixture
def adult(agency_a: Agency, case_worker: User) -> Survivor:
    return SurvivorFactory(registered_by_agency=agency_a, registered_by=case_worker)


@pytest.fixture
def nineteen(agency_a: Agency, case_worker: User) -> Survivor:
    return SurvivorFactory(
        registered_by_agency=agency_a, registered_by=case_worker, birth_year=2007
    )


def snapshot() -> tuple[int, int, int]:
    return (
        Screening.objects.count(),
        ScreeningAnswer.objects.count(),
        AuditEvent.objects.filter(action="screening.recorded").count(),
    )


def english(login: Callable[[User], Client], user: User) -> Client:
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    ("consent_by", "child_assent", "field"),
    [
        ("", False, "consent_by"),
        ("someone", False, "consent_by"),
        ("guardian", False, "child_assent"),
    ],
    ids=["no consent", "unknown consent", "guardian without the child's assent"],
)
def test_the_action_refuses_a_screening_without_consent_and_records_nothing(
    case_worker: User, adult: Survivor, consent_by: str, child_assent: bool, field: str
) -> None:
    before = snapshot()
    with pytest.raises(ScreeningError) as refused:
        record_screening(
            by=case_worker,
            survivor=adult,
            indicator_set=labour_set(),
            answers={},
            consent_by=consent_by,
            child_assent=child_assent,
        )
    assert list(refused.value.errors) == [field]
    assert snapshot() == before


def test_a_guardians_consent_with_the_childs_assent_is_stored(
    case_worker: User, nineteen: Survivor
) -> None:
    screening = record_screening(
        by=case_worker,
        survivor=nineteen,
        indicator_set=labour_set(children=True),
        answers={},
        consent_by="guardian",
        child_assent=True,
    )
    assert (screening.consent_by, screening.child_assent) == ("guardian", True)


@time_machine.travel(NOW, tick=False)
def test_a_person_recruited_at_16_and_19_today_gets_the_child_rule_and_child_protection(
    case_worker: User, nineteen: Survivor
) -> None:
    indicator_set = labour_set()
    screening = record_screening(
        by=case_worker,
        survivor=nineteen,
        indicator_set=indicator_set,
        answers=demo.answers_for(indicator_set, "exploitation"),
        consent_by="person",
        age_at_recruitment=16,
    )
    assert (screening.child_rule, screening.outcome) == (True, "child_protection")
    assert screening.age_at_recruitment == 16
    assert "labour-rights case)" not in screening.explanation_en
    assert CHILD_REASON in screening.explanation_en
    with translation.override("ar"):
        assert gettext(CHILD_REASON) in screening.explanation_ar
    assert screening.offers_case


@time_machine.travel(NOW, tick=False)
def test_an_adult_at_recruitment_exploited_without_recruitment_is_a_labour_rights_case(
    case_worker: User, nineteen: Survivor
) -> None:
    indicator_set = labour_set()
    screening = record_screening(
        by=case_worker,
        survivor=nineteen,
        indicator_set=indicator_set,
        answers=demo.answers_for(indicator_set, "exploitation"),
        consent_by="person",
        recruited_on=dt.date(2026, 2, 1),
    )
    assert (screening.child_rule, screening.outcome) == (False, "exploitation")
    assert screening.recruited_on == dt.date(2026, 2, 1)


@time_machine.travel(NOW, tick=False)
def test_a_person_of_unknown_age_is_screened_as_a_child(
    case_worker: User, agency_a: Agency
) -> None:
    unknown = SurvivorFactory(
        registered_by_agency=agency_a, registered_by=case_worker, birth_year=None
    )
    indicator_set = labour_set()
    screening = record_screening(
        by=case_worker,
        survivor=unknown,
        indicator_set=indicator_set,
        answers=demo.answers_for(indicator_set, "exploitation"),
        consent_by="person",
    )
    assert (screening.child_rule, screening.outcome) == (True, "child_protection")


def test_the_start_page_asks_for_consent_and_shows_the_guidance(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    html = (
        english(login, case_worker)
        .get(reverse("screening:start"), {"survivor": adult.code})
        .content.decode()
    )
    assert 'name="consent_by"' in html
    assert 'name="child_assent"' in html
    assert 'name="age_at_recruitment"' in html
    assert 'name="recruited_on"' in html
    assert "They may stop the interview at any time" in html
    assert "They may ask for an interpreter in their own language." in html
    assert "They may ask for an interviewer of their own sex." in html


def page_post(survivor: Survivor, **changes: str) -> dict[str, str]:
    indicator_set = labour_set()
    data = {
        "survivor": survivor.code,
        "indicator_set": str(indicator_set.pk),
        "interpreter_needed": "no",
        **changes,
    }
    for code, answer in demo.answers_for(indicator_set, "probable").items():
        data[f"answer-{code}"] = answer
    return data


def test_the_page_refuses_a_screening_without_consent_and_records_nothing(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    before = snapshot()
    response = english(login, case_worker).post(reverse("screening:start"), page_post(adult))
    assert response.status_code == 400
    assert (
        "Record who consented to the interview and the screening (the person, or the "
        "guardian for a child) before the questionnaire."
    ) in response.content.decode()
    assert snapshot() == before


def test_the_page_refuses_an_adult_set_for_a_child_at_recruitment(
    login: Callable[[User], Client], case_worker: User, nineteen: Survivor
) -> None:
    before = snapshot()
    response = english(login, case_worker).post(
        reverse("screening:start"),
        page_post(nineteen, consent_by="person", age_at_recruitment="16"),
    )
    assert response.status_code == 400
    assert (
        "The person was a child when recruited: choose the children&#x27;s set."
        in response.content.decode()
    )
    assert snapshot() == before


def test_the_page_records_the_consent_and_the_detail_shows_it(
    login: Callable[[User], Client], case_worker: User, nineteen: Survivor
) -> None:
    client = english(login, case_worker)
    response = client.post(
        reverse("screening:start"),
        page_post(nineteen, consent_by="guardian", child_assent="on"),
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert (screening.consent_by, screening.child_assent) == ("guardian", True)
    html = client.get(response["Location"]).content.decode()
    assert "The guardian (for a child) · the child assented" in html


def api_post(client: Client, survivor: Survivor, **changes: object) -> object:
    payload = {"survivor": survivor.code, "indicator_set": labour_set().pk, "answers": {}}
    payload.update(changes)
    return client.post(
        reverse("screening:api_screenings"), json.dumps(payload), content_type="application/json"
    )


def test_the_api_refuses_a_screening_without_consent_and_records_nothing(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    before = snapshot()
    response = api_post(english(login, case_worker), adult)
    assert response.status_code == 400  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["errors"] == {
        "consent_by": [
            "Record who consented to the interview and the screening (the person, or the "
            "guardian for a child) before the questionnaire."
        ]
    }
    assert snapshot() == before


@time_machine.travel(NOW, tick=False)
def test_the_api_records_consent_and_the_age_at_recruitment(
    login: Callable[[User], Client], case_worker: User, nineteen: Survivor
) -> None:
    response = api_post(
        english(login, case_worker),
        nineteen,
        consent_by="guardian",
        child_assent=True,
        age_at_recruitment=16,
        recruited_on="2023-05-01",
    )
    assert response.status_code == 201  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert (body["consent_by"], body["child_assent"]) == ("guardian", True)
    assert (body["age_at_recruitment"], body["recruited_on"]) == (16, "2023-05-01")
    assert body["child_rule"] is True


def test_the_case_page_proposal_reads_the_outcome_of_the_screening_by_its_code(
    case_worker: User, adult: Survivor
) -> None:
    from himaya.cases.proposals import screening_outcome

    screening = record_screening(
        by=case_worker,
        survivor=adult,
        indicator_set=labour_set(),
        answers={},
        consent_by="person",
    )
    with translation.override("en"):
        assert screening_outcome(screening.code) == "Trafficking not indicated"
    assert screening_outcome("SC-UNKNOWN1") is None
