"""An unknown age is a child's in shelter eligibility (the presumption of minority)."""

import pytest
import time_machine
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases.models import Case
from himaya.shelters import actions, rules, selectors
from himaya.shelters.models import Shelter, Stay, Unit
from himaya.shelters.tests.factories import CaseFactory, make_shelter, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _evening_of_20_november(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to("2026-11-20 20:00 +0200", tick=False)


@pytest.fixture
def units() -> dict[str, Unit]:
    """One shelter with a unit for adult women and a unit for girls (children and
    adolescents), one bed each."""
    shelter = make_shelter("EG-C")
    return {
        "adults": make_unit(shelter, label="نساء", beds=1),
        "minors": make_unit(
            shelter,
            label="فتيات",
            beds=1,
            accepts_adults=False,
            accepts_children=True,
            accepts_adolescents=True,
        ),
    }


# birth year (None: not known), whether it is estimated, the age group, the unit it fits
AGES = [
    pytest.param(None, False, rules.AgeGroup.MINOR, "minors", id="unknown"),
    pytest.param(2009, True, rules.AgeGroup.ADOLESCENT, "minors", id="estimated 17"),
    pytest.param(2008, False, rules.AgeGroup.ADULT, "adults", id="18"),
    pytest.param(2001, False, rules.AgeGroup.ADULT, "adults", id="25"),
]


def _case(agency_a: Agency, case_worker: User, birth_year: int | None, estimated: bool) -> Case:
    return CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        survivor__birth_year=birth_year,
        survivor__age_is_estimated=estimated,
    )


@pytest.mark.parametrize(("birth_year", "estimated", "group", "fits"), AGES)
def test_the_survivor_age_decides_the_units_offered(
    units: dict[str, Unit],
    agency_a: Agency,
    case_worker: User,
    birth_year: int | None,
    estimated: bool,
    group: str,
    fits: str,
) -> None:
    need = selectors.need_for_case(_case(agency_a, case_worker, birth_year, estimated))
    assert need.group == group
    offered = {
        option.unit.pk for shelter in selectors.availability(need) for option in shelter.units
    }
    assert offered == {units[fits].pk}
    for name, unit in units.items():
        profile = rules.UnitProfile(
            sex=unit.sex,
            accepts_children=unit.accepts_children,
            accepts_adolescents=unit.accepts_adolescents,
            accepts_adults=unit.accepts_adults,
            accepts_mothers_with_children=unit.accepts_mothers_with_children,
            wheelchair_accessible=unit.wheelchair_accessible,
        )
        assert rules.is_eligible(profile, need) == (name == fits), name


@pytest.mark.parametrize(("birth_year", "estimated", "group", "fits"), AGES)
def test_the_admission_books_a_bed_in_the_unit_for_the_survivor_age(
    units: dict[str, Unit],
    agency_a: Agency,
    case_worker: User,
    birth_year: int | None,
    estimated: bool,
    group: str,
    fits: str,
) -> None:
    case = _case(agency_a, case_worker, birth_year, estimated)
    shelter: Shelter = units["adults"].shelter
    stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    assert stay.bed.unit == units[fits]


def test_a_survivor_of_unknown_age_is_never_admitted_into_an_adult_unit(
    agency_a: Agency, case_worker: User
) -> None:
    shelter = make_shelter("EG-C")
    make_unit(shelter, label="نساء", beds=2)
    case = _case(agency_a, case_worker, None, False)
    with pytest.raises(actions.NoBedError):
        actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    assert Stay.objects.count() == 0


def test_the_find_bed_form_leaves_an_unknown_age_empty(agency_a: Agency, case_worker: User) -> None:
    case = _case(agency_a, case_worker, None, False)
    initial = selectors.prefill_for_case(
        case, set(selectors.PREFILL_FROM_REFERRAL), today=timezone.localdate()
    )
    assert initial["age"] is None
