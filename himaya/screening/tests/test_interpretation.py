"""Interpretation at the screening interview: recorded through the action, the page and the
API, refused when it does not hold together (nothing recorded), shown on the screening's
page; the interview guidance in both languages; outcomes never counted as victims."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.screening import demo
from himaya.screening.actions import Interpretation, record_screening
from himaya.screening.exceptions import ScreeningError
from himaya.screening.models import Outcome, Screening, ScreeningAnswer
from himaya.screening.tests.factories import SurvivorFactory, labour_set
from himaya.survivors.models import Survivor

pytestmark = pytest.mark.django_db


@pytest.fixture
def adult(agency_a: Agency, case_worker: User) -> Survivor:
    return SurvivorFactory(
        registered_by_agency=agency_a, registered_by=case_worker, birth_year=1995
    )


def client_in(login: Callable[[User], Client], user: User, language: str) -> Client:
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def snapshot() -> tuple[int, int, int]:
    return (
        Screening.objects.count(),
        ScreeningAnswer.objects.count(),
        AuditEvent.objects.filter(action="screening.recorded").count(),
    )


def screen(user: User, survivor: Survivor, interpretation: Interpretation | None) -> Screening:
    return record_screening(
        by=user,
        survivor=survivor,
        indicator_set=labour_set(),
        answers={},
        consent_by="person",
        interpretation=interpretation,
    )


REFUSALS = [
    (Interpretation(needed=True, provided_by="external"), "interview_language"),
    (Interpretation(needed=True, language="ti"), "interpreter_provided_by"),
    (Interpretation(needed=False, provided_by="external"), "interpreter_provided_by"),
    (Interpretation(needed=None, provided_by="agency_staff"), "interpreter_provided_by"),
    (Interpretation(needed=True, language="xx", provided_by="external"), "interview_language"),
    (Interpretation(needed=True, language="ti", provided_by="friend"), "interpreter_provided_by"),
    (
        Interpretation(
            needed=True, language="ti", provided_by="none_available", interpreter_sex="female"
        ),
        "interpreter_sex",
    ),
    (Interpretation(needed=False, interpreter_sex="male"), "interpreter_sex"),
    (Interpretation(needed=False, interviewer_sex="other"), "interviewer_sex"),
]


@pytest.mark.parametrize(
    ("interpretation", "field"),
    REFUSALS,
    ids=[
        "needed without language",
        "needed without provider",
        "not needed with provider",
        "not recorded with provider",
        "unknown language",
        "unknown provider",
        "sex of an interpreter none available",
        "sex of an interpreter not needed",
        "interviewer of another value",
    ],
)
def test_the_action_refuses_an_interpretation_that_does_not_hold_together_and_records_nothing(
    case_worker: User, adult: Survivor, interpretation: Interpretation, field: str
) -> None:
    before = snapshot()
    with pytest.raises(ScreeningError) as refused:
        screen(case_worker, adult, interpretation)
    assert list(refused.value.errors) == [field]
    assert snapshot() == before


def test_the_action_stores_the_interpretation_and_the_audit_trail_keeps_no_language(
    case_worker: User, adult: Survivor
) -> None:
    screening = screen(
        case_worker,
        adult,
        Interpretation(
            needed=True,
            language="ti",
            provided_by="external",
            interpreter_sex="female",
            interviewer_sex="female",
        ),
    )
    screening.refresh_from_db()
    assert (
        screening.interpreter_needed,
        screening.interview_language,
        screening.interpreter_provided_by,
        screening.interpreter_sex,
        screening.interviewer_sex,
    ) == (True, "ti", "external", "female", "female")
    details = AuditEvent.objects.get(action="screening.recorded").details
    assert (details["interpreter_needed"], details["interpreter_provided_by"]) == (
        True,
        "external",
    )
    assert "ti" not in details.values()
    assert "interview_language" not in details


def test_without_an_interpretation_nothing_is_recorded_about_it(
    case_worker: User, adult: Survivor
) -> None:
    screening = screen(case_worker, adult, None)
    assert (screening.interpreter_needed, screening.interview_language) == (None, "")


def page_data(survivor: Survivor, **changes: str) -> dict[str, str]:
    indicator_set = labour_set()
    data = {
        "survivor": survivor.code,
        "indicator_set": str(indicator_set.pk),
        "consent_by": "person",
    }
    data.update(changes)
    for code, answer in demo.answers_for(indicator_set, "probable").items():
        data[f"answer-{code}"] = answer
    return data


def test_the_start_page_asks_about_interpretation(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    html = (
        client_in(login, case_worker, "en")
        .get(reverse("screening:start"), {"survivor": adult.code})
        .content.decode()
    )
    for name in (
        "interpreter_needed",
        "interview_language",
        "interpreter_provided_by",
        "interpreter_sex",
        "interviewer_sex",
    ):
        assert f'name="{name}"' in html
    assert '<option value="ti">Tigrinya</option>' in html
    assert "External interpreter" in html
    assert "None available" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "Record whether an interpreter was needed."),
        (
            {"interpreter_needed": "yes", "interpreter_provided_by": "external"},
            "Record the language the person needed an interpreter for.",
        ),
        (
            {"interpreter_needed": "no", "interpreter_provided_by": "external"},
            "An interpreter is recorded only when one was needed.",
        ),
    ],
    ids=["not answered", "no language", "interpreter not needed"],
)
def test_the_page_refuses_an_incomplete_interpretation_and_records_nothing(
    login: Callable[[User], Client],
    case_worker: User,
    adult: Survivor,
    changes: dict[str, str],
    message: str,
) -> None:
    before = snapshot()
    response = client_in(login, case_worker, "en").post(
        reverse("screening:start"), page_data(adult, **changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_the_page_records_the_interpretation_and_the_screening_page_shows_it(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    client = client_in(login, case_worker, "en")
    data = page_data(
        adult,
        interpreter_needed="yes",
        interview_language="so",
        interpreter_provided_by="none_available",
        interviewer_sex="female",
    )
    questionnaire = client.get(
        reverse("screening:start"), {k: v for k, v in data.items() if "answer-" not in k}
    ).content.decode()
    assert '<input type="hidden" name="interview_language" value="so">' in questionnaire
    response = client.post(reverse("screening:start"), data)
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert (
        screening.interpreter_needed,
        screening.interview_language,
        screening.interpreter_provided_by,
        screening.interpreter_sex,
        screening.interviewer_sex,
    ) == (True, "so", "none_available", "", "female")
    html = client.get(response["Location"]).content.decode()
    assert "An interpreter was needed (Somali) · None available · interviewer: Female" in html
    assert 'data-testid="interpreter-missing"' in html


def test_the_screening_page_says_when_no_interpreter_was_needed(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    screening = screen(case_worker, adult, Interpretation(needed=False, language="ar"))
    html = (
        client_in(login, case_worker, "en")
        .get(reverse("screening:detail", args=[screening.code]))
        .content.decode()
    )
    assert "No interpreter needed (Arabic)" in html
    assert 'data-testid="interpreter-missing"' not in html


def test_a_screening_recorded_before_interpretation_was_asked_shows_not_recorded(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    screening = screen(case_worker, adult, None)
    html = (
        client_in(login, case_worker, "en")
        .get(reverse("screening:detail", args=[screening.code]))
        .content.decode()
    )
    assert '<dd class="col-sm-9" data-testid="interpretation">Not recorded</dd>' in html


def api_post(client: Client, survivor: Survivor, **changes: Any) -> Any:
    payload = {
        "survivor": survivor.code,
        "indicator_set": labour_set().pk,
        "answers": {},
        "consent_by": "person",
        **changes,
    }
    return client.post(
        reverse("screening:api_screenings"), json.dumps(payload), content_type="application/json"
    )


def test_the_api_records_and_returns_the_interpretation(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    response = api_post(
        client_in(login, case_worker, "en"),
        adult,
        interpreter_needed=True,
        interview_language="am",
        interpreter_provided_by="agency_staff",
        interpreter_sex="male",
        interviewer_sex="male",
    )
    assert response.status_code == 201
    body = response.json()
    assert {
        key: body[key]
        for key in (
            "interpreter_needed",
            "interview_language",
            "interpreter_provided_by",
            "interpreter_sex",
            "interviewer_sex",
        )
    } == {
        "interpreter_needed": True,
        "interview_language": "am",
        "interpreter_provided_by": "agency_staff",
        "interpreter_sex": "male",
        "interviewer_sex": "male",
    }


def test_the_api_refuses_an_interpreter_without_a_language_and_records_nothing(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    before = snapshot()
    response = api_post(
        client_in(login, case_worker, "en"),
        adult,
        interpreter_needed=True,
        interpreter_provided_by="external",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "interview_language": ["Record the language the person needed an interpreter for."]
    }
    assert snapshot() == before


# --- the interview guidance and the words of outcomes --------------------------------

GUIDANCE_EN = [
    "They may stop the interview at any time, without giving a reason and without losing any help.",
    "They may ask for an interpreter in their own language.",
    "They may ask for an interviewer of their own sex.",
]


@pytest.mark.parametrize("page", ["start", "questionnaire"])
def test_the_interview_guidance_is_on_the_start_page_and_the_questionnaire_in_english(
    login: Callable[[User], Client], case_worker: User, adult: Survivor, page: str
) -> None:
    query = {"survivor": adult.code}
    if page == "questionnaire":
        query.update(
            {
                "indicator_set": str(labour_set().pk),
                "consent_by": "person",
                "interpreter_needed": "no",
            }
        )
    html = (
        client_in(login, case_worker, "en").get(reverse("screening:start"), query)
    ).content.decode()
    for line in GUIDANCE_EN:
        assert line in html


def test_the_interview_guidance_speaks_of_survivors_inclusively_in_arabic(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    html = (
        client_in(login, case_worker, "ar")
        .get(reverse("screening:start"), {"survivor": adult.code})
        .content.decode()
    )
    assert '<html lang="ar" dir="rtl">' in html
    assert "قبل المقابلة، أبلِغ الناجية أو الناجي بما يلي" in html
    with translation.override("ar"):
        assert gettext(GUIDANCE_EN[0]).startswith("يحق للناجيات والناجين")
        assert gettext(GUIDANCE_EN[0]) in html


def test_trafficking_probable_is_never_called_a_victim() -> None:
    assert "victim" not in str(Outcome.PROBABLE.label).lower()
    with translation.override("ar"):
        assert "ضحي" not in str(Outcome.PROBABLE.label)


def test_the_list_says_outcomes_are_proposals_and_not_a_count_of_victims(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    indicator_set = labour_set()
    record_screening(
        by=case_worker,
        survivor=adult,
        indicator_set=indicator_set,
        answers=demo.answers_for(indicator_set, "probable"),
        consent_by="person",
    )
    html = client_in(login, case_worker, "en").get(reverse("screening:list")).content.decode()
    assert "Trafficking probable" in html
    assert (
        "An outcome is the screening's proposal for the identification decision, not an "
        "identification: these screenings are not a count of victims."
    ) in html
    table = html[html.index('data-testid="screening-list"') : html.index("</table>")]
    assert "Trafficking probable" in table
    assert "victim" not in table.lower()
