import datetime

import pytest
import time_machine
from django.db import connection
from django.http import Http404

from himaya.agencies.models import AgencyKind
from himaya.agencies.tests.factories import AgencyFactory
from himaya.survivors.models import ConsentPurpose
from himaya.survivors.selectors import (
    consent_on_file,
    get_survivor_or_404,
    search_survivors,
    survivors_visible_to,
)
from himaya.survivors.tests.factories import ConsentFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


def test_case_worker_sees_her_agency_registrations_without_case_and_her_agency_cases(
    case_worker, world
) -> None:
    visible = set(survivors_visible_to(case_worker))
    assert visible == {world.registered_by_a, world.case_of_a}


def test_supervisor_sees_the_same_survivors_as_the_case_worker_of_her_agency(
    supervisor, world
) -> None:
    assert set(survivors_visible_to(supervisor)) == {world.registered_by_a, world.case_of_a}


def test_outsider_sees_only_the_survivors_of_agency_b(outsider, world) -> None:
    assert set(survivors_visible_to(outsider)) == {world.registered_by_b, world.case_of_b}


@pytest.mark.parametrize(
    "role",
    [
        "administrator",
        "analyst",
        "auditor",
        "fund_officer",
        "fund_approver",
        "grants_officer",
        "empowerment_officer",
        "operator",
        "shelter_staff",
        "partner_staff",
    ],
)
def test_roles_without_case_work_see_no_survivor(personas, world, role) -> None:
    assert list(survivors_visible_to(personas[role])) == []


def test_get_survivor_or_404_answers_404_for_missing_and_forbidden_alike(
    case_worker, world
) -> None:
    assert get_survivor_or_404(case_worker, world.registered_by_a.code.lower()) == (
        world.registered_by_a
    )
    with pytest.raises(Http404):
        get_survivor_or_404(case_worker, world.registered_by_b.code)
    with pytest.raises(Http404):
        get_survivor_or_404(case_worker, "SV-2222-2222-2")


def test_identifying_columns_hold_ciphertext_only(world) -> None:
    survivor = world.registered_by_a
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name_ar, name_latin, phone, address, family_contact, date_of_birth, "
            "name_ar_index FROM survivors_survivor WHERE id = %s",
            [survivor.pk],
        )
        row = cursor.fetchone()
        cursor.execute(
            "SELECT number FROM survivors_survivordocument WHERE id = %s", [world.document.pk]
        )
        (number,) = cursor.fetchone()
    name_ar, name_latin, phone, address, family, dob, index = row
    for stored, plain in [
        (name_ar, "فاطمة أحمد علي"),
        (name_latin, "Fatma Ahmed Ali"),
        (phone, survivor.phone),
        (address, survivor.address),
        (family, survivor.family_contact),
        (dob, "1999-04-12"),
        (number, "P 123-456"),
    ]:
        assert plain not in stored
        assert stored.startswith("gAAAA")  # a Fernet token
    assert "فاطمة" not in index and len(index) == 64


@pytest.mark.parametrize(
    "typed",
    [
        "فاطمة أحمد علي",
        "فاطمه  احمد   علي",  # teh marbuta, hamza and spacing folded
        "فَاطِمَة أَحْمَد عَلِي",  # diacritics dropped
        "fatma ahmed ali",
        "FATMA  AHMED ALI",
        "P123456",
        "p 123 456",
    ],
)
def test_search_finds_exact_normalised_matches(case_worker, world, typed) -> None:
    assert list(search_survivors(case_worker, typed)) == [world.registered_by_a]


@pytest.mark.parametrize(
    "typed", ["فتحي", "Fatma Hassan", "Mona", "علي أحمد فتحي", "P12345", "", "  "]
)
def test_search_finds_nothing_for_different_values(case_worker, world, typed) -> None:
    assert list(search_survivors(case_worker, typed)) == []


def test_search_by_code_finds_the_survivor(case_worker, world) -> None:
    code = world.case_of_a.code
    assert list(search_survivors(case_worker, code.lower())) == [world.case_of_a]


def test_search_stays_within_scope(outsider, world) -> None:
    assert list(search_survivors(outsider, "Fatma Ahmed Ali")) == []
    assert list(search_survivors(outsider, world.registered_by_a.code)) == []


@time_machine.travel(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC), tick=False)
def test_consent_on_file_follows_giving_withdrawal_and_recipient() -> None:
    survivor = SurvivorFactory()
    ngo = AgencyFactory(kind=AgencyKind.NGO)
    other = AgencyFactory(kind=AgencyKind.NGO)
    ConsentFactory(
        survivor=survivor,
        purpose=ConsentPurpose.REFERRAL,
        recipient=ngo,
        given_on=datetime.date(2026, 6, 1),
    )
    ConsentFactory(
        survivor=survivor,
        purpose=ConsentPurpose.STATISTICS,
        given_on=datetime.date(2026, 6, 16),
    )
    ConsentFactory(
        survivor=survivor,
        purpose=ConsentPurpose.CARE,
        given_on=datetime.date(2026, 1, 1),
        withdrawn_on=datetime.date(2026, 6, 15),
    )
    assert consent_on_file(survivor, purpose=ConsentPurpose.REFERRAL, recipient=ngo)
    assert not consent_on_file(survivor, purpose=ConsentPurpose.REFERRAL, recipient=other)
    assert not consent_on_file(survivor, purpose=ConsentPurpose.STATISTICS)  # given tomorrow
    assert not consent_on_file(survivor, purpose=ConsentPurpose.CARE)  # withdrawn today
