"""The consent query (``standing_consents``) and the survivor of a case page's panel."""

import datetime

import pytest
from django.http import Http404

from himaya.agencies.models import AgencyKind
from himaya.agencies.tests.factories import AgencyFactory
from himaya.survivors.models import ConsentPurpose
from himaya.survivors.selectors import (
    consent_on_file,
    get_survivor_of_case_or_404,
    standing_consents,
)
from himaya.survivors.tests.conftest import open_case
from himaya.survivors.tests.factories import ConsentFactory

pytestmark = pytest.mark.django_db

GIVEN = datetime.date(2026, 3, 1)
WITHDRAWN = datetime.date(2026, 6, 1)


def test_a_consent_stands_from_the_day_given_until_the_day_withdrawn(world) -> None:
    survivor = world.registered_by_a
    consent = ConsentFactory(
        survivor=survivor, purpose=ConsentPurpose.STATISTICS, given_on=GIVEN, withdrawn_on=WITHDRAWN
    )
    purpose = ConsentPurpose.STATISTICS
    on_day = datetime.date(2026, 2, 28)
    assert list(standing_consents(survivor, purpose=purpose, on=on_day)) == []
    assert list(standing_consents(survivor, purpose=purpose, on=GIVEN)) == [consent]
    on_day = datetime.date(2026, 5, 31)
    assert list(standing_consents(survivor, purpose=purpose, on=on_day)) == [consent]
    assert list(standing_consents(survivor, purpose=purpose, on=WITHDRAWN)) == []
    assert consent_on_file(survivor, purpose=purpose, on=GIVEN) is True
    assert consent_on_file(survivor, purpose=purpose, on=WITHDRAWN) is False


def test_a_referral_consent_naming_no_recipient_covers_every_recipient(world, agency_b) -> None:
    survivor = world.registered_by_a
    open_consent = ConsentFactory(
        survivor=survivor, purpose=ConsentPurpose.REFERRAL, given_on=GIVEN
    )
    found = standing_consents(
        survivor, purpose=ConsentPurpose.REFERRAL, recipient=agency_b, on=GIVEN
    )
    assert list(found) == [open_consent]


def test_an_embassy_consent_counts_only_for_the_embassy_it_names(world) -> None:
    survivor = world.registered_by_a
    embassy = AgencyFactory(kind=AgencyKind.EMBASSY)
    other_embassy = AgencyFactory(kind=AgencyKind.EMBASSY)
    ConsentFactory(survivor=survivor, purpose=ConsentPurpose.EMBASSY, given_on=GIVEN)
    purpose = ConsentPurpose.EMBASSY
    assert not consent_on_file(survivor, purpose=purpose, recipient=embassy, on=GIVEN)
    named = ConsentFactory(survivor=survivor, purpose=purpose, recipient=embassy, given_on=GIVEN)
    assert list(standing_consents(survivor, purpose=purpose, recipient=embassy, on=GIVEN)) == [
        named
    ]
    assert not consent_on_file(survivor, purpose=purpose, recipient=other_embassy, on=GIVEN)


def test_the_panel_finds_the_survivor_of_a_case_the_user_may_see(case_worker, world) -> None:
    assert get_survivor_of_case_or_404(case_worker, world.case.code) == world.case_of_a


def test_the_panel_does_not_find_a_case_of_another_agency_even_of_a_visible_survivor(
    case_worker, outsider, agency_b, world
) -> None:
    # The survivor is visible through agency A's case; agency B's case of the same
    # survivor is not, and its code must not lead to the survivor.
    other_case = open_case(world.case_of_a, agency_b, outsider)
    with pytest.raises(Http404):
        get_survivor_of_case_or_404(case_worker, other_case.code)
    with pytest.raises(Http404):
        get_survivor_of_case_or_404(case_worker, "CS-NONE-NONE-X")
