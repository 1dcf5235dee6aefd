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


def test_the_first_page_of_a_one_agency_worker_is_the_page_of_her_scope(
    case_worker, supervisor, outsider, world, agency_a
) -> None:
    """The first page composed once per process holds exactly what the scope's own query
    pages: the agency's registrations without a case and its cases' survivors, newest first,
    never another agency's; the next page continues after it."""
    from himaya.survivors.selectors import survivor_list_first_page, survivor_rows_page

    more = [SurvivorFactory(registered_by_agency=agency_a) for _ in range(3)]
    for user, english in ((case_worker, False), (supervisor, True), (outsider, False)):
        first = survivor_list_first_page(user, size=2, english=english)
        assert first == survivor_rows_page(survivors_visible_to(user), size=2, english=english)
    first = survivor_list_first_page(case_worker, size=2, english=False)
    assert first is not None
    assert [row["code"] for row in first.rows] == [more[2].code, more[1].code]
    rest = survivor_rows_page(
        survivors_visible_to(case_worker), after=first.next_after or "", size=10
    )
    assert {row["code"] for row in first.rows + rest.rows} == {
        s.code for s in (*more, world.registered_by_a, world.case_of_a)
    }
    assert rest.next_after is None


def test_the_first_page_is_composed_anew_for_a_worker_of_two_agencies_or_another_role(
    case_worker, personas, world, agency_b
) -> None:
    from himaya.agencies.models import Membership, Role
    from himaya.survivors.selectors import survivor_list_first_page

    assert survivor_list_first_page(personas["analyst"], size=5, english=False) is None
    Membership.objects.create(user=case_worker, agency=agency_b, role=Role.CASE_WORKER)
    worker = type(case_worker).objects.get(pk=case_worker.pk)  # memberships read afresh
    assert survivor_list_first_page(worker, size=5, english=False) is None
    assert {s.code for s in survivors_visible_to(worker)} == {
        world.registered_by_a.code,
        world.case_of_a.code,
        world.registered_by_b.code,
        world.case_of_b.code,
    }
