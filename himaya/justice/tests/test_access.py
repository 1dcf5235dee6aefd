"""Who reads and who changes the justice record, page by page and route by route.

The case's team reads and writes; a partner (police, prosecution) reads only through an
accepted referral sharing "justice" while the consent stands, and never writes; an
embassy never reads; anyone else gets 404 as for a missing case, and nothing changes."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.models import User
from himaya.justice.models import ChargeAgainstSurvivor, CriminalProceeding
from himaya.justice.tests.conftest import World, snapshot
from himaya.referrals import actions as referral_actions
from himaya.referrals.actions import ReferralError
from himaya.referrals.tests.factories import service
from himaya.survivors.models import Consent

pytestmark = pytest.mark.django_db

Ops = list[tuple[str, str, str, dict[str, Any]]]


def reads(world: World, proceeding: CriminalProceeding) -> Ops:
    return [
        ("case page", "get", reverse("justice:case", args=[world.case.code]), {}),
        ("proceeding page", "get", reverse("justice:proceeding", args=[proceeding.code]), {}),
        ("api case", "get", reverse("justice:api_case", args=[world.case.code]), {}),
        ("api proceeding", "get", reverse("justice:api_proceeding", args=[proceeding.code]), {}),
    ]


def writes(world: World, proceeding: CriminalProceeding, charge: ChargeAgainstSurvivor) -> Ops:
    version = {"version": str(proceeding.version)}
    return [
        (
            "move",
            "post",
            reverse("justice:proceeding_move", args=[proceeding.code]),
            {"to": "under_investigation", "outcome": "pending", **version},
        ),
        (
            "hearing",
            "post",
            reverse("justice:hearing_add", args=[proceeding.code]),
            {"held_on": "2026-03-01", "purpose": "جلسة"},
        ),
        (
            "new proceeding",
            "post",
            reverse("justice:proceeding_new", args=[world.case.code]),
            {"offences": ["trafficking"], "survivor_role": "witness", "reported_on": "2026-02-01"},
        ),
        (
            "edit charge",
            "post",
            reverse("justice:charge_edit", args=[charge.code]),
            {
                "charge": "begging",
                "authority": "قسم الشرطة",
                "result": "pending",
                "version": str(charge.version),
            },
        ),
    ]


@pytest.fixture
def record(world: World, proceeding: CriminalProceeding, charge: ChargeAgainstSurvivor) -> World:
    return world


@pytest.mark.parametrize("who", ["case_worker", "supervisor"])
def test_the_case_team_reads_every_page_and_route(
    record: World, proceeding: CriminalProceeding, login: Callable[[User], Client], who: str
) -> None:
    client = login(getattr(record, who))
    for name, method, url, data in reads(record, proceeding):
        response = getattr(client, method)(url, data)
        assert response.status_code == 200, name
    panel = client.get(reverse("justice:case_panel", args=[record.case.code]))
    assert panel.status_code == 200
    assert proceeding.code in panel.content.decode()


def test_the_case_team_moves_the_proceeding_from_the_page(
    record: World, proceeding: CriminalProceeding, login: Callable[[User], Client]
) -> None:
    client = login(record.case_worker)
    response = client.post(
        reverse("justice:proceeding_move", args=[proceeding.code]),
        {"to": "under_investigation", "outcome": "pending", "version": "1"},
    )
    assert response.status_code == 302
    assert CriminalProceeding.objects.get(pk=proceeding.pk).status == "under_investigation"


def test_a_refused_move_on_the_page_shows_why_and_changes_nothing(
    record: World, proceeding: CriminalProceeding, login: Callable[[User], Client]
) -> None:
    client = login(record.case_worker)
    before = snapshot()
    response = client.post(
        reverse("justice:proceeding_move", args=[proceeding.code]),
        {"to": "closed", "outcome": "pending", "version": "1"},
    )
    assert response.status_code == 400
    assert response.context["move_form"].errors["outcome"]
    after = snapshot()
    assert (after.proceedings, after.timeline) == (before.proceedings, before.timeline)


@pytest.mark.parametrize("who", ["outsider", "police_officer", "embassy_staff"])
def test_without_a_shared_referral_everyone_else_gets_404_and_nothing_changes(
    record: World,
    proceeding: CriminalProceeding,
    charge: ChargeAgainstSurvivor,
    login: Callable[[User], Client],
    who: str,
) -> None:
    client = login(getattr(record, who))
    before = snapshot()
    for name, method, url, data in reads(record, proceeding) + writes(record, proceeding, charge):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, name
    assert client.get(reverse("justice:api_proceedings")).json()["results"] == []
    assert snapshot() == before


def test_the_police_reads_through_an_accepted_referral_sharing_justice(
    record: World,
    proceeding: CriminalProceeding,
    charge: ChargeAgainstSurvivor,
    share_with: Callable[..., Any],
    login: Callable[[User], Client],
) -> None:
    share_with(record, record.police)
    client = login(record.police_officer)
    for name, method, url, data in reads(record, proceeding):
        assert getattr(client, method)(url, data).status_code == 200, name
    page = client.get(reverse("justice:proceeding", args=[proceeding.code])).content.decode()
    assert "محضر 1234 لسنة 2026" in page
    assert reverse("justice:proceeding_move", args=[proceeding.code]) not in page
    listed = client.get(reverse("justice:api_proceedings")).json()["results"]
    assert [row["code"] for row in listed] == [proceeding.code]
    assert "police_report_ref" not in listed[0]


def test_the_police_never_writes_even_with_the_record_shared(
    record: World,
    proceeding: CriminalProceeding,
    charge: ChargeAgainstSurvivor,
    share_with: Callable[..., Any],
    login: Callable[[User], Client],
) -> None:
    share_with(record, record.police)
    client = login(record.police_officer)
    before = snapshot()
    for name, method, url, data in writes(record, proceeding, charge):
        assert getattr(client, method)(url, data).status_code == 403, name
    assert snapshot() == before


@pytest.mark.parametrize(
    ("status", "fields"),
    [
        ("sent", ("first_name", "justice")),
        ("accepted", ("first_name", "sex")),
        ("completed", ("justice",)),
        ("declined", ("justice",)),
    ],
    ids=["not-yet-accepted", "justice-not-shared", "completed", "declined"],
)
def test_the_police_gets_404_through_any_other_referral(
    record: World,
    proceeding: CriminalProceeding,
    share_with: Callable[..., Any],
    login: Callable[[User], Client],
    status: str,
    fields: tuple[str, ...],
) -> None:
    referral = share_with(record, record.police, status="accepted", fields=fields)
    type(referral).objects.filter(pk=referral.pk).update(
        status=status,
        decline_reason="-" if status == "declined" else "",
        outcome_note="-" if status == "completed" else "",
        completed_at=referral.sent_at if status == "completed" else None,
    )
    client = login(record.police_officer)
    for name, method, url, data in reads(record, proceeding):
        assert getattr(client, method)(url, data).status_code == 404, name


def test_a_withdrawn_consent_closes_the_justice_record_to_the_police(
    record: World,
    proceeding: CriminalProceeding,
    share_with: Callable[..., Any],
    login: Callable[[User], Client],
) -> None:
    share_with(record, record.police)
    Consent.objects.filter(survivor=record.case.survivor, recipient=record.police).update(
        withdrawn_on=timezone.localdate()
    )
    client = login(record.police_officer)
    for name, method, url, data in reads(record, proceeding):
        assert getattr(client, method)(url, data).status_code == 404, name


def test_an_embassy_never_sees_the_justice_record_even_through_an_accepted_referral(
    record: World,
    proceeding: CriminalProceeding,
    share_with: Callable[..., Any],
    login: Callable[[User], Client],
) -> None:
    share_with(record, record.embassy)
    client = login(record.embassy_staff)
    for name, method, url, data in reads(record, proceeding):
        assert getattr(client, method)(url, data).status_code == 404, name


def test_a_referral_to_an_embassy_cannot_share_the_justice_record(record: World) -> None:
    with pytest.raises(ReferralError) as refused:
        referral_actions.create_referral(
            case=record.case,
            to_agency=record.embassy,
            service_type=service(),
            shared_fields=["justice"],
            by=record.case_worker,
        )
    assert refused.value.field == "shared_fields"


def test_a_referral_to_the_police_may_share_the_justice_record(record: World) -> None:
    referral = referral_actions.create_referral(
        case=record.case,
        to_agency=record.police,
        service_type=service(),
        shared_fields=["justice", "first_name"],
        by=record.case_worker,
    )
    assert referral.shared_fields == ["first_name", "justice"]


def test_the_panel_is_for_the_case_team_only(
    record: World,
    share_with: Callable[..., Any],
    login: Callable[[User], Client],
) -> None:
    share_with(record, record.police)
    url = reverse("justice:case_panel", args=[record.case.code])
    assert login(record.police_officer).get(url).status_code == 403
    assert login(record.outsider).get(url).status_code == 404


def test_the_police_reaches_the_justice_record_from_the_accepted_referral(
    record: World, share_with: Callable[..., Any], login: Callable[[User], Client]
) -> None:
    referral = share_with(record, record.police)
    page = login(record.police_officer).get(reverse("referrals:detail", args=[referral.code]))
    assert page.status_code == 200
    assert reverse("justice:case", args=[record.case.code]) in page.content.decode()
