from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.audit.models import AuditEvent
from himaya.justice.models import ChargeAgainstSurvivor, CriminalProceeding
from himaya.justice.tests.conftest import World, snapshot

pytestmark = pytest.mark.django_db

PROCEEDING = {
    "offences": ["trafficking", "forced_labour"],
    "survivor_role": "complainant",
    "reported_on": "2026-02-01",
    "police_report_ref": "محضر 77",
    "court": "محكمة جنايات الجيزة",
    "protection_measures": ["video_testimony"],
    "compensation_claimed": "25000.00",
    "claimed_on": "2026-02-15",
}


def test_the_team_records_a_proceeding_and_reads_it_with_its_references(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)
    created = client.post(
        reverse("justice:api_proceeding_create", args=[world.case.code]),
        PROCEEDING,
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "reported"
    assert body["compensation_claimed"] == "25000.00"
    assert "police_report_ref" not in body
    detail = client.get(reverse("justice:api_proceeding", args=[body["code"]])).json()
    assert detail["police_report_ref"] == "محضر 77"
    assert detail["prosecution_ref"] == ""
    assert AuditEvent.objects.filter(action="justice.references_read").count() == 1


def test_the_team_moves_a_proceeding_and_records_a_hearing_through_the_api(
    world: World, proceeding: CriminalProceeding, login: Callable[[User], Client]
) -> None:
    client = login(world.supervisor)
    moved = client.post(
        reverse("justice:api_proceeding_status", args=[proceeding.code]),
        {"to": "under_investigation", "outcome": "pending", "version": 1},
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["version"]) == ("under_investigation", 2)
    hearing = client.post(
        reverse("justice:api_hearing_create", args=[proceeding.code]),
        {"held_on": "2026-03-02", "purpose": "تحقيق", "survivor_attended": True},
        content_type="application/json",
    )
    assert hearing.status_code == 201
    case = client.get(reverse("justice:api_case", args=[world.case.code])).json()
    assert [h["purpose"] for h in case["proceedings"][0]["hearings"]] == ["تحقيق"]


def test_a_refused_transition_is_a_problem_detail_and_changes_nothing(
    world: World, proceeding: CriminalProceeding, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)
    before = snapshot()
    response = client.post(
        reverse("justice:api_proceeding_status", args=[proceeding.code]),
        {"to": "tried", "outcome": "pending", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "to" in response.json()["errors"]
    assert snapshot() == before


def test_a_stale_version_is_a_409(
    world: World, proceeding: CriminalProceeding, login: Callable[[User], Client]
) -> None:
    response = login(world.case_worker).post(
        reverse("justice:api_proceeding_status", args=[proceeding.code]),
        {"to": "under_investigation", "outcome": "pending", "version": 7},
        content_type="application/json",
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"compensation_claimed": "-5.00"}, "compensation_claimed"),
        ({"compensation_claimed": "1.001"}, "compensation_claimed"),
        ({"offences": []}, "offences"),
        ({"survivor_role": "judge"}, "survivor_role"),
        ({"claimed_on": None}, "claimed_on"),
    ],
    ids=["negative", "three-places", "no-offence", "bad-role", "claim-without-date"],
)
def test_bad_input_is_a_400_on_its_field(
    world: World, login: Callable[[User], Client], changes: dict[str, Any], field: str
) -> None:
    client = login(world.case_worker)
    before = snapshot()
    response = client.post(
        reverse("justice:api_proceeding_create", args=[world.case.code]),
        {**PROCEEDING, **changes},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert snapshot() == before


def test_the_team_records_and_updates_a_charge_through_the_api(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)
    created = client.post(
        reverse("justice:api_charge_create", args=[world.case.code]),
        {
            "charge": "begging",
            "authority": "قسم شرطة الأزبكية",
            "arising_from_trafficking": True,
            "justification": "أُجبرت على التسول",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    code = created.json()["code"]
    updated = client.post(
        reverse("justice:api_charge_update", args=[code]),
        {
            "charge": "begging",
            "authority": "قسم شرطة الأزبكية",
            "arising_from_trafficking": True,
            "justification": "أُجبرت على التسول",
            "drop_requested_on": "2026-03-01",
            "drop_requested_to": "النيابة العامة",
            "result": "penalty_waived",
            "result_on": "2026-03-10",
            "version": 1,
        },
        content_type="application/json",
    )
    assert updated.status_code == 200
    stored = ChargeAgainstSurvivor.objects.get(code=code)
    assert (stored.result, stored.version) == ("penalty_waived", 2)


def test_the_police_reads_but_cannot_write_through_the_api(
    world: World,
    proceeding: CriminalProceeding,
    share_with: Callable[..., Any],
    login: Callable[[User], Client],
) -> None:
    share_with(world, world.police)
    client = login(world.police_officer)
    assert client.get(reverse("justice:api_case", args=[world.case.code])).status_code == 200
    before = snapshot()
    response = client.post(
        reverse("justice:api_proceeding_create", args=[world.case.code]),
        PROCEEDING,
        content_type="application/json",
    )
    assert response.status_code == 403
    response = client.post(
        reverse("justice:api_proceeding_update", args=[proceeding.code]),
        {**PROCEEDING, "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert snapshot() == before
    assert CriminalProceeding.objects.get(pk=proceeding.pk).compensation_claimed == Decimal(
        "1000.50"
    )
