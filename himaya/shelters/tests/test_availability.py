import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himaya.agencies.tests.factories import governorate
from himaya.shelters import actions, rules, selectors
from himaya.shelters.models import GovernorateCentroid
from himaya.shelters.rules import Need
from himaya.shelters.tests.factories import CaseFactory, make_shelter, make_unit

pytestmark = pytest.mark.django_db

TEEN_MOTHER = Need(sex="female", age=16, children_ages=(0,))


def test_every_governorate_has_a_centroid() -> None:
    assert GovernorateCentroid.objects.count() == 27
    aswan = GovernorateCentroid.objects.get(governorate__code="EG-ASN")
    assert (aswan.capital_en, str(aswan.latitude)) == ("Aswan", "24.0889")


def _teen_mother_unit(code: str, **extra: object) -> None:
    shelter = make_shelter(code, name_en=f"Shelter {code}")
    make_unit(
        shelter,
        beds=1,
        cots=1,
        accepts_adults=False,
        accepts_adolescents=True,
        accepts_mothers_with_children=True,
        **extra,
    )


def test_shelters_are_ordered_by_distance_from_the_asked_governorate() -> None:
    for code in ["EG-ALX", "EG-C", "EG-LX", "EG-ASN", "EG-SHG"]:
        _teen_mother_unit(code)
    options = selectors.availability(TEEN_MOTHER, near=governorate("EG-ASN"))
    assert [o.shelter.governorate.code for o in options] == [
        "EG-ASN",
        "EG-LX",
        "EG-SHG",
        "EG-C",
        "EG-ALX",
    ]
    assert options[0].distance_km == 0.0
    assert options[-1].distance_km is not None and options[-1].distance_km > 800


def test_a_16_year_old_girl_with_her_infant_finds_only_units_that_fit() -> None:
    _teen_mother_unit("EG-ASN")
    adults_only = make_shelter("EG-ASN", name_en="Adults only")
    make_unit(adults_only, beds=5, accepts_mothers_with_children=True)
    no_cot_no_spare_bed = make_shelter("EG-LX", name_en="One bed")
    make_unit(
        no_cot_no_spare_bed,
        beds=1,
        accepts_adolescents=True,
        accepts_mothers_with_children=True,
    )
    boys = make_shelter("EG-KN", name_en="Boys")
    make_unit(
        boys, beds=5, sex="male", accepts_adolescents=True, accepts_mothers_with_children=True
    )

    options = selectors.availability(TEEN_MOTHER, near=governorate("EG-ASN"))

    assert [o.shelter.agency.name_en for o in options] == ["Shelter EG-ASN"]
    assert (options[0].free_beds, options[0].free_cots) == (1, 1)


def test_occupied_beds_are_not_offered(case_worker: object, agency_a: object) -> None:
    shelter = make_shelter("EG-C")
    make_unit(shelter, beds=1)
    need = Need(sex="female", age=30)
    assert len(selectors.availability(need)) == 1
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    assert selectors.availability(need) == []


def test_language_security_and_wheelchair_filter_units() -> None:
    shelter = make_shelter("EG-C")
    make_unit(shelter, beds=1, languages="ar,am", security_level=3, wheelchair_accessible=True)
    make_unit(shelter, beds=1, languages="ar")
    options = selectors.availability(Need(sex="female", age=30, language="am"))
    assert [u.unit.languages for u in options[0].units] == ["ar,am"]
    assert len(selectors.availability(Need(sex="female", age=30, security_level=3))[0].units) == 1
    assert len(selectors.availability(Need(sex="female", age=30, wheelchair=True))[0].units) == 1
    assert selectors.availability(Need(sex="female", age=30, language="ti")) == []


def test_availability_takes_a_fixed_number_of_queries(
    django_assert_num_queries: object,
) -> None:
    for code in ["EG-ALX", "EG-C", "EG-LX"]:
        _teen_mother_unit(code)
    near = governorate("EG-ASN")
    with django_assert_num_queries(3):  # type: ignore[operator]
        selectors.availability(TEEN_MOTHER, near=near)
    for code in ["EG-GZ", "EG-DK", "EG-SUZ"]:
        _teen_mother_unit(code)
    with django_assert_num_queries(3):  # type: ignore[operator]
        assert len(selectors.availability(TEEN_MOTHER, near=near)) == 6


NATIONALITIES = st.sampled_from(
    ["EG", "SD", "SS", "ET", "ER", "SO", "SY", "YE", "NG", "PH", "ID", "BD", "UA", "XK", "ZZ"]
) | st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nationality=NATIONALITIES)
def test_nationality_never_excludes_anyone(
    nationality: str, case_worker: object, agency_a: object
) -> None:
    shelter = make_shelter("EG-ASN")
    make_unit(shelter, beds=1, accepts_adolescents=True, accepts_mothers_with_children=True)
    case = CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        survivor__nationality=nationality,
        survivor__birth_year=2010,
    )
    with time_machine.travel("2026-11-20 20:00 +0200", tick=False):
        need = selectors.need_for_case(case)
        assert [o.shelter for o in selectors.availability(need, shelter_ids={shelter.pk})] == [
            shelter
        ]
        stay = actions.admit_to_shelter(case=case, shelter=shelter, by=case_worker)
    assert stay.survivor.nationality == nationality


UNIT_PROFILES = st.builds(
    rules.UnitProfile,
    sex=st.sampled_from(["female", "male", "any"]),
    accepts_children=st.booleans(),
    accepts_adolescents=st.booleans(),
    accepts_adults=st.booleans(),
    accepts_mothers_with_children=st.booleans(),
    wheelchair_accessible=st.booleans(),
    languages=st.lists(st.sampled_from(["ar", "en", "am", "ti", "so"]), min_size=1, max_size=3).map(
        lambda codes: tuple(dict.fromkeys(codes))
    ),
    security_level=st.integers(min_value=1, max_value=3),
)
NEEDS = st.builds(
    Need,
    sex=st.sampled_from(["female", "male", "other", "unknown"]),
    age=st.integers(min_value=0, max_value=90),
    children_ages=st.lists(st.integers(min_value=0, max_value=17), max_size=2).map(tuple),
    wheelchair=st.booleans(),
    language=st.sampled_from(["", "ar", "en", "am", "ti", "so", "fr"]),
    security_level=st.integers(min_value=1, max_value=3),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(profile=UNIT_PROFILES, need=NEEDS)
def test_the_database_search_applies_exactly_the_eligibility_rules(
    profile: rules.UnitProfile, need: Need
) -> None:
    if not (profile.accepts_children or profile.accepts_adolescents or profile.accepts_adults):
        profile = rules.UnitProfile(**{**profile.__dict__, "accepts_adults": True})
    unit = make_unit(
        beds=1,
        sex=profile.sex,
        accepts_children=profile.accepts_children,
        accepts_adolescents=profile.accepts_adolescents,
        accepts_adults=profile.accepts_adults,
        accepts_mothers_with_children=profile.accepts_mothers_with_children,
        wheelchair_accessible=profile.wheelchair_accessible,
        languages=",".join(profile.languages),
        security_level=profile.security_level,
    )
    found = selectors.eligible_units(need).filter(pk=unit.pk).exists()
    assert found == rules.is_eligible(profile, need)
