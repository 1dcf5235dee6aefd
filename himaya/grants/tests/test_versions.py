"""What releases a grant's money changes only on the version the user read: through every
route of grants that changes a record, a stale and a missing version answer 409 and a
malformed one 400, as problem details through the API and on the page; nothing changes.
The state rules the pages and templates used to decide are refused through both doors."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.html import escape

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.grants import actions
from himaya.grants.models import Grant, GrantReport, Tranche
from himaya.grants.tests.factories import make_grant

pytestmark = pytest.mark.django_db

STALE = (
    "This record was changed by someone else after you opened it. "
    "Your changes were not saved: reload it and apply them again."
)
MISSING = "The version of the record you read is missing: reload it and try again."
MALFORMED_ON_A_PAGE = "The record's version is not valid: reload the page."
PROBLEM = "application/problem+json"
_ABSENT = object()


@pytest.fixture(autouse=True)
def english(client: Client) -> Iterator[None]:
    client.cookies["himaya_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world(ngo_a: Agency, grants_officer: User, ngo_staff: User) -> dict[str, Any]:
    """A pending tranche; a released tranche without a report; a report awaiting review."""
    pending = make_grant(ngo_a).tranches.get(sequence=1)
    unreported = make_grant(ngo_a).tranches.get(sequence=1)
    actions.release_tranche(tranche=unreported, by=grants_officer, expected_version=1)
    reported = make_grant(ngo_a).tranches.get(sequence=1)
    actions.release_tranche(tranche=reported, by=grants_officer, expected_version=1)
    report = actions.submit_report(
        tranche=reported,
        narrative="جلسات دعم نفسي",
        people_served=4,
        services_delivered=9,
        by=ngo_staff,
        expected_version=0,
    )
    for record in (pending, unreported):
        record.refresh_from_db()
    return {
        "pending": pending,
        "unreported": unreported,
        "report": report,
        "grants_officer": grants_officer,
        "ngo_staff": ngo_staff,
    }


def snapshot() -> dict[str, Any]:
    return {
        "tranches": list(Tranche.objects.order_by("id").values_list("status", "version")),
        "reports": list(
            GrantReport.objects.order_by("id").values_list("status", "version", "narrative")
        ),
        "grants": Grant.objects.count(),
        "events": AuditEvent.objects.exclude(action__startswith="auth.").count(),
    }


def _report_body(world: dict[str, Any]) -> dict[str, Any]:
    return {"narrative": "تقرير الفترة", "people_served": 3, "services_delivered": 5}


# (the record acted on, who acts, the body without a version, its version now, answer)
Route = tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]], Callable[[Any], int], int]
API_ROUTES: dict[str, Route] = {
    "grants:api_release": ("pending", "grants_officer", lambda w: {}, lambda r: r.version, 200),
    # A first report: its version is 0 (there was none).
    "grants:api_report": ("unreported", "ngo_staff", _report_body, lambda r: 0, 201),
    "grants:api_review": (
        "report",
        "grants_officer",
        lambda w: {"approve": True},
        lambda r: r.version,
        200,
    ),
}


def _url(name: str, record: Any) -> str:
    if isinstance(record, Tranche):
        return reverse(name, args=[record.grant.code, record.sequence])
    return reverse(name, args=[record.code])


def _api(login, world: dict[str, Any], name: str, version: Any) -> Any:
    record, who, body, _current, _ok = API_ROUTES[name]
    client = login(world[who])
    data = body(world)
    if version is not _ABSENT:
        data["version"] = version
    return client.post(_url(name, world[record]), json.dumps(data), content_type="application/json")


def _current(name: str, world: dict[str, Any]) -> int:
    record, _who, _body, current, _ok = API_ROUTES[name]
    return current(world[record])


def _api_post_routes(patterns: list[Any], namespace: str = "", prefix: str = "") -> set[str]:
    found: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            found |= _api_post_routes(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "cls", None)
            path = prefix + str(entry.pattern)
            if view is not None and hasattr(view, "post") and "/api/" in path:
                found.add(f"{namespace}:{entry.name}")
    return found


def test_the_table_names_every_route_of_the_grants_api_that_writes() -> None:
    writes = {
        name for name in _api_post_routes(get_resolver().url_patterns) if name.startswith("grants:")
    }
    assert writes == set(API_ROUTES)


def _assert_problem(response: Any, status: int, detail: str | None = None) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    if detail is not None:
        assert body["detail"] == detail


@pytest.mark.parametrize("name", API_ROUTES)
def test_the_version_read_goes_through(login, world, name) -> None:
    response = _api(login, world, name, _current(name, world))
    assert response.status_code == API_ROUTES[name][4], response.content


@pytest.mark.parametrize("name", API_ROUTES)
def test_a_stale_version_is_a_409_problem_and_changes_nothing(login, world, name) -> None:
    before = snapshot()
    response = _api(login, world, name, _current(name, world) + 1)
    _assert_problem(response, 409, STALE)
    assert snapshot() == before


@pytest.mark.parametrize("name", API_ROUTES)
def test_a_missing_version_is_a_409_problem_and_changes_nothing(login, world, name) -> None:
    before = snapshot()
    _assert_problem(_api(login, world, name, _ABSENT), 409, MISSING)
    assert snapshot() == before


@pytest.mark.parametrize("version", ["abc", "1e9", 1e9, 1.5, -1, 10**30, True, None, "٣"])
@pytest.mark.parametrize("name", API_ROUTES)
def test_a_malformed_version_is_a_400_problem_naming_it_and_changes_nothing(
    login, world, name, version
) -> None:
    before = snapshot()
    response = _api(login, world, name, version)
    _assert_problem(response, 400)
    assert list(response.json()["errors"]) == ["version"]
    assert snapshot() == before


PAGES: dict[str, tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "grants:release": ("pending", "grants_officer", lambda w: {}),
    "grants:report": ("unreported", "ngo_staff", _report_body),
    "grants:review": ("report", "grants_officer", lambda w: {"decision": "approve"}),
}


def _page(login, world: dict[str, Any], name: str, version: Any) -> Any:
    record, who, body = PAGES[name]
    client = login(world[who])
    data = body(world)
    if version is not _ABSENT:
        data["version"] = version
    return client.post(_url(name, world[record]), data)


def _page_version(name: str, world: dict[str, Any]) -> int:
    return 0 if name == "grants:report" else world[PAGES[name][0]].version


@pytest.mark.parametrize("name", PAGES)
def test_a_page_sent_with_the_version_read_goes_through(login, world, name) -> None:
    assert _page(login, world, name, _page_version(name, world)).status_code == 302


@pytest.mark.parametrize(
    ("version", "status", "message"),
    [
        ("stale", 409, STALE),
        (_ABSENT, 409, MISSING),
        ("abc", 400, MALFORMED_ON_A_PAGE),
        ("1e9", 400, MALFORMED_ON_A_PAGE),
        ("-1", 400, MALFORMED_ON_A_PAGE),
        (str(10**30), 400, MALFORMED_ON_A_PAGE),
    ],
    ids=["stale", "missing", "abc", "1e9", "-1", "huge"],
)
@pytest.mark.parametrize("name", PAGES)
def test_a_page_shows_a_version_it_cannot_act_on_and_changes_nothing(
    login, world, name, version, status, message
) -> None:
    before = snapshot()
    if version == "stale":
        version = _page_version(name, world) + 1
    response = _page(login, world, name, version)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert escape(message) in response.content.decode()
    assert snapshot() == before


@pytest.fixture
def approved(world: dict[str, Any]) -> GrantReport:
    return actions.review_report(
        report=world["report"],
        approve=True,
        note="",
        by=world["grants_officer"],
        expected_version=1,
    )


def test_releasing_a_released_tranche_is_refused_on_the_page_and_in_the_api(login, world) -> None:
    tranche = world["unreported"]
    client = login(world["grants_officer"])
    before = snapshot()
    page = client.post(_url("grants:release", tranche), {"version": tranche.version})
    api = client.post(
        _url("grants:api_release", tranche),
        {"version": tranche.version},
        content_type="application/json",
    )
    message = "This tranche has already been released."
    assert (page.status_code, page.context["action_errors"]) == (409, [message])
    _assert_problem(api, 409, message)
    assert snapshot() == before


def test_reviewing_an_approved_report_is_refused_on_the_page_and_in_the_api(
    login, world, approved
) -> None:
    client = login(world["grants_officer"])
    before = snapshot()
    page = client.post(
        _url("grants:review", approved), {"version": approved.version, "decision": "return"}
    )
    api = client.post(
        _url("grants:api_review", approved),
        {"version": approved.version, "approve": False, "note": "عدلوا"},
        content_type="application/json",
    )
    message = "This report is not awaiting review."
    assert (page.status_code, page.context["action_errors"]) == (409, [message])
    _assert_problem(api, 409, message)
    assert snapshot() == before


def test_reporting_again_on_a_report_awaiting_review_is_refused_on_the_page_and_in_the_api(
    login, world
) -> None:
    report = world["report"]
    tranche = report.tranche
    client = login(world["ngo_staff"])
    before = snapshot()
    body = {**_report_body(world), "version": report.version}
    page = client.post(_url("grants:report", tranche), body)
    api = client.post(_url("grants:api_report", tranche), body, content_type="application/json")
    message = "This report was already submitted and awaits review, or is approved."
    assert (page.status_code, page.context["form_errors"]) == (409, [message])
    _assert_problem(api, 409, message)
    assert snapshot() == before


def test_a_grants_officer_may_not_report_for_the_ngo_on_the_page_nor_in_the_api(
    login, world
) -> None:
    tranche = world["unreported"]
    client = login(world["grants_officer"])
    before = snapshot()
    body = {**_report_body(world), "version": 0}
    page = client.post(_url("grants:report", tranche), body)
    api = client.post(_url("grants:api_report", tranche), body, content_type="application/json")
    assert page.status_code == 403
    _assert_problem(api, 403)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("who", "tranche", "offered"),
    [
        ("grants_officer", "pending", {"release"}),
        ("grants_officer", "unreported", set()),
        ("grants_officer", "report", {"review"}),
        ("ngo_staff", "pending", set()),
        ("ngo_staff", "unreported", {"report"}),
        ("ngo_staff", "report", set()),
    ],
)
def test_the_grant_page_offers_only_what_the_rules_allow(
    login, world, who, tranche, offered
) -> None:
    record = world[tranche]
    record = record.tranche if isinstance(record, GrantReport) else record
    client = login(world[who])
    response = client.get(reverse("grants:detail", args=[record.grant.code]))
    choices = next(row["may"] for row in response.context["rows"] if row["tranche"] == record)
    assert {name for name in ("release", "review", "report") if getattr(choices, name)} == offered
