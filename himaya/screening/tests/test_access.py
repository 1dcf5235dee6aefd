"""Who may do what: every role × every page and endpoint, and denied writes change nothing."""

import json
import re

import pytest
from django.urls import reverse

from himaya.cases.models import Case
from himaya.screening import demo
from himaya.screening.models import Screening, ScreeningAnswer
from himaya.screening.tests.factories import SurvivorFactory, labour_set
from himaya.survivors.actions import sync_survivor_access

pytestmark = pytest.mark.django_db

ALLOWED = {"case_worker", "supervisor"}


@pytest.fixture
def world(personas, agency_a):
    """A survivor of agency A with a case and a screening made by A's case worker."""
    from himaya.screening.actions import record_screening

    worker = personas["case_worker"]
    survivor = SurvivorFactory(registered_by_agency=agency_a, registered_by=worker)
    case = Case.objects.create(
        survivor=survivor, lead_agency=agency_a, case_worker=worker, first_contact_on="2026-11-01"
    )
    indicator_set = labour_set()
    screening = record_screening(
        by=worker,
        survivor=survivor,
        indicator_set=indicator_set,
        answers=demo.answers_for(indicator_set, "indicated"),
        consent_by="person",
    )
    return {"survivor": survivor, "case": case, "screening": screening, "set": indicator_set}


def expected(role: str, allowed: int, outsider: int) -> int:
    if role == "outsider":
        return outsider
    return allowed if role in ALLOWED else 403


ROLES = [
    "case_worker",
    "supervisor",
    "shelter_staff",
    "fund_officer",
    "fund_approver",
    "empowerment_officer",
    "grants_officer",
    "partner_staff",
    "operator",
    "analyst",
    "auditor",
    "administrator",
    "outsider",
]

# (name, how to build the request, status when allowed, status for the outsider of agency B)
READS = [
    ("list page", lambda w: reverse("screening:list"), 200, 200),
    (
        "start page",
        lambda w: f"{reverse('screening:start')}?survivor={w['survivor'].code}",
        200,
        404,
    ),
    (
        "questionnaire",
        lambda w: (
            f"{reverse('screening:start')}?survivor={w['survivor'].code}"
            f"&indicator_set={w['set'].pk}"
        ),
        200,
        404,
    ),
    ("detail page", lambda w: reverse("screening:detail", args=[w["screening"].code]), 200, 404),
    ("case panel", lambda w: reverse("screening:case_panel", args=[w["case"].code]), 200, 404),
    ("api sets", lambda w: reverse("screening:api_sets"), 200, 200),
    ("api indicators", lambda w: reverse("screening:api_indicators", args=[w["set"].pk]), 200, 200),
    ("api list", lambda w: reverse("screening:api_screenings"), 200, 200),
    (
        "api detail",
        lambda w: reverse("screening:api_screening", args=[w["screening"].code]),
        200,
        404,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "allowed", "outsider"), READS, ids=[r[0] for r in READS])
def test_reads_by_role(login, personas, world, role, name, url, allowed, outsider) -> None:
    client = login(personas[role])
    response = client.get(url(world))
    assert response.status_code == expected(role, allowed, outsider)


@pytest.mark.parametrize("role", ROLES)
def test_lists_show_another_agencys_screening_to_nobody_outside(
    login, personas, world, role
) -> None:
    client = login(personas[role])
    page = client.get(reverse("screening:list"))
    api = client.get(reverse("screening:api_screenings"))
    code = world["screening"].code
    if role in ALLOWED:
        assert code in page.content.decode()
        assert [row["code"] for row in api.json()["results"]] == [code]
    elif role == "outsider":
        assert code not in page.content.decode()
        assert api.json()["results"] == []


def form_post(world):
    data = {
        "survivor": world["survivor"].code,
        "indicator_set": world["set"].pk,
        "consent_by": "person",
        "interpreter_needed": "no",
    }
    for code, answer in demo.answers_for(world["set"], "probable").items():
        data[f"answer-{code}"] = answer
    return data


@pytest.mark.parametrize("role", ROLES)
def test_recording_through_the_page_by_role(login, personas, world, role) -> None:
    before = (Screening.objects.count(), ScreeningAnswer.objects.count())
    response = login(personas[role]).post(reverse("screening:start"), form_post(world))
    assert response.status_code == expected(role, 302, 404)
    if role in ALLOWED:
        created = Screening.objects.latest("id")
        assert response["Location"] == reverse("screening:detail", args=[created.code])
        assert created.outcome == "probable"
        assert created.screened_by == personas[role]
    else:
        assert (Screening.objects.count(), ScreeningAnswer.objects.count()) == before


@pytest.mark.parametrize("role", ROLES)
def test_recording_through_the_api_by_role(login, personas, world, role) -> None:
    before = (Screening.objects.count(), ScreeningAnswer.objects.count())
    payload = {
        "survivor": world["survivor"].code,
        "indicator_set": world["set"].pk,
        "answers": demo.answers_for(world["set"], "exploitation"),
        "consent_by": "person",
    }
    response = login(personas[role]).post(
        reverse("screening:api_screenings"), json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == expected(role, 201, 404)
    if role in ALLOWED:
        body = response.json()
        assert body["outcome"] == "exploitation"
        assert body["positive_dimensions"] == ["EX"]
        assert body["rule_version"] == "ilo-ec-2009/2"
        assert "Exploitative conditions" in body["explanation_en"]
        assert len(body["answers"]) == 67
    else:
        assert (Screening.objects.count(), ScreeningAnswer.objects.count()) == before


def test_anonymous_visitors_are_sent_to_sign_in_and_refused_by_the_api(client, world) -> None:
    assert client.get(reverse("screening:list")).status_code == 302
    assert (
        client.get(reverse("screening:detail", args=[world["screening"].code])).status_code == 302
    )
    before = Screening.objects.count()
    assert client.post(reverse("screening:api_screenings"), {}).status_code == 403
    assert Screening.objects.count() == before


def test_a_missing_screening_is_not_found_like_a_forbidden_one(login, personas) -> None:
    client = login(personas["case_worker"])
    assert client.get(reverse("screening:detail", args=["SC-XXXX-XXXX-X"])).status_code == 404
    assert client.get(reverse("screening:api_screening", args=["SC-XXXX"])).status_code == 404


def test_a_screening_by_agency_a_of_a_survivor_with_a_case_led_by_b_stays_visible_to_a(
    login, personas, agency_a, agency_b
) -> None:
    from himaya.screening.actions import record_screening

    worker = personas["case_worker"]
    survivor = SurvivorFactory(registered_by_agency=agency_a, registered_by=worker)
    screening = record_screening(
        by=worker, survivor=survivor, indicator_set=labour_set(), answers={}, consent_by="person"
    )
    Case.objects.create(
        survivor=survivor,
        lead_agency=agency_b,
        case_worker=personas["outsider"],
        first_contact_on="2026-11-01",
    )
    sync_survivor_access(survivor=survivor)  # as opening the case does
    url = reverse("screening:detail", args=[screening.code])
    assert login(worker).get(url).status_code == 200
    assert login(personas["outsider"]).get(url).status_code == 200  # the case is B's now


def test_the_page_refuses_an_invalid_answer_and_keeps_what_was_typed(
    login, personas, world
) -> None:
    data = form_post(world)
    data["answer-A_LAB-VD-W02"] = "maybe"
    before = Screening.objects.count()
    response = login(personas["case_worker"]).post(reverse("screening:start"), data)
    assert response.status_code == 400
    assert Screening.objects.count() == before
    html = response.content.decode()
    kept = re.search(r'<input type="radio" name="answer-A_LAB-DR-S01" value="yes"[^>]*>', html)
    assert kept is not None and "checked" in kept.group(0)
    assert (
        "Select a valid choice" in html or "اختر خياراً صحيحاً" in html or "invalid-feedback" in html
    )


@pytest.mark.parametrize("role", ROLES)
def test_selectors_scope_screenings_and_survivors_by_role(personas, world, role) -> None:
    from himaya.screening.selectors import screenings_visible_to, survivors_in_scope

    user = personas[role]
    expected_codes = [world["screening"].code] if role in ALLOWED else []
    assert list(screenings_visible_to(user).values_list("code", flat=True)) == expected_codes
    assert list(survivors_in_scope(user).values_list("code", flat=True)) == (
        [world["survivor"].code] if role in ALLOWED else []
    )


def test_the_case_panel_lists_the_survivors_screenings(login, personas, world) -> None:
    response = login(personas["supervisor"]).get(
        reverse("screening:case_panel", args=[world["case"].code])
    )
    assert world["screening"].code in response.content.decode()


@pytest.mark.parametrize(("birth_year", "proposed"), [(2010, "C_LAB"), (1990, "A_LAB")])
def test_the_start_page_proposes_the_childrens_set_by_year_of_birth(
    login, case_worker, agency_a, birth_year, proposed
) -> None:
    survivor = SurvivorFactory(
        registered_by_agency=agency_a, registered_by=case_worker, birth_year=birth_year
    )
    response = login(case_worker).get(f"{reverse('screening:start')}?survivor={survivor.code}")
    pk = labour_set(children=proposed == "C_LAB").pk
    checked = re.search(
        rf'<input type="radio" name="indicator_set" value="{pk}"[^>]*>', response.content.decode()
    )
    assert checked is not None and "checked" in checked.group(0)


def test_the_result_page_explains_in_english_when_english_is_chosen(login, personas, world) -> None:
    client = login(personas["case_worker"])
    client.cookies["himaya_language"] = "en"
    html = client.get(reverse("screening:detail", args=[world["screening"].code])).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Outcome: Trafficking indicated (presumed victim)." in html
    assert "Deceptive recruitment (1 strong, 1 medium)" in html
    assert "Open a case for this survivor" in html


@pytest.mark.parametrize(
    "answers",
    [{"A_LAB-DR-S01": "maybe"}, {"C_LAB-DR-S01": "yes"}],
    ids=["invalid answer", "indicator of another set"],
)
def test_the_api_refuses_bad_answers_and_records_nothing(login, personas, world, answers) -> None:
    before = (Screening.objects.count(), ScreeningAnswer.objects.count())
    payload = {
        "survivor": world["survivor"].code,
        "indicator_set": world["set"].pk,
        "answers": answers,
        "consent_by": "person",
    }
    response = login(personas["case_worker"]).post(
        reverse("screening:api_screenings"), json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    assert (Screening.objects.count(), ScreeningAnswer.objects.count()) == before
