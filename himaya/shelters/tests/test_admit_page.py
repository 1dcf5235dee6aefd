"""The admission from the find-a-bed page: what the search answered reaches the
admission, and a refused admission shows the same search again with the reason."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.cases.models import Case
from himaya.shelters.models import Shelter, Stay, Unit

pytestmark = pytest.mark.django_db

SEARCH = "sex=female&age=28&children_ages=&language=&security_level=1&near="


def _admission(case: Case, shelter: Shelter, **fields: object) -> dict[str, object]:
    unit = Unit.objects.get(shelter=shelter, label="نساء")
    return {
        "case": case.code,
        "shelter": shelter.code,
        "unit": unit.pk,
        "children_ages": "",
        "language": "",
        "security_level": 1,
        "planned_nights": 30,
        "search": f"case={case.code}&{SEARCH}",
        **fields,
    }


def test_the_results_carry_a_no_to_a_wheelchair_and_the_search_to_the_admission(
    case: Case, case_worker: User, shelter: Shelter, login: Callable[[User], Client]
) -> None:
    response = login(case_worker).get(f"{reverse('shelters:find_bed')}?case={case.code}&{SEARCH}")
    text = response.content.decode()
    assert text.count('name="wheelchair" value="false"') == 2
    assert f'name="search" value="case={case.code}&amp;sex=female&amp;age=28' in text


def test_a_no_to_a_wheelchair_is_kept_when_the_survivors_record_notes_a_disability(
    case: Case, case_worker: User, shelter: Shelter, login: Callable[[User], Client]
) -> None:
    case.survivor.has_disability = True
    case.survivor.save()
    response = login(case_worker).post(
        reverse("shelters:admit"), _admission(case, shelter, wheelchair="false")
    )
    stay = Stay.objects.get(survivor=case.survivor)
    assert response.status_code == 302
    assert response["Location"] == reverse("shelters:stay", kwargs={"code": stay.code})
    assert stay.bed.unit.label == "نساء"


def test_a_refused_admission_shows_the_search_its_results_and_the_reason(
    case: Case, case_worker: User, shelter: Shelter, login: Callable[[User], Client]
) -> None:
    # Nobody answered about a wheelchair: the survivor's record (a disability) decides,
    # and no unit of the shelter has wheelchair access.
    case.survivor.has_disability = True
    case.survivor.save()
    response = login(case_worker).post(
        reverse("shelters:admit"), _admission(case, shelter, wheelchair="", planned_nights=12)
    )
    text = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="admit-refusal"' in text
    assert 'name="age" value="28"' in text
    assert text.count('data-testid="option"') == 1
    assert 'value="12" name="planned_nights"' in text
    assert not Stay.objects.filter(survivor=case.survivor).exists()


def test_an_admission_with_a_wrong_number_of_nights_keeps_the_search(
    case: Case, case_worker: User, shelter: Shelter, login: Callable[[User], Client]
) -> None:
    response = login(case_worker).post(
        reverse("shelters:admit"), _admission(case, shelter, planned_nights=0)
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="admit-refusal"' in text
    assert text.count('data-testid="option"') == 1
    assert not Stay.objects.filter(survivor=case.survivor).exists()
