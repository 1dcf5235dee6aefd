"""Refusals of screening: kinds of the one error model, answered by the API as problem
details and by the page with the reason, recording nothing; and a data migration that
depends on no code of the app."""

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.core.errors import Forbidden, Invalid
from himaya.screening.actions import record_screening
from himaya.screening.exceptions import ScreeningError
from himaya.screening.models import Screening, ScreeningAnswer
from himaya.screening.tests.factories import SurvivorFactory, labour_set
from himaya.survivors.models import Survivor
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


@pytest.fixture
def survivor(case_worker: User, agency_a: Agency) -> Survivor:
    return SurvivorFactory(registered_by_agency=agency_a, registered_by=case_worker)


def english(login: Callable[[User], Client], user: User) -> Client:
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def snapshot() -> tuple[int, int, int, int]:
    return (
        Screening.objects.count(),
        ScreeningAnswer.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def test_a_screening_refusal_is_an_invalid_of_the_one_error_model() -> None:
    assert issubclass(ScreeningError, Invalid)
    assert ScreeningError("x").status == 400


def test_the_action_refuses_a_user_who_may_not_screen_as_forbidden(
    survivor: Survivor, make_persona: Callable[..., User], agency_a: Agency
) -> None:
    officer = make_persona("fund_officer", agency_a, "officer_a")
    before = snapshot()
    with pytest.raises(Forbidden):
        record_screening(
            by=officer,
            survivor=survivor,
            indicator_set=labour_set(),
            answers={},
            consent_by="person",
        )
    assert snapshot() == before


def test_answers_outside_the_set_are_a_400_problem_in_the_users_language(
    case_worker: User, survivor: Survivor, login: Callable[[User], Client]
) -> None:
    client = english(login, case_worker)
    payload = {
        "survivor": survivor.code,
        "indicator_set": labour_set().pk,
        "answers": {"C_LAB-DR-S01": "yes"},
        "consent_by": "person",
    }
    before = snapshot()
    response = client.post(
        reverse("screening:api_screenings"), payload, content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert body["detail"] == "These indicators are not in the chosen set: C_LAB-DR-S01."
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    arabic = client.post(
        reverse("screening:api_screenings"), payload, content_type="application/json"
    )
    assert assert_problem(arabic, 400)["detail"] != body["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("field", ["survivor", "indicator_set"])
def test_an_unknown_survivor_or_set_is_a_404_problem(
    case_worker: User, survivor: Survivor, login: Callable[[User], Client], field: str
) -> None:
    client = english(login, case_worker)
    payload: dict[str, Any] = {
        "survivor": survivor.code,
        "indicator_set": labour_set().pk,
        "answers": {},
    }
    payload[field] = "SV-NOPE-NOPE-X" if field == "survivor" else 999_999
    before = snapshot()
    response = client.post(
        reverse("screening:api_screenings"), payload, content_type="application/json"
    )
    assert_problem(response, 404)
    assert snapshot() == before


def test_a_survivor_of_another_agency_is_the_same_404_problem(
    outsider: User, survivor: Survivor, login: Callable[[User], Client]
) -> None:
    client = english(login, outsider)
    before = snapshot()
    response = client.post(
        reverse("screening:api_screenings"),
        {"survivor": survivor.code, "indicator_set": labour_set().pk, "answers": {}},
        content_type="application/json",
    )
    assert_problem(response, 404)
    assert snapshot() == before


def test_a_user_who_may_not_screen_gets_a_403_problem(
    make_persona: Callable[..., User], agency_a: Agency, login: Callable[[User], Client]
) -> None:
    officer = make_persona("fund_officer", agency_a, "officer_a")
    response = english(login, officer).get(reverse("screening:api_screenings"))
    assert_problem(response, 403)


def test_the_data_migration_imports_no_code_of_the_project() -> None:
    for path in sorted(MIGRATIONS.glob("0*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = [
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        ] + [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ]
        assert [m for m in modules if m.startswith("himaya")] == [], path.name


def test_the_data_migration_loaded_both_labour_sets_in_file_order() -> None:
    adults, children = labour_set(), labour_set(children=True)
    assert (adults.indicators.count(), children.indicators.count()) == (67, 65)
    assert (adults.for_children, children.for_children) == (False, True)
    first = adults.indicators.order_by("position").first()
    assert first is not None
    assert (first.code, first.position, first.strength) == ("A_LAB-DR-S01", 1, "strong")
