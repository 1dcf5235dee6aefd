"""Every role × every page and API endpoint of duplicate detection → expected status.

Pairs are reviewed by supervisors of an agency that sees both survivors; anyone else is
refused (403), and a supervisor of another agency gets 404 for a pair or a merge of
agency A. Refused writes change nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from himaya.agencies.models import Role
from himaya.duplicates import actions
from himaya.duplicates.models import CandidatePair, MergeRecord
from himaya.duplicates.tests.conftest import Pairs
from himaya.survivors.models import Survivor

pytestmark = pytest.mark.django_db

ALL_PERSONAS = [role.value for role in Role] + ["outsider", "supervisor_b"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: Callable[[Pairs, Any], str]
    data: Callable[[Pairs], dict[str, Any]] | None
    allowed: frozenset[str]  # personas let in
    ok: int  # their status
    scoped: bool  # a supervisor of agency B gets 404


def _merge(pairs: Pairs, supervisor: Any) -> MergeRecord:
    return actions.merge_pair(
        pair=pairs.in_scope, by=supervisor, keep=pairs.fatma_ar, expected_version=1
    )


def _typed(pairs: Pairs) -> dict[str, Any]:
    return {"name_latin": "Fatma Ahmed Ali", "birth_year": "1999", "sex": "female"}


REVIEW = frozenset({"supervisor"})
REGISTER = frozenset({"supervisor", "case_worker", "outsider", "supervisor_b"})
ENDPOINTS = [
    Endpoint("queue", "get", lambda p, m: reverse("duplicates:queue"), None, REVIEW, 200, False),
    Endpoint(
        "pair",
        "get",
        lambda p, m: reverse("duplicates:pair", args=[p.in_scope.pk]),
        None,
        REVIEW,
        200,
        True,
    ),
    Endpoint(
        "merge",
        "post",
        lambda p, m: reverse("duplicates:merge_pair", args=[p.in_scope.pk]),
        lambda p: {"keep": p.fatma_ar.code, "version": "1"},
        REVIEW,
        302,
        True,
    ),
    Endpoint(
        "distinct",
        "post",
        lambda p, m: reverse("duplicates:distinct", args=[p.in_scope.pk]),
        lambda p: {"version": "1"},
        REVIEW,
        302,
        True,
    ),
    Endpoint("merges", "get", lambda p, m: reverse("duplicates:merges"), None, REVIEW, 200, False),
    Endpoint(
        "merge_detail",
        "get",
        lambda p, m: reverse("duplicates:merge", args=[m().pk]),
        None,
        REVIEW,
        200,
        True,
    ),
    Endpoint(
        "undo",
        "post",
        lambda p, m: reverse("duplicates:undo", args=[m().pk]),
        lambda p: {},
        REVIEW,
        302,
        True,
    ),
    Endpoint(
        "settings",
        "get",
        lambda p, m: reverse("duplicates:settings"),
        None,
        frozenset({"administrator"}),
        200,
        False,
    ),
    Endpoint(
        "likely_matches",
        "post",
        lambda p, m: reverse("duplicates:likely_matches"),
        _typed,
        REGISTER,
        200,
        False,
    ),
    Endpoint(
        "api_pairs", "get", lambda p, m: reverse("duplicates:api_pairs"), None, REVIEW, 200, False
    ),
    Endpoint(
        "api_merge",
        "post",
        lambda p, m: reverse("duplicates:api_merge", args=[p.in_scope.pk]),
        lambda p: {"keep": p.fatma_ar.code, "version": 1},
        REVIEW,
        201,
        True,
    ),
    Endpoint(
        "api_distinct",
        "post",
        lambda p, m: reverse("duplicates:api_distinct", args=[p.in_scope.pk]),
        lambda p: {"version": 1},
        REVIEW,
        200,
        True,
    ),
    Endpoint(
        "api_undo",
        "post",
        lambda p, m: reverse("duplicates:api_undo", args=[m().pk]),
        lambda p: {},
        REVIEW,
        200,
        True,
    ),
    Endpoint(
        "api_likely_matches",
        "post",
        lambda p, m: reverse("duplicates:api_likely_matches"),
        _typed,
        REGISTER,
        200,
        False,
    ),
]


def state() -> tuple[Any, ...]:
    return (
        sorted(Survivor.objects.values_list("pk", flat=True)),
        sorted(CandidatePair.objects.values_list("pk", "status", "version")),
        sorted(MergeRecord.objects.values_list("pk", "undone_at")),
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_access_matrix(
    login: Any,
    personas: dict[str, Any],
    make_persona: Any,
    agency_b: Any,
    pairs: Pairs,
    supervisor: Any,
    persona: str,
    endpoint: Endpoint,
) -> None:
    personas["supervisor_b"] = make_persona(Role.SUPERVISOR, agency_b, "supervisor_b")
    personas["supervisor"] = supervisor
    user = personas[persona]
    made: list[MergeRecord] = []

    def merge() -> MergeRecord:
        if not made:
            made.append(_merge(pairs, supervisor))
        return made[0]

    url = endpoint.url(pairs, merge)
    before = state()
    client = login(user)
    api = endpoint.name.startswith("api_")
    if endpoint.method == "get":
        response = client.get(url)
    elif api:
        response = client.post(url, endpoint.data(pairs), content_type="application/json")
    else:
        response = client.post(url, endpoint.data(pairs))
    allowed = endpoint.allowed | ({"supervisor_b"} if "supervisor" in endpoint.allowed else set())
    other_scope = endpoint.scoped and persona == "supervisor_b"
    if persona in allowed and not other_scope:
        assert response.status_code == endpoint.ok
        return
    expected = 404 if other_scope else 403
    assert response.status_code == expected
    assert state() == before


def test_a_pair_with_a_survivor_outside_the_scope_is_not_shown(
    login: Any, supervisor: Any, pairs: Pairs
) -> None:
    client = login(supervisor)
    assert client.get(reverse("duplicates:pair", args=[pairs.across.pk])).status_code == 404
    body = client.get(reverse("duplicates:api_pairs")).json()
    assert [pair["id"] for pair in body] == [pairs.in_scope.pk]
    page = client.get(reverse("duplicates:queue")).content.decode()
    assert pairs.fatma_in_b.code not in page


def test_a_merge_by_the_page_across_agencies_is_refused_and_changes_nothing(
    login: Any, supervisor: Any, pairs: Pairs
) -> None:
    before = state()
    response = login(supervisor).post(
        reverse("duplicates:merge_pair", args=[pairs.across.pk]),
        {"keep": pairs.fatma_ar.code, "version": "1"},
    )
    assert response.status_code == 404
    assert state() == before


def test_the_pair_page_shows_both_records_and_the_reasons(
    login: Any, supervisor: Any, pairs: Pairs
) -> None:
    page = login(supervisor).get(reverse("duplicates:pair", args=[pairs.in_scope.pk]))
    html = page.content.decode()
    assert "فاطمة أحمد علي" in html and "Fatma Ahmed Aly" in html
    assert "الاسم نفسه (بأي من الكتابتين)" in html  # the reason, in the reader's Arabic


def test_likely_matches_at_registration_name_only_survivors_in_scope(
    login: Any, case_worker: Any, pairs: Pairs
) -> None:
    response = login(case_worker).post(
        reverse("duplicates:api_likely_matches"),
        {"name_latin": "Fatima Ahmed Ali", "birth_year": 1999, "sex": "female"},
        content_type="application/json",
    )
    codes = {match["code"] for match in response.json()}
    assert codes == {pairs.fatma_ar.code, pairs.fatma_latin.code}
    assert pairs.fatma_in_b.code not in response.content.decode()


def test_likely_matches_in_arabic_script_on_the_registration_page(
    login: Any, case_worker: Any, pairs: Pairs
) -> None:
    response = login(case_worker).post(
        reverse("duplicates:likely_matches"), {"name_ar": "فاطمه احمد على", "birth_year": "2000"}
    )
    html = response.content.decode()
    assert pairs.fatma_ar.code in html and pairs.fatma_latin.code in html
    assert pairs.fatma_in_b.code not in html


@pytest.mark.parametrize("persona", [role.value for role in Role])
def test_the_readings_are_refused_by_the_actions_to_those_the_pages_refuse(
    personas: dict[str, Any], supervisor: Any, pairs: Pairs, persona: str
) -> None:
    from django.http import QueryDict

    from himaya.audit.models import AuditEvent
    from himaya.core.errors import Forbidden
    from himaya.duplicates.forms import unsaved_survivor
    from himaya.survivors.models import Survivor as SurvivorModel

    personas["supervisor"] = supervisor
    user = personas[persona]
    typed = SurvivorModel(name_latin="Fatima Ahmed Ali", birth_year=1999, sex="female")
    calls = {
        "pair": (
            lambda: actions.record_pair_viewed(pair=pairs.in_scope, by=user),
            persona == "supervisor",
            "duplicates.pair_viewed",
        ),
        "likely": (
            lambda: actions.find_likely_matches(user, typed, []),
            persona in {"supervisor", "case_worker"},
            "duplicates.likely_matches_checked",
        ),
    }
    for call, allowed, action in calls.values():
        before = AuditEvent.objects.count()
        if allowed:
            call()
            assert (
                AuditEvent.objects.order_by("-sequence").values_list("action", flat=True)[0]
                == action
            )
            assert AuditEvent.objects.count() == before + 1
        else:
            with pytest.raises(Forbidden):
                call()
            assert AuditEvent.objects.count() == before
    typed_in = QueryDict(mutable=True)
    typed_in.update({"name_ar": " فاطمة ", "birth_year": "١٩٩\u200b٩", "date_of_birth": "x"})
    survivor, numbers = unsaved_survivor(typed_in)
    assert (survivor.name_ar, survivor.birth_year, survivor.date_of_birth, numbers) == (
        "فاطمة",
        1999,
        "",
        [],
    )
