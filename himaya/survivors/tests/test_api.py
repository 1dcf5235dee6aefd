import pytest
from django.urls import reverse

from himaya.audit.models import AuditEvent
from himaya.survivors.models import Survivor
from himaya.survivors.tests.factories import SurvivorFactory

pytestmark = pytest.mark.django_db


def test_api_list_sends_clear_fields_only_within_scope(login, case_worker, world) -> None:
    response = login(case_worker).get(reverse("survivors:api_list"))
    assert response.status_code == 200
    body = response.json()
    assert {row["code"] for row in body["results"]} == {
        world.registered_by_a.code,
        world.case_of_a.code,
    }
    assert "name_ar" not in body["results"][0]
    assert "Fatma" not in response.content.decode()


def test_api_list_searches_by_exact_name(login, case_worker, world) -> None:
    response = login(case_worker).get(reverse("survivors:api_list"), {"q": "fatma ahmed ali"})
    assert [row["code"] for row in response.json()["results"]] == [world.registered_by_a.code]


def test_api_detail_without_purpose_sends_no_identity_and_records_nothing(
    login, case_worker, world
) -> None:
    url = reverse("survivors:api_detail", args=[world.registered_by_a.code])
    response = login(case_worker).get(url)
    assert response.json()["identity"] is None
    assert not AuditEvent.objects.filter(action="survivor.identity_viewed").exists()


def test_api_detail_with_purpose_sends_identity_and_writes_one_audit_row(
    login, case_worker, world
) -> None:
    survivor = world.registered_by_a
    url = reverse("survivors:api_detail", args=[survivor.code])
    response = login(case_worker).get(url, {"purpose": "referral"})
    identity = response.json()["identity"]
    assert identity["name_latin"] == "Fatma Ahmed Ali"
    assert identity["documents"] == [
        {"kind": "passport", "number": "P 123-456", "issuing_country": "SD"}
    ]
    [row] = AuditEvent.objects.filter(action="survivor.identity_viewed")
    assert (row.object_code, row.purpose) == (survivor.code, "referral")
    assert "Fatma" not in str(row.details)


def test_api_detail_refuses_an_unknown_purpose(login, case_worker, world) -> None:
    url = reverse("survivors:api_detail", args=[world.registered_by_a.code])
    response = login(case_worker).get(url, {"purpose": "curiosity"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="survivor.identity_viewed").exists()


def test_api_create_registers_and_answers_409_on_duplicates(login, case_worker, world) -> None:
    client = login(case_worker)
    payload = {
        "name_latin": "Fatma Ahmed Ali",
        "birth_year": 1999,
        "nationality": "EG",
        "documents": [{"kind": "passport", "number": "N1"}],
    }
    response = client.post(
        reverse("survivors:api_create"), payload, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["existing_codes"] == [world.registered_by_a.code]
    assert Survivor.objects.count() == 4
    response = client.post(
        reverse("survivors:api_create"),
        {**payload, "confirm_duplicate": True},
        content_type="application/json",
    )
    assert response.status_code == 201
    created = Survivor.objects.get(code=response.json()["code"])
    assert created.documents.get().number == "N1"


def test_api_create_validates_input(login, case_worker) -> None:
    response = login(case_worker).post(
        reverse("survivors:api_create"), {"nationality": "ZZ"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()["errors"]) == {"nationality"}
    assert Survivor.objects.count() == 0


def test_api_consents_list_create_and_withdraw(login, case_worker, world) -> None:
    client = login(case_worker)
    code = world.registered_by_a.code
    response = client.post(
        reverse("survivors:api_consent_create", args=[code]),
        {"purpose": "statistics"},
        content_type="application/json",
    )
    assert response.status_code == 201
    consent_id = response.json()["id"]
    listed = client.get(reverse("survivors:api_consents", args=[code])).json()
    assert {row["purpose"] for row in listed} == {"care", "statistics"}
    url = reverse("survivors:api_consent_withdraw", args=[code, consent_id])
    response = client.post(url, {"version": 1}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["in_force"] is False
    response = client.post(url, {"version": 1}, content_type="application/json")
    assert response.status_code == 400  # already withdrawn


def test_api_withdraw_with_stale_version_answers_409(login, case_worker, world) -> None:
    consent = world.consent
    type(consent).objects.filter(pk=consent.pk).update(version=3)
    url = reverse("survivors:api_consent_withdraw", args=[world.registered_by_a.code, consent.pk])
    response = login(case_worker).post(url, {"version": 2}, content_type="application/json")
    assert response.status_code == 409
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_api_list_runs_a_fixed_number_of_queries(
    login, case_worker, agency_a, django_assert_num_queries
) -> None:
    client = login(case_worker)
    SurvivorFactory(registered_by_agency=agency_a, registered_by=case_worker)
    client.get(reverse("survivors:api_list"))
    with django_assert_num_queries(QUERIES_API_LIST):
        client.get(reverse("survivors:api_list"))
    SurvivorFactory.create_batch(10, registered_by_agency=agency_a, registered_by=case_worker)
    with django_assert_num_queries(QUERIES_API_LIST):
        response = client.get(reverse("survivors:api_list"))
    body = response.json()
    assert (len(body["results"]), body["next"], body["previous"]) == (11, None, None)


# Session, user, OTP device, roles, page of survivors: the list is never counted.
QUERIES_API_LIST = 5
