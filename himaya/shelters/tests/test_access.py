"""Every role × every page and endpoint of the shelters app → expected status."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.cases.models import Case
from himaya.shelters import actions
from himaya.shelters.models import Stay
from himaya.shelters.tests.factories import (
    CaseFactory,
    ShelterFactory,
    make_shelter,
    make_unit,
    refer_to_shelter,
)

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role] + ["outsider"]
SEARCHERS = {"case_worker", "supervisor", "shelter_staff", "operator", "outsider"}
CASE_TEAM = {"case_worker", "supervisor"}
STAY_READERS = CASE_TEAM | {"shelter_staff"}


def expected(
    role: str, allowed: set[str], denied: int = 403, hidden: set[str] | None = None
) -> int:
    if role in allowed:
        return 200
    if hidden and role in hidden:
        return 404
    return denied


@pytest.fixture
def world(personas: dict[str, User], agency_a: Agency) -> dict[str, Any]:
    staff_agency = personas["shelter_staff"].memberships.get().agency
    shelter = ShelterFactory(agency=staff_agency, governorate=staff_agency.governorate)
    make_unit(shelter, beds=3)
    other = make_shelter("EG-GZ")
    make_unit(other, beds=2)
    worker = personas["case_worker"]
    housed = CaseFactory(lead_agency=agency_a, case_worker=worker)
    waiting = CaseFactory(lead_agency=agency_a, case_worker=worker)
    # The shelter's staff reach the waiting case through its referral to their shelter.
    refer_to_shelter(waiting, shelter)
    stay = actions.admit_to_shelter(case=housed, shelter=shelter, by=worker)
    return {"shelter": shelter, "other": other, "housed": housed, "waiting": waiting, "stay": stay}


GETS: list[tuple[str, Callable[[dict[str, Any]], str], Callable[[str], int]]] = [
    ("list", lambda w: reverse("shelters:list"), lambda r: expected(r, SEARCHERS)),
    (
        "detail",
        lambda w: reverse("shelters:detail", args=[w["shelter"].code]),
        lambda r: expected(r, SEARCHERS),
    ),
    ("find_bed", lambda w: reverse("shelters:find_bed"), lambda r: expected(r, SEARCHERS)),
    (
        "find_bed_search",
        lambda w: reverse("shelters:find_bed") + "?sex=female&age=30&security_level=1",
        lambda r: expected(r, SEARCHERS),
    ),
    (
        "find_bed_for_case",
        lambda w: reverse("shelters:find_bed") + f"?case={w['waiting'].code}",
        lambda r: expected(r, STAY_READERS, hidden={"operator", "outsider"}),
    ),
    ("occupancy", lambda w: reverse("shelters:occupancy"), lambda r: expected(r, SEARCHERS)),
    (
        "stay",
        lambda w: reverse("shelters:stay", args=[w["stay"].code]),
        lambda r: expected(r, STAY_READERS, denied=404),
    ),
    (
        "case_panel",
        lambda w: reverse("shelters:case_panel", args=[w["housed"].code]),
        lambda r: expected(r, CASE_TEAM, denied=404),
    ),
    ("api_shelters", lambda w: reverse("shelters:api_shelters"), lambda r: expected(r, SEARCHERS)),
    (
        "api_shelter",
        lambda w: reverse("shelters:api_shelter", args=[w["shelter"].code]),
        lambda r: expected(r, SEARCHERS),
    ),
    (
        "api_availability",
        lambda w: reverse("shelters:api_availability") + "?sex=female&age=16&near=EG-ASN",
        lambda r: expected(r, SEARCHERS),
    ),
    ("api_stays", lambda w: reverse("shelters:api_stays"), lambda r: expected(r, SEARCHERS)),
    (
        "api_stay",
        lambda w: reverse("shelters:api_stay", args=[w["stay"].code]),
        lambda r: expected(r, STAY_READERS, denied=404),
    ),
    (
        "api_occupancy",
        lambda w: reverse("shelters:api_occupancy"),
        lambda r: expected(r, SEARCHERS),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "status"), GETS, ids=[g[0] for g in GETS])
def test_get_access(
    role: str,
    name: str,
    url: Callable[[dict[str, Any]], str],
    status: Callable[[str], int],
    world: dict[str, Any],
    personas: dict[str, User],
    login: Callable[[User], Client],
) -> None:
    client = login(personas[role])
    response = client.get(url(world))
    assert response.status_code == status(role), (name, role)


def test_partner_agencies_and_case_workers_never_see_the_address(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    shelter = world["shelter"]
    for role in ["case_worker", "operator", "outsider"]:
        client = login(personas[role])
        page = client.get(reverse("shelters:detail", args=[shelter.code]))
        assert shelter.address not in page.content.decode()
        api = client.get(reverse("shelters:api_shelter", args=[shelter.code]))
        assert api.json()["address"] is None
    staff = login(personas["shelter_staff"])
    assert (
        shelter.address
        in staff.get(reverse("shelters:detail", args=[shelter.code])).content.decode()
    )


def test_shelter_staff_see_residents_by_code_and_first_name_and_the_reading_is_audited(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    from himaya.audit.models import AuditEvent

    survivor = world["housed"].survivor
    page = login(personas["shelter_staff"]).get(
        reverse("shelters:detail", args=[world["shelter"].code])
    )
    text = page.content.decode()
    assert survivor.code in text
    assert survivor.name_ar.split(" ")[0] in text
    assert survivor.name_ar not in text
    event = AuditEvent.objects.get(action="survivors.first_names_read")
    assert event.details == {"survivors": [survivor.code]}


# --- writes -------------------------------------------------------------------------------

ADMITTERS = {"case_worker", "supervisor", "shelter_staff"}


def _admit_status(role: str, api: bool) -> int:
    if role in ADMITTERS:
        return 201 if api else 302
    if role == "outsider":
        return 404
    return 403


@pytest.mark.parametrize("role", ROLES)
def test_admit_page_access(
    role: str, world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[role])
    response = client.post(
        reverse("shelters:admit"),
        {"case": world["waiting"].code, "shelter": world["shelter"].code, "planned_nights": 30},
    )
    assert response.status_code == _admit_status(role, api=False)
    admitted = Stay.objects.filter(case=world["waiting"]).count()
    assert admitted == (1 if role in ADMITTERS else 0)


@pytest.mark.parametrize("role", ROLES)
def test_admit_api_access(
    role: str, world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[role])
    response = client.post(
        reverse("shelters:api_admit"),
        {"case": world["waiting"].code, "shelter": world["shelter"].code},
        content_type="application/json",
    )
    assert response.status_code == _admit_status(role, api=True)
    assert Stay.objects.filter(case=world["waiting"]).count() == (1 if role in ADMITTERS else 0)


def _move_status(role: str, success: int) -> int:
    return success if role in STAY_READERS else 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "url_name", "payload", "success"),
    [
        ("discharge", "shelters:discharge", {"destination": "family", "version": 1}, 302),
        ("transfer", "shelters:transfer", {"version": 1}, 302),
        ("api_discharge", "shelters:api_discharge", {"destination": "family", "version": 1}, 200),
        ("api_transfer", "shelters:api_transfer", {"version": 1}, 201),
    ],
)
def test_transfer_and_discharge_access(
    role: str,
    name: str,
    url_name: str,
    payload: dict[str, Any],
    success: int,
    world: dict[str, Any],
    personas: dict[str, User],
    login: Callable[[User], Client],
) -> None:
    stay: Stay = world["stay"]
    if "transfer" in name:
        payload = {**payload, "shelter": world["other"].code}
    client = login(personas[role])
    url = reverse(url_name, args=[stay.code])
    if name.startswith("api"):
        response = client.post(url, payload, content_type="application/json")
    else:
        response = client.post(url, payload)
    assert response.status_code == _move_status(role, success), response.content[:300]
    stay.refresh_from_db()
    assert (stay.status == "open") == (role not in STAY_READERS)


def test_a_refused_admission_shows_the_reason_and_changes_nothing(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    waiting: Case = world["waiting"]
    waiting.survivor.sex = "male"
    waiting.survivor.save()
    client = login(personas["case_worker"])
    response = client.post(
        reverse("shelters:admit"),
        {"case": waiting.code, "shelter": world["shelter"].code, "planned_nights": 30},
        follow=True,
    )
    assert "لا يوجد سرير" in response.content.decode()
    assert Stay.objects.filter(case=waiting).count() == 0
    api = client.post(
        reverse("shelters:api_admit"),
        {"case": waiting.code, "shelter": world["shelter"].code},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert api.status_code == 409
    assert Stay.objects.filter(case=waiting).count() == 0


def test_a_stale_discharge_form_is_shown_and_changes_nothing(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    stay: Stay = world["stay"]
    client = login(personas["case_worker"])
    response = client.post(
        reverse("shelters:discharge", args=[stay.code]), {"destination": "family", "version": 7}
    )
    assert response.status_code == 400
    stay.refresh_from_db()
    assert stay.status == "open"


# --- query counts -------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("url_name", "queries"),
    [
        ("shelters:list", 6),
        ("shelters:api_shelters", 6),
        ("shelters:api_stays", 7),
        ("shelters:api_occupancy", 6),
        ("shelters:find_bed?sex=female&age=30&security_level=1&near=1", 9),
        ("shelters:api_availability?sex=female&age=30&near=EG-ASN", 8),
    ],
)
def test_list_pages_take_a_fixed_number_of_queries(
    url_name: str,
    queries: int,
    world: dict[str, Any],
    personas: dict[str, User],
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    from django.core.management import call_command

    make_unit(world["shelter"], beds=4)
    call_command("record_occupancy", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client = login(personas["shelter_staff"])
    name, _, query = url_name.partition("?")
    url = reverse(name) + (f"?{query}" if query else "")
    client.get(url)  # warm the session and caches
    with django_assert_num_queries(queries):
        client.get(url)
    for number in range(4):
        extra = make_shelter("EG-ASN")
        make_unit(extra, beds=2)
        case = CaseFactory(lead_agency=world["housed"].lead_agency)
        refer_to_shelter(case, world["shelter"])
        actions.admit_to_shelter(case=case, shelter=world["shelter"], by=personas["shelter_staff"])
        del number
    call_command("record_occupancy", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with django_assert_num_queries(queries):
        client.get(url)


def test_administrators_set_up_shelters_in_the_admin_without_seeing_addresses(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    shelter = world["shelter"]
    admin = login(personas["administrator"])
    page = admin.get(reverse("admin:shelters_shelter_change", args=[shelter.pk]))
    assert page.status_code == 200
    assert shelter.address not in page.content.decode()
    assert admin.get(reverse("admin:shelters_unit_changelist")).status_code == 200
    other = login(personas["shelter_staff"])
    assert other.get(reverse("admin:shelters_shelter_changelist")).status_code in {302, 403}
