"""The supervisors' queue of possible duplicates: scoped, and never naming what is out of scope."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.survivors import actions
from himaya.survivors.actions import DocumentInput, SurvivorError
from himaya.survivors.models import PossibleDuplicate, Survivor
from himaya.survivors.selectors import review_list, reviews_visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def cross_agency_review(outsider: Any, agency_b: Any, world: Any) -> PossibleDuplicate:
    """Agency B registers someone with the passport of agency A's survivor."""
    survivor = actions.register_survivor(
        by=outsider,
        agency=agency_b,
        identity={"name_latin": "Other Spelling"},
        clear={"birth_year": 1980},
        documents=[DocumentInput("passport", "P123456")],
    )
    return PossibleDuplicate.objects.get(survivor=survivor)


@pytest.fixture
def review_in_scope(case_worker: Any, world: Any) -> PossibleDuplicate:
    """A match between two survivors that agency A now sees (its case took one over)."""
    return PossibleDuplicate.objects.create(
        survivor=world.registered_by_a, matched=world.case_of_a, found_by=case_worker,
        reason="name_year",
    )  # fmt: skip


@pytest.fixture
def supervisor_b(make_persona: Any, agency_b: Any) -> Any:
    return make_persona(Role.SUPERVISOR, agency_b, "supervisor_b")


def test_a_supervisor_reviews_only_registrations_of_her_agency_scope(
    supervisor, supervisor_b, cross_agency_review, review_in_scope
) -> None:
    assert set(reviews_visible_to(supervisor)) == {review_in_scope}
    assert set(reviews_visible_to(supervisor_b)) == {cross_agency_review}


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SUPERVISOR])
def test_no_other_role_reviews_anything(
    make_persona, agency_a, role, cross_agency_review, review_in_scope
) -> None:
    assert list(reviews_visible_to(make_persona(role, agency_a))) == []


def test_the_queue_hides_the_code_of_a_matched_survivor_out_of_scope(
    supervisor_b, cross_agency_review, world
) -> None:
    [item] = review_list(supervisor_b)
    assert (item.survivor_code, item.matched_code) == (cross_agency_review.survivor.code, "")


def test_the_queue_page_lists_the_agency_reviews_without_codes_out_of_scope(
    login, supervisor_b, cross_agency_review, world
) -> None:
    response = login(supervisor_b).get(reverse("survivors:reviews"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="review-{cross_agency_review.pk}"' in html
    assert cross_agency_review.survivor.code in html
    assert world.registered_by_a.code not in html
    assert "خارج نطاق جهتك" in html
    assert "فاطمة" not in html and "Fatma" not in html and "Other Spelling" not in html


def test_the_queue_exports_as_the_page_shows_it_without_codes_out_of_scope(
    login, supervisor_b, cross_agency_review, world
) -> None:
    from himaya.accounts.tests.factories import PASSWORD
    from himaya.audit.tests.exported import csv_rows, exports_written

    client = login(supervisor_b)
    url = reverse("survivors:reviews")
    assert 'data-testid="export-links"' in client.get(url).content.decode()
    response = client.post(f"{url}?export=csv", {"purpose": "reporting", "password": PASSWORD})
    rows = csv_rows(response)
    assert rows[0] == ["الناجي/ة المسجَّل", "الناجي/ة المطابق", "السبب", "تاريخ الاكتشاف", "الوضع"]
    assert [row[:2] for row in rows[1:]] == [[cross_agency_review.survivor.code, "خارج نطاق جهتك"]]
    assert world.registered_by_a.code not in str(rows)
    [event] = exports_written()
    assert (event.object_code, event.details["rows"]) == ("survivors-possible-duplicates", 1)


def test_a_post_to_the_queue_without_an_export_is_refused(login, supervisor_b) -> None:
    response = login(supervisor_b).post(reverse("survivors:reviews"))
    assert response.status_code == 405


def test_the_queue_page_query_count_does_not_grow_with_the_items(
    login, supervisor, review_in_scope, world
) -> None:
    client = login(supervisor)
    client.get(reverse("survivors:reviews"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("survivors:reviews"))
    PossibleDuplicate.objects.create(
        survivor=world.case_of_a, matched=world.registered_by_a, found_by=supervisor,
        reason="document",
    )  # fmt: skip
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("survivors:reviews"))
    assert len(two.captured_queries) == len(one.captured_queries)


def test_the_queue_is_in_the_navigation_of_supervisors_only(login, supervisor, case_worker) -> None:
    url = reverse("survivors:reviews")
    assert f'href="{url}"' in login(supervisor).get(reverse("survivors:list")).content.decode()
    assert f'href="{url}"' not in login(case_worker).get(reverse("survivors:list")).content.decode()


def test_api_lists_the_reviews_with_null_for_a_survivor_out_of_scope(
    login, supervisor_b, cross_agency_review
) -> None:
    response = login(supervisor_b).get(reverse("survivors:api_reviews"))
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert set(row) == {
        "id", "survivor", "matched", "reason", "status", "created_at", "decided_at", "version",
    }  # fmt: skip
    assert (row["id"], row["survivor"], row["matched"], row["reason"], row["status"]) == (
        cross_agency_review.pk,
        cross_agency_review.survivor.code,
        None,
        "document",
        "open",
    )


def test_api_list_filters_by_status_and_refuses_an_unknown_one(
    login, supervisor, review_in_scope, world
) -> None:
    client = login(supervisor)
    url = reverse("survivors:api_reviews")
    [row] = client.get(url, {"status": "open"}).json()["results"]
    assert row["matched"] == world.case_of_a.code
    assert client.get(url, {"status": "distinct"}).json()["results"] == []
    assert client.get(url, {"status": "nonsense"}).status_code == 400


@pytest.mark.parametrize("persona", ["case_worker", "outsider", "administrator", "auditor"])
def test_api_list_is_refused_to_everyone_but_supervisors(
    login, personas, persona, cross_agency_review
) -> None:
    response = login(personas[persona]).get(reverse("survivors:api_reviews"))
    assert response.status_code == 403


def test_a_supervisor_decides_a_review_of_two_survivors_in_scope(
    login, supervisor, review_in_scope, world
) -> None:
    response = login(supervisor).post(
        reverse("survivors:decide_review", args=[review_in_scope.pk]),
        {"status": "distinct", "version": "1"},
    )
    assert response.status_code == 302
    review_in_scope.refresh_from_db()
    assert (review_in_scope.status, review_in_scope.decided_by, review_in_scope.version) == (
        "distinct",
        supervisor,
        2,
    )
    assert review_in_scope.decided_at is not None
    [event] = AuditEvent.objects.filter(action="survivor.possible_duplicate_decided")
    assert (event.object_code, event.details) == (
        world.registered_by_a.code,
        {"review": review_in_scope.pk, "matched": world.case_of_a.code, "status": "distinct"},
    )


def test_a_decided_review_cannot_be_decided_again(supervisor, review_in_scope) -> None:
    actions.decide_possible_duplicate(
        review=review_in_scope, by=supervisor, status="confirmed", expected_version=1
    )
    with pytest.raises(SurvivorError):
        actions.decide_possible_duplicate(
            review=review_in_scope, by=supervisor, status="distinct", expected_version=2
        )
    review_in_scope.refresh_from_db()
    assert (review_in_scope.status, review_in_scope.version) == ("confirmed", 2)


def test_a_match_out_of_scope_waits_for_the_national_review(
    login, supervisor_b, cross_agency_review
) -> None:
    response = login(supervisor_b).post(
        reverse("survivors:decide_review", args=[cross_agency_review.pk]),
        {"status": "confirmed", "version": "1"},
        follow=True,
    )
    assert "المراجعة الوطنية" in response.content.decode()
    cross_agency_review.refresh_from_db()
    assert (cross_agency_review.status, cross_agency_review.version) == ("open", 1)
    assert not AuditEvent.objects.filter(action="survivor.possible_duplicate_decided").exists()


@pytest.mark.parametrize("persona", ["case_worker", "outsider"])
def test_only_a_supervisor_in_scope_reaches_a_decision(
    login, personas, supervisor_b, persona, review_in_scope
) -> None:
    url = reverse("survivors:decide_review", args=[review_in_scope.pk])
    assert (
        login(personas[persona]).post(url, {"status": "distinct", "version": "1"}).status_code
        == 403
    )
    assert login(supervisor_b).post(url, {"status": "distinct", "version": "1"}).status_code == 404
    review_in_scope.refresh_from_db()
    assert (review_in_scope.status, review_in_scope.version) == ("open", 1)


def test_survivors_stay_registered_while_their_review_waits(cross_agency_review) -> None:
    assert Survivor.objects.filter(pk=cross_agency_review.survivor_id, is_active=True).exists()
