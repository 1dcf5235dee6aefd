import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from himaya.audit.models import AuditEvent
from himaya.audit.tests.queries import AUDIT_ROW_QUERIES
from himaya.survivors.actions import REVIEW_NOTICE
from himaya.survivors.models import PossibleDuplicate, Survivor
from himaya.survivors.tests.factories import SurvivorFactory

pytestmark = pytest.mark.django_db


def arabic(message: Any) -> str:
    """A message as the Arabic page shows it (the translation must exist)."""
    with translation.override("ar"):
        text = str(message)
    with translation.override("en"):
        assert text != str(message), "no Arabic translation"
    return text


def identity_rows() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="survivor.identity_viewed"))


def test_survivor_page_shows_clear_data_and_hides_the_identity(login, case_worker, world) -> None:
    survivor = world.registered_by_a
    response = login(case_worker).get(reverse("survivors:detail", args=[survivor.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert survivor.code in html
    assert "1999" in html
    assert "فاطمة" not in html and "Fatma" not in html and survivor.phone not in html
    assert "P 123-456" not in html
    assert identity_rows() == []


def test_revealing_the_identity_writes_exactly_one_audit_row_without_personal_data(
    login, case_worker, world
) -> None:
    survivor = world.registered_by_a
    client = login(case_worker)
    response = client.post(reverse("survivors:reveal", args=[survivor.code]), {"purpose": "care"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "فاطمة أحمد علي" in html and survivor.phone in html and "P 123-456" in html
    [row] = identity_rows()
    assert (row.actor, row.object_code, row.purpose) == (case_worker, survivor.code, "care")
    stored = f"{row.details} {row.object_code} {row.purpose} {row.object_type}"
    for personal in ["فاطمة", "Fatma", survivor.phone, "P 123-456", "123456", "1999-04-12"]:
        assert personal not in stored


def test_revealing_through_htmx_returns_only_the_identity_fragment(
    login, case_worker, world
) -> None:
    survivor = world.registered_by_a
    response = login(case_worker).post(
        reverse("survivors:reveal", args=[survivor.code]),
        {"purpose": "safety"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="identity"')
    assert "Fatma Ahmed Ali" in html
    assert len(identity_rows()) == 1


def test_revealing_without_a_purpose_shows_nothing_and_records_nothing(
    login, case_worker, world
) -> None:
    survivor = world.registered_by_a
    response = login(case_worker).post(reverse("survivors:reveal", args=[survivor.code]), {})
    html = response.content.decode()
    assert "Fatma" not in html
    assert identity_rows() == []


def test_survivor_page_links_to_screening_and_case_opening_when_those_pages_exist(
    login, case_worker, world
) -> None:
    from django.urls import NoReverseMatch

    survivor = world.registered_by_a
    html = login(case_worker).get(reverse("survivors:detail", args=[survivor.code])).content
    for name in ["screening:start", "cases:open"]:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        assert f"{url}?survivor={survivor.code}".encode() in html


def test_register_form_keeps_typed_values_and_shows_errors_beside_fields(
    login, case_worker, agency_a
) -> None:
    response = login(case_worker).post(
        reverse("survivors:register"),
        {
            "agency": agency_a.pk,
            "name_ar": "",
            "name_latin": "",
            "phone": "+20 10 5555 6666",
            "birth_year": "1890",
            "sex": "female",
            "nationality": "ER",
            "document_number": "E123",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-error-for="name_ar"' in html
    assert 'data-error-for="birth_year"' in html
    assert 'data-error-for="document_kind"' in html
    assert html.count('aria-invalid="true"') == 3
    assert 'value="+20 10 5555 6666"' in html
    assert 'value="E123"' in html
    assert '<option value="ER" selected>' in html
    assert Survivor.objects.count() == 0


def test_register_in_arabic_then_see_the_code(login, case_worker, agency_a) -> None:
    client = login(case_worker)
    response = client.post(
        reverse("survivors:register"),
        {
            "agency": agency_a.pk,
            "name_ar": "نور الهدى سالم",
            "sex": "female",
            "estimated_age": "16",
            "nationality": "EG",
            "document_kind": "national_id",
            "document_number": "30910100112233",
            "document_country": "EG",
        },
        follow=True,
    )
    survivor = Survivor.objects.get()
    assert survivor.age_is_estimated is True
    assert survivor.documents.get().number == "30910100112233"
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert survivor.code in html


def test_duplicate_warning_shows_the_existing_code_and_register_anyway_works(
    login, case_worker, agency_a, world
) -> None:
    client = login(case_worker)
    data = {
        "agency": agency_a.pk,
        "name_latin": "FATMA ahmed ali",
        "sex": "female",
        "birth_year": "1999",
        "nationality": "EG",
    }
    response = client.post(reverse("survivors:register"), data)
    html = response.content.decode()
    assert 'data-testid="duplicate-warning"' in html
    assert world.registered_by_a.code in html
    assert Survivor.objects.count() == 4
    response = client.post(reverse("survivors:register"), {**data, "confirm_duplicate": "on"})
    assert response.status_code == 302
    assert Survivor.objects.count() == 5
    event = AuditEvent.objects.filter(action="survivor.registered").get()
    assert event.details["registered_despite_duplicates"] == [world.registered_by_a.code]


def test_a_match_the_user_may_not_see_is_neither_named_nor_counted_on_the_page(
    login, outsider, agency_b, world
) -> None:
    response = login(outsider).post(
        reverse("survivors:register"),
        {
            "agency": agency_b.pk,
            "name_ar": "فاطمه احمد علي",
            "sex": "female",
            "birth_year": "1999",
            "nationality": "EG",
        },
        follow=True,
    )
    html = response.content.decode()
    survivor = Survivor.objects.latest("id")
    assert response.redirect_chain == [(reverse("survivors:detail", args=[survivor.code]), 302)]
    assert 'data-testid="duplicate-warning"' not in html
    assert arabic(REVIEW_NOTICE) in html
    assert world.registered_by_a.code not in html
    assert Survivor.objects.count() == 5
    [review] = PossibleDuplicate.objects.all()
    assert (review.survivor, review.matched, review.reason) == (
        survivor,
        world.registered_by_a,
        "name_year",
    )


def test_opening_the_edit_form_is_one_audited_reading(login, case_worker, world) -> None:
    survivor = world.registered_by_a
    response = login(case_worker).get(reverse("survivors:edit", args=[survivor.code]))
    assert response.status_code == 200
    assert 'name="version" value="1"' in response.content.decode()
    [row] = identity_rows()
    assert row.purpose == "correction"


def test_stale_edit_shows_a_conflict_and_changes_nothing(login, case_worker, world) -> None:
    survivor = world.registered_by_a
    client = login(case_worker)
    url = reverse("survivors:edit", args=[survivor.code])
    data = {
        "version": "1",
        "name_ar": "فاطمة أحمد علي",
        "name_latin": "Fatma Ahmed Ali",
        "sex": "female",
        "birth_year": "1999",
        "nationality": "EG",
        "phone": "+20 10 1111 1111",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "phone": "+20 10 2222 2222"})
    assert response.status_code == 409
    assert 'data-testid="conflict"' in response.content.decode()
    survivor.refresh_from_db()
    assert (survivor.version, survivor.phone) == (2, "+20 10 1111 1111")


def test_consent_form_errors_are_shown_and_nothing_is_recorded(login, case_worker, world) -> None:
    survivor = world.registered_by_a
    response = login(case_worker).post(
        reverse("survivors:record_consent", args=[survivor.code]),
        {"purpose": "embassy", "given_on": "2026-01-02"},
    )
    assert response.status_code == 400
    assert 'data-error-for="recipient"' in response.content.decode()
    assert survivor.consents.count() == 1


def test_withdrawing_with_a_stale_version_shows_the_conflict(login, case_worker, world) -> None:
    survivor, consent = world.registered_by_a, world.consent
    client = login(case_worker)
    url = reverse("survivors:withdraw_consent", args=[survivor.code, consent.pk])
    type(consent).objects.filter(pk=consent.pk).update(version=2)
    response = client.post(url, {"version": "1"}, follow=True)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    assert "alert-danger" in response.content.decode()


def test_list_page_runs_a_fixed_number_of_queries(
    login, case_worker, agency_a, django_assert_num_queries
) -> None:
    client = login(case_worker)
    SurvivorFactory(registered_by_agency=agency_a, registered_by=case_worker)
    client.get(reverse("survivors:list"))  # warm the session and caches
    with django_assert_num_queries(QUERIES_LIST) as captured:
        client.get(reverse("survivors:list"))
    SurvivorFactory.create_batch(15, registered_by_agency=agency_a, registered_by=case_worker)
    with django_assert_num_queries(len(captured.captured_queries)):
        response = client.get(reverse("survivors:list"))
    assert response.content.decode().count('href="/survivors/SV-') == 16


def test_search_page_runs_a_fixed_number_of_queries(
    login, case_worker, agency_a, django_assert_num_queries
) -> None:
    client = login(case_worker)
    SurvivorFactory(registered_by_agency=agency_a, registered_by=case_worker, name_latin="Same")
    client.get(reverse("survivors:list"))
    url = reverse("survivors:list") + "?q=same"
    with django_assert_num_queries(QUERIES_SEARCH):
        client.get(url)
    SurvivorFactory.create_batch(
        5,
        registered_by_agency=agency_a,
        registered_by=case_worker,
        name_latin="Same",
        birth_year=1980,
    )
    with django_assert_num_queries(QUERIES_SEARCH):
        response = client.get(url)
    assert response.content.decode().count('href="/survivors/SV-') == 6


# Session, user, OTP device, the roles (one lookup serves the permissions, the scope and
# the navigation), the page of survivors: the list is never counted.
QUERIES_LIST = 5
# The same, the ids of the few matches (read before the page), and the audit row of the
# search (a part of the search's transaction in a test).
QUERIES_SEARCH = QUERIES_LIST + 1 + AUDIT_ROW_QUERIES


def test_case_panel_shows_clear_data_and_the_consents_in_force(login, case_worker, world) -> None:
    from himaya.survivors.tests.factories import ConsentFactory

    survivor = world.case_of_a
    ConsentFactory(survivor=survivor, purpose="statistics")
    ConsentFactory(
        survivor=survivor,
        purpose="care",
        given_on=datetime.date(2026, 1, 1),
        withdrawn_on=datetime.date(2026, 2, 1),
    )
    response = login(case_worker).get(reverse("survivors:case_panel", args=[world.case.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert survivor.code in html
    assert html.count("badge text-bg-success") == 1
    assert survivor.name_latin not in html
