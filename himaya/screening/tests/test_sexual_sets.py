"""The sexual-exploitation sets: loaded provisional and unverified, decided by the same rule
as the labour sets, chosen by the form of exploitation and the age at recruitment."""

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.screening import rules
from himaya.screening.actions import record_screening
from himaya.screening.catalogue import SEXUAL_FILE
from himaya.screening.explain import PROVISIONAL
from himaya.screening.models import IndicatorSet, Screening, TraffickingIndicator
from himaya.screening.selectors import newest_sets, proposed_set
from himaya.screening.tests.factories import SurvivorFactory
from himaya.survivors.models import Survivor

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
UNVERIFIED = "unverified: transcribe from WCMS_105023"


def sexual_set(children: bool = False) -> IndicatorSet:
    return IndicatorSet.objects.get(code="C_SEX" if children else "A_SEX")


def file_rows() -> list[dict[str, str]]:
    with SEXUAL_FILE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def adult(agency_a: Agency, case_worker: User) -> Survivor:
    return SurvivorFactory(
        registered_by_agency=agency_a, registered_by=case_worker, birth_year=1995
    )


def english(login: Callable[[User], Client], user: User) -> Client:
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- the catalogue -------------------------------------------------------------------


def test_both_sexual_sets_are_loaded_as_provisional_sets_of_sexual_exploitation() -> None:
    sets = {s.code: s for s in IndicatorSet.objects.filter(code__in=["A_SEX", "C_SEX"])}
    assert {code: (s.exploitation, s.for_children, s.provisional) for code, s in sets.items()} == {
        "A_SEX": ("sexual", False, True),
        "C_SEX": ("sexual", True, True),
    }
    assert sets["A_SEX"].catalogue.label == "ilo-ec-2009"
    assert sets["A_SEX"].name_ar == "البالغون - الاتجار بغرض الاستغلال الجنسي"
    assert (sets["A_SEX"].indicators.count(), sets["C_SEX"].indicators.count()) == (67, 65)


def test_the_labour_sets_stay_verified_and_not_provisional() -> None:
    assert not IndicatorSet.objects.filter(code__in=["A_LAB", "C_LAB"], provisional=True).exists()
    assert not TraffickingIndicator.objects.filter(
        indicator_set__code__in=["A_LAB", "C_LAB"], verified=False
    ).exists()


def test_every_sexual_indicator_is_unverified_with_its_note_and_source() -> None:
    indicators = TraffickingIndicator.objects.filter(indicator_set__exploitation="sexual")
    assert indicators.count() == 132
    assert not indicators.filter(verified=True).exists()
    assert all(i.note.startswith(UNVERIFIED) for i in indicators)
    assert not indicators.filter(source="").exists()


def test_the_loaded_sexual_sets_equal_the_data_file_row_by_row() -> None:
    stored = set(
        TraffickingIndicator.objects.filter(indicator_set__exploitation="sexual").values_list(
            "indicator_set__code", "code", "dimension", "strength", "verified", "source"
        )
    )
    expected = {
        (
            row["set"],
            row["code"],
            row["dimension_code"],
            row["strength"],
            row["verified"] == "true",
            row["source"],
        )
        for row in file_rows()
    }
    assert stored == expected


def test_the_data_file_marks_every_row_unverified_and_names_its_source() -> None:
    rows = file_rows()
    assert Counter(row["verified"] for row in rows) == {"false": 132}
    assert all(row["confidence"].startswith(UNVERIFIED) for row in rows)
    assert Counter(row["source"].split(":")[0] for row in rows) == {
        "placeholder": 129,
        "shared domain reference 1.6 (secondary source of WCMS_105023)": 3,
    }


@pytest.mark.parametrize("set_code", ["A_SEX", "C_SEX"])
def test_forced_tasks_or_clients_is_strong_in_both_sexual_sets(set_code: str) -> None:
    indicator = TraffickingIndicator.objects.get(
        indicator_set__code=set_code, key="forced_tasks_clients"
    )
    assert (indicator.dimension, indicator.strength) == ("CD", "strong")


def test_the_adults_sexual_exploitation_dimension_has_no_strong_indicator() -> None:
    strengths = set(
        TraffickingIndicator.objects.filter(
            indicator_set__code="A_SEX", dimension="EX"
        ).values_list("strength", flat=True)
    )
    assert strengths == {"medium", "weak"}


def test_the_api_shows_the_set_provisional_and_each_indicator_unverified(
    login: Callable[[User], Client], case_worker: User
) -> None:
    client = login(case_worker)
    sets = {s["code"]: s for s in client.get(reverse("screening:api_sets")).json()}
    assert (sets["A_SEX"]["provisional"], sets["A_LAB"]["provisional"]) == (True, False)
    indicators = client.get(reverse("screening:api_indicators", args=[sets["A_SEX"]["id"]])).json()
    first = indicators[0]
    assert first["verified"] is False
    assert first["note"].startswith(UNVERIFIED)
    assert first["provenance"].startswith("placeholder")


# --- the decision rule, unchanged, on both sexual sets ------------------------------

# The indicators answered "yes", by dimension and key; every other answer is "no".
CASES: dict[str, dict[str, list[str]]] = {
    "everything": {
        "DR": ["nature_job", "conditions_work"],
        "EX": ["bad_living", "low_no_salary", "very_bad_working"],
        "CD": ["forced_tasks_clients", "isolation"],
    },
    "forced clients alone at destination": {
        "DR": ["nature_job", "conditions_work"],
        "EX": ["bad_living", "low_no_salary", "very_bad_working"],
        "CD": ["forced_tasks_clients"],
    },
    "forced clients and wages withheld": {
        "CR": ["violence_victim", "violence_family"],
        "EX": ["bad_living", "low_no_salary", "hazardous_work"],
        "CD": ["forced_tasks_clients", "withholding_wages"],
    },
    "excessive hours and bad living": {
        "DR": ["nature_job", "conditions_work"],
        "EX": ["excessive_hours", "bad_living"],
        "CD": ["confiscation_docs", "debt_bondage"],
    },
    "exploitation without recruitment": {
        "EX": ["bad_living", "low_no_salary", "very_bad_working"],
        "CD": ["forced_tasks_clients", "isolation"],
    },
    "nothing": {},
}

# (case, set, outcome, positive dimensions)
TABLE = [
    ("everything", "A_SEX", "indicated", ["DR", "EX", "CD"]),
    ("everything", "C_SEX", "indicated", ["DR", "EX", "CD"]),
    ("forced clients alone at destination", "A_SEX", "probable", ["DR", "EX"]),
    ("forced clients alone at destination", "C_SEX", "indicated", ["DR", "EX"]),
    ("forced clients and wages withheld", "A_SEX", "indicated", ["CR", "EX", "CD"]),
    ("forced clients and wages withheld", "C_SEX", "indicated", ["CR", "EX", "CD"]),
    # Two medium in the adults' exploitation dimension are not enough; for children
    # excessive hours is strong (as in the labour set), so exploitation is positive.
    ("excessive hours and bad living", "A_SEX", "not_indicated", ["DR", "CD"]),
    ("excessive hours and bad living", "C_SEX", "indicated", ["DR", "EX", "CD"]),
    ("exploitation without recruitment", "A_SEX", "exploitation", ["EX", "CD"]),
    ("exploitation without recruitment", "C_SEX", "child_protection", ["EX", "CD"]),
    ("nothing", "A_SEX", "not_indicated", []),
    ("nothing", "C_SEX", "not_indicated", []),
]


def answers_for(indicator_set: IndicatorSet, case: str) -> dict[str, str]:
    yes = {(dimension, key) for dimension, keys in CASES[case].items() for key in keys}
    answers = {}
    for code, dimension, key in indicator_set.indicators.values_list("code", "dimension", "key"):
        answers[code] = "yes" if (dimension, key) in yes else "no"
    assert list(answers.values()).count("yes") == len(yes)  # every key is in the set
    return answers


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("case", "set_code", "outcome", "positive"),
    TABLE,
    ids=[f"{case} / {set_code}" for case, set_code, _o, _p in TABLE],
)
def test_each_case_gives_its_outcome_on_both_sexual_sets(
    case_worker: User, adult: Survivor, case: str, set_code: str, outcome: str, positive: list[str]
) -> None:
    indicator_set = IndicatorSet.objects.get(code=set_code)
    screening = record_screening(
        by=case_worker,
        survivor=adult,
        indicator_set=indicator_set,
        answers=answers_for(indicator_set, case),
        consent_by="person",
    )
    assert screening.outcome == outcome
    assert screening.positive_dimensions == positive
    assert screening.child_rule is (set_code == "C_SEX")
    assert screening.rule_version == rules.RULE_VERSION


def test_a_screening_with_a_provisional_set_says_so_in_both_languages(
    case_worker: User, adult: Survivor
) -> None:
    indicator_set = sexual_set()
    screening = record_screening(
        by=case_worker,
        survivor=adult,
        indicator_set=indicator_set,
        answers=answers_for(indicator_set, "everything"),
        consent_by="person",
    )
    english_lines = screening.explanation_en.splitlines()
    assert english_lines[:2] == ["Outcome: Trafficking indicated (presumed victim).", PROVISIONAL]
    assert len(screening.explanation_ar.splitlines()) == len(english_lines)


def test_a_labour_screening_explanation_has_no_provisional_line(
    case_worker: User, adult: Survivor
) -> None:
    screening = record_screening(
        by=case_worker,
        survivor=adult,
        indicator_set=IndicatorSet.objects.get(code="A_LAB"),
        answers={},
        consent_by="person",
    )
    assert PROVISIONAL not in screening.explanation_en


def test_the_same_person_may_be_screened_against_labour_and_sexual_sets(
    case_worker: User, adult: Survivor
) -> None:
    for code in ("A_LAB", "A_SEX"):
        record_screening(
            by=case_worker,
            survivor=adult,
            indicator_set=IndicatorSet.objects.get(code=code),
            answers={},
            consent_by="person",
        )
    assert sorted(
        Screening.objects.filter(survivor=adult).values_list("indicator_set__code", flat=True)
    ) == ["A_LAB", "A_SEX"]


# --- choosing the set ----------------------------------------------------------------

# (form of exploitation, year of birth, age at recruitment, date of recruitment) → set
CHOICES = [
    ("labour", 1990, None, None, "A_LAB"),
    ("sexual", 1990, None, None, "A_SEX"),
    ("labour", 2010, None, None, "C_LAB"),
    ("sexual", 2010, None, None, "C_SEX"),
    ("sexual", None, None, None, "C_SEX"),  # unknown age: presumed a child
    ("labour", None, None, None, "C_LAB"),
    ("sexual", 2005, 16, None, "C_SEX"),  # 21 today, a child when recruited
    ("sexual", 2005, None, dt.date(2022, 3, 1), "C_SEX"),
    ("sexual", None, 25, None, "A_SEX"),  # the age at recruitment decides
    ("sexual", 2000, None, dt.date(2020, 3, 1), "A_SEX"),
    ("sexual", None, None, dt.date(2020, 3, 1), "C_SEX"),  # a date alone says nothing
    ("labour", 2007, 17, None, "C_LAB"),
]


@pytest.mark.parametrize(
    ("exploitation", "birth_year", "age", "recruited_on", "expected"),
    CHOICES,
    ids=[f"{c[0]} born {c[1]} age {c[2]} on {c[3]}" for c in CHOICES],
)
def test_the_set_follows_the_form_of_exploitation_and_the_age_at_recruitment(
    exploitation: str,
    birth_year: int | None,
    age: int | None,
    recruited_on: dt.date | None,
    expected: str,
) -> None:
    kind = rules.set_kind(
        exploitation=exploitation,
        birth_year=birth_year,
        age_at_recruitment=age,
        recruited_on=recruited_on,
        today=TODAY,
    )
    chosen = proposed_set(
        list(newest_sets()), child=kind.for_children, exploitation=kind.exploitation
    )
    assert chosen is not None and chosen.code == expected


def test_an_unknown_form_of_exploitation_is_refused_by_the_rule() -> None:
    with pytest.raises(ValueError, match="unknown form of exploitation"):
        rules.set_kind(exploitation="organs", birth_year=1990, today=TODAY)


@pytest.mark.parametrize(
    ("birth_year", "exploitation", "proposed"),
    [
        (1990, "sexual", "A_SEX"),
        (2010, "sexual", "C_SEX"),
        (None, "sexual", "C_SEX"),
        (1990, "labour", "A_LAB"),
        (1990, "anything", "A_LAB"),
    ],
)
def test_the_start_page_proposes_the_set_for_the_form_of_exploitation_asked(
    login: Callable[[User], Client],
    case_worker: User,
    agency_a: Agency,
    birth_year: int | None,
    exploitation: str,
    proposed: str,
) -> None:
    survivor = SurvivorFactory(
        registered_by_agency=agency_a, registered_by=case_worker, birth_year=birth_year
    )
    response = login(case_worker).get(
        reverse("screening:start"), {"survivor": survivor.code, "exploitation": exploitation}
    )
    pk = IndicatorSet.objects.get(code=proposed).pk
    checked = re.search(
        rf'<input type="radio" name="indicator_set" value="{pk}"[^>]*>', response.content.decode()
    )
    assert checked is not None and "checked" in checked.group(0)


def choose(survivor: Survivor, set_code: str, **changes: str) -> dict[str, str]:
    return {
        "survivor": survivor.code,
        "indicator_set": str(IndicatorSet.objects.get(code=set_code).pk),
        "consent_by": "person",
        "interpreter_needed": "no",
        **changes,
    }


PRESUMED = (
    "The person&#x27;s age is not known, so they are presumed a child: choose the "
    "children&#x27;s set, or record the age at recruitment if they were 18 or more when "
    "recruited."
)
KNOWN_CHILD = "The person was a child when recruited: choose the children&#x27;s set."


@pytest.mark.parametrize(
    ("birth_year", "changes", "message"),
    [
        (None, {}, PRESUMED),
        (2010, {}, KNOWN_CHILD),
        (1995, {"age_at_recruitment": "15"}, KNOWN_CHILD),
    ],
    ids=["unknown age", "under 18 today", "recruited at 15"],
)
def test_the_start_page_refuses_the_adults_sexual_set_for_a_child_or_presumed_child(
    login: Callable[[User], Client],
    case_worker: User,
    agency_a: Agency,
    birth_year: int | None,
    changes: dict[str, str],
    message: str,
) -> None:
    survivor = SurvivorFactory(
        registered_by_agency=agency_a, registered_by=case_worker, birth_year=birth_year
    )
    response = english(login, case_worker).get(
        reverse("screening:start"), choose(survivor, "A_SEX", **changes)
    )
    html = response.content.decode()
    assert message in html
    assert 'data-testid="questionnaire"' not in html


def test_an_adult_at_recruitment_of_unknown_birth_gets_the_adults_sexual_questionnaire(
    login: Callable[[User], Client], case_worker: User, agency_a: Agency
) -> None:
    survivor = SurvivorFactory(
        registered_by_agency=agency_a, registered_by=case_worker, birth_year=None
    )
    response = english(login, case_worker).get(
        reverse("screening:start"), choose(survivor, "A_SEX", age_at_recruitment="25")
    )
    html = response.content.decode()
    assert 'data-testid="questionnaire"' in html
    assert 'name="age_at_recruitment" value="25"' in html


# --- the provisional set on the pages -----------------------------------------------


def test_the_questionnaire_of_a_sexual_set_shows_it_provisional_and_each_indicator_unverified(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    html = (
        english(login, case_worker)
        .get(reverse("screening:start"), choose(adult, "A_SEX"))
        .content.decode()
    )
    assert 'data-testid="provisional-set"' in html
    assert html.count('data-testid="unverified"') == 67
    assert "to be transcribed from the ILO/EC brochure (WCMS_105023)" in html


def test_the_questionnaire_of_a_labour_set_shows_no_provisional_mark(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    html = (
        english(login, case_worker)
        .get(reverse("screening:start"), choose(adult, "A_LAB"))
        .content.decode()
    )
    assert 'data-testid="questionnaire"' in html
    assert 'data-testid="provisional-set"' not in html
    assert 'data-testid="unverified"' not in html


def test_the_start_page_names_the_sexual_sets_provisional(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    html = (
        english(login, case_worker)
        .get(reverse("screening:start"), {"survivor": adult.code})
        .content.decode()
    )
    assert (
        "Adults - trafficking for sexual exploitation (provisional: weights not verified)" in html
    )
    assert "Adults - trafficking for labour exploitation</label>" in html


def test_the_result_page_of_a_sexual_screening_shows_it_provisional_and_offers_the_labour_set(
    login: Callable[[User], Client], case_worker: User, adult: Survivor
) -> None:
    indicator_set = sexual_set()
    screening = record_screening(
        by=case_worker,
        survivor=adult,
        indicator_set=indicator_set,
        answers=answers_for(indicator_set, "everything"),
        consent_by="person",
    )
    html = (
        english(login, case_worker)
        .get(reverse("screening:detail", args=[screening.code]))
        .content.decode()
    )
    assert 'data-testid="provisional-set"' in html
    assert html.count('data-testid="unverified"') == 67
    assert PROVISIONAL in html
    assert f"?survivor={adult.code}&amp;exploitation=labour" in html
    assert "Screen against the labour exploitation set too" in html
