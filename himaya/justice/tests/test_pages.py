from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.justice.models import ChargeAgainstSurvivor, CriminalProceeding
from himaya.justice.tests.conftest import World, snapshot

pytestmark = pytest.mark.django_db


def test_the_team_records_a_proceeding_from_the_form(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)
    url = reverse("justice:proceeding_new", args=[world.case.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "offences": ["trafficking", "sexual_exploitation"],
            "survivor_role": "civil_party",
            "reported_on": "2026-02-01",
            "police_report_ref": "محضر 5",
            "protection_measures": ["relocation"],
            "compensation_claimed": "12000.75",
            "claimed_on": "2026-02-20",
        },
    )
    proceeding = CriminalProceeding.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("justice:proceeding", args=[proceeding.code])
    assert proceeding.compensation_claimed == Decimal("12000.75")
    assert proceeding.offences == ["trafficking", "sexual_exploitation"]


def test_a_refused_proceeding_form_shows_the_error_on_its_field(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)
    before = snapshot()
    response = client.post(
        reverse("justice:proceeding_new", args=[world.case.code]),
        {
            "offences": ["trafficking"],
            "survivor_role": "witness",
            "reported_on": "2026-02-01",
            "compensation_received": "10.00",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["received_on"]
    assert snapshot() == before


def test_a_negative_amount_is_refused_by_the_form(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)
    response = client.post(
        reverse("justice:proceeding_new", args=[world.case.code]),
        {
            "offences": ["trafficking"],
            "survivor_role": "witness",
            "reported_on": "2026-02-01",
            "compensation_claimed": "-1",
            "claimed_on": "2026-02-01",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["compensation_claimed"]
    assert CriminalProceeding.objects.count() == 0


def test_the_team_edits_a_proceeding_and_records_a_hearing_from_the_pages(
    world: World, proceeding: CriminalProceeding, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)
    edit = reverse("justice:proceeding_edit", args=[proceeding.code])
    form = client.get(edit)
    assert form.status_code == 200
    assert form.context["form"].initial["court"] == "محكمة جنايات القاهرة"
    response = client.post(
        edit,
        {
            "version": "1",
            "offences": ["trafficking"],
            "survivor_role": "complainant",
            "reported_on": "2026-02-01",
            "court": "محكمة جنايات الجيزة",
            "compensation_claimed": "1000.50",
            "claimed_on": "2026-03-01",
            "compensation_received": "3000.00",
            "received_on": "2026-04-01",
        },
    )
    assert response.status_code == 302
    hearing = client.post(
        reverse("justice:hearing_add", args=[proceeding.code]),
        {"held_on": "2026-03-05", "purpose": "جلسة المرافعة", "survivor_attended": "on"},
    )
    assert hearing.status_code == 302
    stored = CriminalProceeding.objects.get(pk=proceeding.pk)
    assert (stored.court, stored.survivor_role, stored.version) == (
        "محكمة جنايات الجيزة",
        "complainant",
        2,
    )
    assert stored.compensation_received == Decimal("3000.00")
    assert stored.hearings.get().court == "محكمة جنايات الجيزة"
    page = client.get(reverse("justice:proceeding", args=[proceeding.code])).content.decode()
    assert "جلسة المرافعة" in page


def test_the_team_records_and_drops_a_charge_from_the_pages(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)
    response = client.post(
        reverse("justice:charge_new", args=[world.case.code]),
        {
            "charge": "document_fraud",
            "authority": "مصلحة الجوازات",
            "arising_from_trafficking": "on",
            "justification": "زوّر المستغل جواز السفر",
            "result": "pending",
        },
    )
    assert response.status_code == 302
    charge = ChargeAgainstSurvivor.objects.get()
    edit = reverse("justice:charge_edit", args=[charge.code])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "version": "1",
            "charge": "document_fraud",
            "authority": "مصلحة الجوازات",
            "arising_from_trafficking": "on",
            "justification": "زوّر المستغل جواز السفر",
            "drop_requested_on": "2026-03-01",
            "drop_requested_to": "النيابة العامة",
            "result": "dropped",
            "result_on": "2026-03-15",
        },
    )
    assert response.status_code == 302
    assert ChargeAgainstSurvivor.objects.get().result == "dropped"
    record = client.get(reverse("justice:case", args=[world.case.code])).content.decode()
    assert charge.code in record


def test_the_justice_pages_read_in_arabic(
    world: World,
    proceeding: CriminalProceeding,
    charge: ChargeAgainstSurvivor,
    login: Callable[[User], Client],
) -> None:
    client = login(world.case_worker)
    page = client.get(
        reverse("justice:case", args=[world.case.code]), HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert 'dir="rtl"' in page
    assert reverse("cases:detail", args=[world.case.code]) in page
