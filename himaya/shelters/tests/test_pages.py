from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.cases.models import Case
from himaya.shelters import actions
from himaya.shelters.models import Shelter

pytestmark = pytest.mark.django_db


def test_case_panel_offers_a_find_a_bed_form_prefilled_from_the_survivor(
    case: Case, case_worker: User, login: Callable[[User], Client]
) -> None:
    case.survivor.birth_year = 2010
    case.survivor.save()
    page = login(case_worker).get(reverse("shelters:case_panel", args=[case.code]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "<html" not in text
    assert 'data-testid="panel-find-bed"' in text
    assert f'name="case" value="{case.code}"' in text
    assert 'name="age" value="' in text


def test_case_panel_shows_the_current_stay(
    case: Case, case_worker: User, shelter: Shelter, login: Callable[[User], Client]
) -> None:
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    text = login(case_worker).get(reverse("shelters:case_panel", args=[case.code])).content.decode()
    assert stay.code in text
    assert "panel-find-bed" not in text


def test_find_bed_answers_htmx_with_the_results_fragment_only(
    shelter: Shelter, case_worker: User, login: Callable[[User], Client]
) -> None:
    response = login(case_worker).get(
        reverse("shelters:find_bed") + "?sex=female&age=30&security_level=1",
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert "<html" not in text
    assert text.count('data-testid="option"') == 1
    assert shelter.code in text


def test_find_bed_keeps_what_was_typed_and_shows_the_error_beside_the_field(
    shelter: Shelter, case_worker: User, login: Callable[[User], Client]
) -> None:
    response = login(case_worker).get(
        reverse("shelters:find_bed") + "?sex=female&age=30&children_ages=0,x&security_level=1"
    )
    text = response.content.decode()
    assert 'value="0,x"' in text
    assert "invalid-feedback" in text
    assert 'data-testid="option"' not in text


def test_case_workers_do_not_see_residents_of_a_shelter(
    case: Case, case_worker: User, shelter: Shelter, login: Callable[[User], Client]
) -> None:
    actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    text = login(case_worker).get(reverse("shelters:detail", args=[shelter.code])).content.decode()
    assert case.survivor.code not in text
    assert 'data-testid="residents"' not in text
