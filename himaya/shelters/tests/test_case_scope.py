"""Which cases reach the shelters app, and for whom: role × operation.

Shelter staff act only on the cases referred to their shelter by a referral still open
(sent or accepted), and on the stays of the shelter they work in; the case workers and
supervisors of the lead agency act on their own cases. Everyone else is answered exactly
as for a code that does not exist, and a refusal writes nothing but its audit row.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case
from himaya.core.codes import new_code
from himaya.shelters import actions, selectors
from himaya.shelters.models import Bed, Shelter, Stay
from himaya.shelters.tests.factories import CaseFactory, make_shelter, make_unit, refer_to_shelter
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _evening_of_20_november(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to("2026-11-20 20:00 +0200", tick=False)


@dataclass
class World:
    ours: Shelter  # the shelter the case is referred to
    theirs: Shelter  # another shelter, with staff of its own
    far: Shelter  # a third shelter, where another case already sleeps
    referred: Case  # open (accepted) referral to ``ours``
    declined: Case  # its referral to ``ours`` was declined: no open referral
    housed: Case  # referred to ``ours`` and admitted there by its staff
    elsewhere: Case  # no referral; admitted into ``far`` by the lead case worker
    stay: Stay  # the stay of ``housed`` in ``ours``
    stay_elsewhere: Stay
    users: dict[str, User]


@pytest.fixture
def world(
    make_persona: Callable[..., User],
    agency_a: Agency,
    case_worker: User,
    outsider: User,
) -> World:
    ours = make_shelter("EG-C", name_en="Our Shelter", name_ar="دارنا")
    make_unit(ours, beds=3)
    theirs = make_shelter("EG-GZ", name_en="Their Shelter", name_ar="دارهم")
    make_unit(theirs, beds=2)
    far = make_shelter("EG-ALX", name_en="Far Shelter", name_ar="الدار البعيدة")
    make_unit(far, beds=2)
    ours_staff = make_persona(Role.SHELTER_STAFF, ours.agency, "ours_staff")
    theirs_staff = make_persona(Role.SHELTER_STAFF, theirs.agency, "theirs_staff")

    def new_case() -> Case:
        return CaseFactory(lead_agency=agency_a, case_worker=case_worker)

    referred, declined, housed, elsewhere = new_case(), new_case(), new_case(), new_case()
    refer_to_shelter(referred, ours)
    refer_to_shelter(declined, ours, status="declined")
    refer_to_shelter(housed, ours)
    stay = actions.admit_to_shelter(case=housed, shelter=ours, by=ours_staff)
    stay_elsewhere = actions.admit_to_shelter(case=elsewhere, shelter=far, by=case_worker)
    users = {
        "shelter_staff_with_referral": ours_staff,
        "shelter_staff_without_referral": ours_staff,
        "shelter_staff_of_another_shelter": theirs_staff,
        "lead_case_worker": case_worker,
        "other_agency_case_worker": outsider,
        "analyst": make_persona(Role.ANALYST),
        "administrator": make_persona(Role.ADMINISTRATOR),
    }
    return World(
        ours, theirs, far, referred, declined, housed, elsewhere, stay, stay_elsewhere, users
    )


# Each role acts on the case (and the stay) that makes its row meaningful: shelter staff
# without a referral act on a case whose referral to their shelter was declined, and on a
# stay in another shelter; staff of another shelter act on the case referred to ours.
ROLES: dict[str, dict[str, str]] = {
    "shelter_staff_with_referral": {"case": "referred", "into": "ours", "stay": "stay"},
    "shelter_staff_without_referral": {
        "case": "declined",
        "into": "ours",
        "stay": "stay_elsewhere",
    },
    "shelter_staff_of_another_shelter": {"case": "referred", "into": "theirs", "stay": "stay"},
    "lead_case_worker": {"case": "referred", "into": "ours", "stay": "stay"},
    "other_agency_case_worker": {"case": "referred", "into": "ours", "stay": "stay"},
    "analyst": {"case": "referred", "into": "ours", "stay": "stay"},
    "administrator": {"case": "referred", "into": "ours", "stay": "stay"},
}
ALLOWED = {"shelter_staff_with_referral", "lead_case_worker"}
WITHOUT_CAPABILITY = {"analyst", "administrator"}

OPERATIONS = {
    # operation: the status it answers when allowed
    "find_bed_page_with_case": 200,
    "admit_page": 302,
    "admit_api": 201,
    "transfer_page": 302,
    "transfer_api": 201,
    "discharge_page": 302,
    "discharge_api": 200,
}


def _expected(role: str, operation: str) -> int:
    if role in ALLOWED:
        return OPERATIONS[operation]
    # Without the capability, finding a bed or admitting is refused outright; a stay
    # out of sight is not found, whoever asks.
    if role in WITHOUT_CAPABILITY and not operation.startswith(("transfer", "discharge")):
        return 403
    return 404


def _perform(
    client: Client, operation: str, case: Case, shelter: Shelter, stay: Stay, to: Shelter
) -> Any:
    if operation == "find_bed_page_with_case":
        return client.get(reverse("shelters:find_bed") + f"?case={case.code}")
    if operation == "admit_page":
        return client.post(
            reverse("shelters:admit"),
            {"case": case.code, "shelter": shelter.code, "planned_nights": 30},
        )
    if operation == "admit_api":
        return client.post(
            reverse("shelters:api_admit"),
            {"case": case.code, "shelter": shelter.code},
            content_type="application/json",
        )
    move = {"version": stay.version}
    if operation.startswith("transfer"):
        move["shelter"] = to.code  # type: ignore[assignment]
    else:
        move["destination"] = "family"  # type: ignore[assignment]
    if operation.endswith("_api"):
        name = (
            "shelters:api_transfer"
            if operation.startswith("transfer")
            else "shelters:api_discharge"
        )
        return client.post(reverse(name, args=[stay.code]), move, content_type="application/json")
    name = "shelters:transfer" if operation.startswith("transfer") else "shelters:discharge"
    return client.post(reverse(name, args=[stay.code]), move)


def _last_sequence() -> int:
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    return last or 0


def _free_beds(shelter: Shelter) -> int:
    return (
        Bed.objects.filter(unit__shelter=shelter, is_active=True)
        .exclude(stays__status="open")
        .count()
    )


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("role", list(ROLES))
def test_who_reaches_a_case_in_the_shelters_app(
    role: str, operation: str, world: World, login: Callable[[User], Client]
) -> None:
    target = ROLES[role]
    case: Case = getattr(world, target["case"])
    shelter: Shelter = getattr(world, target["into"])
    stay: Stay = getattr(world, target["stay"])
    # A transfer goes to a shelter other than the one the person is in.
    to = world.theirs if stay.shelter_id != world.theirs.pk else world.ours
    client = login(world.users[role])
    before = {
        "stays": Stay.objects.count(),
        "events": CaseEvent.objects.filter(case__in=[case, stay.case]).count(),
        "audit": _last_sequence(),
        "free": {s.pk: _free_beds(s) for s in (world.ours, world.theirs, world.far)},
        "stay": (stay.status, stay.version),
    }

    response = _perform(client, operation, case, shelter, stay, to)

    expected = _expected(role, operation)
    assert response.status_code == expected, (role, operation, response.content[:300])
    stay.refresh_from_db()
    if role in ALLOWED and operation != "find_bed_page_with_case":
        if operation.startswith("admit"):
            admitted = Stay.objects.get(case=case, status="open")
            assert (admitted.shelter, admitted.admitted_by) == (shelter, world.users[role])
            assert _free_beds(shelter) == before["free"][shelter.pk] - 1
        else:
            ended = "transferred" if operation.startswith("transfer") else "discharged"
            assert (stay.status, stay.ended_by) == (ended, world.users[role])
        return
    # Refused, or a page that only reads: nothing changed but one audit row of the refusal.
    assert Stay.objects.count() == before["stays"]
    assert CaseEvent.objects.filter(case__in=[case, stay.case]).count() == before["events"]
    assert {s.pk: _free_beds(s) for s in (world.ours, world.theirs, world.far)} == before["free"]
    assert (stay.status, stay.version) == before["stay"]
    new_rows = list(
        AuditEvent.objects.filter(sequence__gt=before["audit"]).values_list("action", flat=True)
    )
    assert new_rows == ([] if expected == 200 else ["shelters.refused"])


def test_an_out_of_scope_case_is_answered_exactly_as_a_missing_code(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.users["shelter_staff_with_referral"])
    missing = new_code("CS")
    answers = []
    for code in (world.declined.code, world.elsewhere.code, missing):
        api = client.post(
            reverse("shelters:api_admit"),
            {"case": code, "shelter": world.ours.code},
            content_type="application/json",
        )
        page = client.get(reverse("shelters:find_bed") + f"?case={code}")
        answers.append((api.status_code, api.json(), page.status_code))
        assert "لا توجد حالة متاحة لك بهذا الرمز." in page.content.decode()
    assert answers[0] == answers[1] == answers[2]
    assert answers[0] == (
        404,
        {
            "type": "about:blank",
            "title": "غير موجود",
            "status": 404,
            "detail": "لا توجد حالة متاحة لك بهذا الرمز.",
        },
        404,
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(
        reverse("shelters:api_admit"),
        {"case": missing, "shelter": world.ours.code},
        content_type="application/json",
    )
    assert english.json()["detail"] == "No case open to you has this code."
    refusals = AuditEvent.objects.filter(action="shelters.refused").order_by("sequence")
    assert [(e.object_code, e.details) for e in refusals] == [
        (code, {"operation": operation, "reason": "not_found", **extra})
        for code in (world.declined.code, world.elsewhere.code, missing)
        for operation, extra in (("admit", {"shelter": world.ours.code}), ("find_bed", {}))
    ] + [(missing, {"operation": "admit", "reason": "not_found", "shelter": world.ours.code})]


def test_being_in_another_agencys_shelter_is_not_revealed_to_shelter_staff(
    world: World, login: Callable[[User], Client]
) -> None:
    """The case sleeping in the far shelter is answered as missing, never "already in a
    shelter"; its lead case worker alone learns why the admission is refused."""
    staff = login(world.users["shelter_staff_with_referral"])
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = staff.post(
        reverse("shelters:api_admit"),
        {"case": world.elsewhere.code, "shelter": world.ours.code},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert "already" not in response.json()["detail"]
    worker = login(world.users["lead_case_worker"])
    response = worker.post(
        reverse("shelters:api_admit"),
        {"case": world.elsewhere.code, "shelter": world.ours.code},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "already in a shelter" in response.json()["detail"]
    assert Stay.objects.filter(case=world.elsewhere).count() == 1


def test_shelter_staff_with_a_referral_may_not_admit_into_another_shelter(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.users["shelter_staff_with_referral"])
    before = _last_sequence()
    response = client.post(
        reverse("shelters:api_admit"),
        {"case": world.referred.code, "shelter": world.theirs.code},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "لا يحق لك إيواء هذا الشخص في هذه الدار."
    page = client.post(
        reverse("shelters:admit"),
        {"case": world.referred.code, "shelter": world.theirs.code, "planned_nights": 30},
    )
    assert page.status_code == 403
    assert "لا يحق لك إيواء هذا الشخص في هذه الدار" in page.content.decode()
    assert Stay.objects.filter(case=world.referred).count() == 0
    assert (
        list(AuditEvent.objects.filter(sequence__gt=before).values_list("action", "details"))
        == [
            (
                "shelters.refused",
                {"operation": "admit", "reason": "not_permitted", "shelter": world.theirs.code},
            )
        ]
        * 2
    )


def test_find_bed_offers_shelter_staff_to_admit_only_into_their_own_shelter(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.users["shelter_staff_with_referral"])
    url = (
        reverse("shelters:find_bed")
        + f"?case={world.referred.code}&sex=female&age=28&security_level=1"
    )
    text = client.get(url).content.decode()
    assert text.count('data-testid="option"') == 3
    assert text.count('data-testid="admit"') == 1
    assert f'name="shelter" value="{world.ours.code}"' in text
    worker = login(world.users["lead_case_worker"]).get(url).content.decode()
    assert worker.count('data-testid="admit"') == 3


def test_find_bed_fills_in_only_what_the_referral_shares(
    world: World, login: Callable[[User], Client], agency_a: Agency, case_worker: User
) -> None:
    case = CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        survivor__sex="male",
        survivor__birth_year=2010,
        survivor__has_disability=True,
    )
    refer_to_shelter(case, world.ours, shared_fields=("first_name", "age"))
    url = reverse("shelters:find_bed") + f"?case={case.code}"
    staff = login(world.users["shelter_staff_with_referral"]).get(url).content.decode()
    assert 'name="age" value="16"' in staff
    assert '<option value="male" selected>' not in staff
    assert 'name="wheelchair"' in staff and "checked" not in staff
    worker = login(world.users["lead_case_worker"]).get(url).content.decode()
    assert '<option value="male" selected>' in worker
    assert "checked" in worker


def test_shelter_staff_list_and_read_only_the_stays_of_their_shelter(
    world: World, login: Callable[[User], Client]
) -> None:
    theirs = login(world.users["shelter_staff_of_another_shelter"])
    listed = theirs.get(reverse("shelters:api_stays")).json()["results"]
    assert listed == []
    page = theirs.get(reverse("shelters:detail", args=[world.ours.code])).content.decode()
    assert world.housed.survivor.code not in page
    assert theirs.get(reverse("shelters:stay", args=[world.stay.code])).status_code == 404
    ours = login(world.users["shelter_staff_with_referral"])
    codes = [row["code"] for row in ours.get(reverse("shelters:api_stays")).json()["results"]]
    assert codes == [world.stay.code]
    page = ours.get(reverse("shelters:detail", args=[world.ours.code])).content.decode()
    assert world.housed.survivor.code in page


def test_the_case_door_reaches_no_case_without_scope(world: World) -> None:
    def codes(role: str) -> set[str]:
        return set(selectors.cases_admittable_by(world.users[role]).values_list("code", flat=True))

    assert codes("shelter_staff_with_referral") == {world.referred.code, world.housed.code}
    assert codes("shelter_staff_of_another_shelter") == set()
    assert codes("lead_case_worker") == {
        world.referred.code,
        world.declined.code,
        world.housed.code,
        world.elsewhere.code,
    }
    for role in ("other_agency_case_worker", "analyst", "administrator"):
        assert codes(role) == set()


def test_a_referral_still_waiting_for_an_answer_opens_the_case_to_the_shelter(
    world: World, agency_a: Agency, case_worker: User
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    referral = refer_to_shelter(case, world.ours, status="sent")
    staff = world.users["shelter_staff_with_referral"]
    assert selectors.case_for_admission(staff, case.code) == case
    referral.status = "cancelled"
    referral.cancelled_at = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    referral.save()
    assert selectors.case_for_admission(staff, case.code) is None


def test_the_administration_site_offers_no_door_to_stays() -> None:
    from himaya.accounts.admin import admin_site

    assert Stay not in admin_site._registry
    assert Shelter in admin_site._registry
