"""Bad input sent to every API route is answered with 400 (or a bounded page), never 500.

The routes are discovered from the URL resolver and the API schema, so that a new route is
tested (and needs an entry in the tables below) as soon as it exists. Requests come from
one user who holds every role in every agency of the demo, so that each route lets them in
and the answer shows what the route does with the bad input itself.
"""

import functools
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Membership, Role
from himaya.core.api import MAX_JSON_DEPTH, MAX_PAGE_SIZE

pytestmark = pytest.mark.django_db

BAD_PAGING = {
    "limit=1e30": {"limit": "1e30"},
    "limit=-1": {"limit": "-1"},
    "limit=abc": {"limit": "abc"},
    "limit=10**30": {"limit": str(10**30)},
    "offset=10**30": {"offset": str(10**30)},
    "offset=-5": {"offset": "-5"},
    "offset=1.5": {"offset": "1.5"},
    "after=garbage": {"after": "garbage"},
    "before=2026-02-30_X": {"before": "2026-02-30_X"},
}
DEEP_JSON = "[" * 100_000 + "]" * 100_000
JUST_TOO_DEEP = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
DEEPER = "The request body nests arrays or objects deeper than 64 levels."


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name
    pattern: str  # the path with Django's converters, e.g. cases/api/cases/<str:code>/
    methods: frozenset[str]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "cls", None)
            if view is None:
                continue
            methods = frozenset(m for m in ("get", "post", "put", "patch") if hasattr(view, m))
            yield Route(f"{namespace}:{entry.name}", prefix + str(entry.pattern), methods)


def api_routes() -> list[Route]:
    """Every route under /<app>/api/."""
    return [
        route
        for route in _walk(get_resolver().url_patterns)
        if route.pattern.split("/")[1:2] == ["api"]
    ]


def _schema_path(pattern: str) -> str:
    parts = []
    for part in pattern.split("/"):
        if part.startswith("<") and part.endswith(">"):
            part = "{" + part[1:-1].split(":")[-1] + "}"
        parts.append(part)
    return "/" + "/".join(parts)


def _is_list(operation: dict[str, Any], components: dict[str, Any]) -> bool:
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if schema.get("type") == "array":
        return True
    ref = schema.get("$ref", "")
    if ref:
        target = components[ref.rsplit("/", 1)[-1]]
        return "results" in target.get("properties", {})
    return False


@functools.cache
def list_routes() -> list[Route]:
    """API routes whose answer to GET is a list (an array or a page of results)."""
    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    found = []
    for route in api_routes():
        operation = schema["paths"].get(_schema_path(route.pattern), {}).get("get")
        if "get" in route.methods and operation and _is_list(operation, components):
            found.append(route)
    return found


def post_routes() -> list[Route]:
    return [route for route in api_routes() if "post" in route.methods]


# --- Where each route finds a record of the demo --------------------------------------


class NoRecord(Exception):
    """The demo holds no record for the route (a made-up code is used instead)."""


def _first(label: str, **filters: Any) -> Any:
    from django.apps import apps

    model = apps.get_model(label)
    found = model._default_manager.filter(**filters).order_by("pk").first()
    if found is None:
        raise NoRecord(label)
    return found


def _open_case() -> dict[str, Any]:
    return {"code": _first("cases.Case", phase__in=["protection", "assistance"]).code}


def _survivor() -> dict[str, Any]:
    return {"code": _first("survivors.Survivor", consents__isnull=False).code}


def _consent() -> dict[str, Any]:
    consent = _first("survivors.Consent", withdrawn_on__isnull=True)
    return {"code": consent.survivor.code, "consent_id": consent.pk}


def _guardian() -> dict[str, Any]:
    appointment = _first("survivors.GuardianAppointment", ended_on__isnull=True)
    return {"code": appointment.survivor.code, "appointment_id": appointment.pk}


def _code(label: str, **filters: Any) -> Callable[[], dict[str, Any]]:
    return lambda: {"code": _first(label, **filters).code}


def _tranche() -> dict[str, Any]:
    tranche = _first("grants.Tranche")
    return {"code": tranche.grant.code, "sequence": tranche.sequence}


def _visit() -> dict[str, Any]:
    visit = _first("empowerment.Visit")
    return {"code": visit.project.code, "number": visit.number}


def _return_follow_up() -> dict[str, Any]:
    follow_up = _first("returns.ReturnFollowUp")
    return {"code": follow_up.plan.code, "months": follow_up.months}


def _indicator_set() -> dict[str, Any]:
    return {"pk": _first("screening.IndicatorSet").pk}


def _none() -> dict[str, Any]:
    return {}


KWARGS: dict[str, Callable[[], dict[str, Any]]] = {
    "survivors:api_list": _none,
    "survivors:api_reviews": _none,
    "survivors:api_create": _none,
    "survivors:api_protection": _survivor,
    "survivors:api_consents": _survivor,
    "survivors:api_consent_create": _survivor,
    "survivors:api_consent_withdraw": _consent,
    "survivors:api_guardians": _survivor,
    "survivors:api_guardian_create": _survivor,
    "survivors:api_guardian_end": _guardian,
    "survivors:api_best_interests": _survivor,
    "survivors:api_best_interests_create": _survivor,
    "survivors:api_determinations": _survivor,
    "survivors:api_determination_create": _survivor,
    "survivors:api_child_situation": _survivor,
    "survivors:api_age_assessments": _survivor,
    "survivors:api_age_assessment_create": _survivor,
    "screening:api_sets": _none,
    "screening:api_indicators": _indicator_set,
    "screening:api_screenings": _none,
    "cases:api_list": _none,
    "cases:api_open": _none,
    "cases:api_transition": _open_case,
    "cases:api_closure": _open_case,
    "cases:api_risk_list": _open_case,
    "cases:api_risk_create": _open_case,
    "cases:api_care_plan_list": _open_case,
    "cases:api_care_plan_create": _open_case,
    "cases:api_care_plan_submit": _code("cases.CarePlan"),
    "cases:api_care_plan_decision": _code("cases.CarePlan"),
    "cases:api_identification_list": _open_case,
    "cases:api_identification_create": _open_case,
    "cases:api_note_list": _open_case,
    "cases:api_note_revise": _code("cases.CaseNote"),
    "cases:api_platforms": _none,
    "cases:api_technology": _open_case,
    "cases:api_evidence_list": _open_case,
    "cases:api_transfer_propose": _open_case,
    "cases:api_transfers_in": _none,
    "cases:api_transfers_sent": _none,
    "cases:api_transfer": _code("cases.CaseTransfer"),
    "cases:api_transfer_accept": _code("cases.CaseTransfer", status="proposed"),
    "cases:api_transfer_refuse": _code("cases.CaseTransfer", status="proposed"),
    "cases:api_transfer_withdraw": _code("cases.CaseTransfer", status="proposed"),
    "services:api_service_types": _none,
    "services:api_deliveries": _none,
    "services:api_plan": _none,
    "services:api_delivery_update": _code("services.ServiceDelivery"),
    "services:api_feedback": _code("services.ServiceDelivery"),
    "services:api_feedback_summary": _none,
    "referrals:api_list": _none,
    "referrals:api_create": _none,
    "referrals:api_accept": _code("referrals.Referral"),
    "referrals:api_decline": _code("referrals.Referral"),
    "referrals:api_complete": _code("referrals.Referral"),
    "referrals:api_cancel": _code("referrals.Referral"),
    "shelters:api_shelters": _none,
    "shelters:api_availability": _none,
    "shelters:api_stays": _none,
    "shelters:api_admit": _none,
    "shelters:api_transfer": _code("shelters.Stay"),
    "shelters:api_discharge": _code("shelters.Stay"),
    "shelters:api_occupancy": _none,
    "fund:api_payments": _none,
    "notifications:api_list": _none,
    "notifications:api_read_all": _none,
    "notifications:api_read": lambda: {"pk": _first("notifications.Notification").pk},
    "fund:api_request": _none,
    "fund:api_approve": _code("fund.PaymentRequest"),
    "fund:api_reject": _code("fund.PaymentRequest"),
    "fund:api_pay": _code("fund.PaymentRequest"),
    "fund:api_reverse": _code("fund.PaymentRequest"),
    "fund:api_upload": _code("fund.PaymentRequest"),
    "fund:api_lines": _none,
    "fund:api_totals": _none,
    "fund:api_statement": _none,
    "fund:api_limits": _none,
    "fund:api_limit_propose": _none,
    "fund:api_limit_approve": _code("fund.LimitChange"),
    "fund:api_limit_reject": _code("fund.LimitChange"),
    "grants:api_list": _none,
    "grants:api_release": _tranche,
    "grants:api_report": _tranche,
    "grants:api_review": _code("grants.GrantReport"),
    "empowerment:api_programmes": _none,
    "empowerment:api_enrolments": _none,
    "empowerment:api_refer": _none,
    "empowerment:api_decide": _code("empowerment.Enrolment"),
    "empowerment:api_move": _code("empowerment.Enrolment"),
    "empowerment:api_start_project": _code("empowerment.Enrolment"),
    "empowerment:api_visits": _code("empowerment.Project"),
    "empowerment:api_record_visit": _visit,
    "empowerment:api_reschedule_visit": _visit,
    "empowerment:api_outcomes": _none,
    "justice:api_proceedings": _none,
    "justice:api_case": _code("cases.Case", proceedings__isnull=False),
    "justice:api_proceeding_create": _code("cases.Case", proceedings__isnull=False),
    "justice:api_charge_create": _code("cases.Case", proceedings__isnull=False),
    "justice:api_proceeding": _code("justice.CriminalProceeding"),
    "justice:api_proceeding_update": _code("justice.CriminalProceeding"),
    "justice:api_proceeding_status": _code("justice.CriminalProceeding"),
    "justice:api_hearing_create": _code("justice.CriminalProceeding", status="tried"),
    "justice:api_charge_update": _code("justice.ChargeAgainstSurvivor"),
    "returns:api_case": _open_case,
    "returns:api_grant_reflection": _open_case,
    "returns:api_extend_reflection": lambda: {"code": _first("returns.ReflectionPeriod").case.code},
    "returns:api_plan_return": _open_case,
    "returns:api_plan": _code("returns.ReturnPlan"),
    "returns:api_update": _code("returns.ReturnPlan"),
    "returns:api_choice": _code("returns.ReturnPlan"),
    "returns:api_risk": _code("returns.ReturnPlan"),
    "returns:api_approve": _code("returns.ReturnPlan"),
    "returns:api_depart": _code("returns.ReturnPlan"),
    "returns:api_arrive": _code("returns.ReturnPlan"),
    "returns:api_complete": _code("returns.ReturnPlan"),
    "returns:api_cancel": _code("returns.ReturnPlan"),
    "returns:api_follow_up": _return_follow_up,
    "monitoring:api_indicators": _none,
    "monitoring:api_values": _none,
    "operations:api_intakes": _none,
    "operations:api_intake": _code("operations.Intake"),
    "operations:api_alerts": _none,
    "operations:api_alert": _code("operations.Alert"),
    "operations:api_incidents": _none,
    "operations:api_incident": _code("operations.Incident"),
    "operations:api_tasks": _none,
    "operations:api_task": _code("operations.IncidentTask"),
    "exchange:api_export": _none,
    "exchange:api_table": lambda: {"name": "victims_by_year"},
    "exchange:api_monthly_reports": _none,
    "exchange:api_monthly_report_pdf": lambda: {"month": "2026-10", "language": "ar"},
    "exchange_sheets:api_upload": _none,
    "exchange_sheets:api_confirm": _code("exchange.SheetImport", status="previewed"),
    "duplicates:api_pairs": _none,
    "duplicates:api_merge": lambda: {"pair_id": _first("duplicates.CandidatePair").pk},
    "duplicates:api_distinct": lambda: {"pair_id": _first("duplicates.CandidatePair").pk},
    "duplicates:api_undo": lambda: {"merge_id": _first("duplicates.MergeRecord").pk},
    "duplicates:api_likely_matches": _none,
}
# The query a list route needs to answer at all (a search asks what is searched for).
QUERY: dict[str, dict[str, str]] = {
    "shelters:api_availability": {"sex": "female", "age": "30"},
    "monitoring:api_values": {"indicator": "identified_victims"},
}


def _sign_in_with_every_role(settings: Any, login: Callable[[User], Client]) -> Client:
    user = User.objects.create(username="every.role")
    Membership.objects.bulk_create(
        Membership(user=user, agency=agency, role=role)
        for agency in Agency.objects.filter(is_active=True)
        for role in Role.values
    )
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def everyone(settings: Any, login: Callable[[User], Client]) -> Client:
    """The demo, and a client signed in as a user with every role in every agency."""
    settings.DEMO_SKIP_OTP = True
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    return _sign_in_with_every_role(settings, login)


@pytest.fixture
def officer(settings: Any, login: Callable[[User], Client], agency_a: Agency) -> Client:
    """A client signed in with every role in one agency, without the demo."""
    return _sign_in_with_every_role(settings, login)


def _url(route: Route) -> tuple[str, bool]:
    """The route's address with a record of the demo, and whether such a record exists
    (otherwise the address carries a made-up code, and 404 is a fair answer too)."""
    try:
        return reverse(route.name, kwargs=KWARGS[route.name]()), True
    except NoRecord:
        made_up = {
            name: 999_999 if converter == "int" else "XX-0000-0000-0"
            for converter, name in (
                part[1:-1].split(":") for part in route.pattern.split("/") if part.startswith("<")
            )
        }
        return reverse(route.name, kwargs=made_up), False


def _takes_json(url: str) -> bool:
    """Whether the route reads JSON bodies at all (an upload route reads only multipart)."""
    view = get_resolver().resolve(url).func.cls  # type: ignore[attr-defined]
    return any(parser.media_type == "application/json" for parser in view().get_parsers())


def _messages(response: Any) -> dict[str, list[str]]:
    """A refusal's messages by field (``detail`` for the request as a whole), read from
    DRF's own answer or from a problem detail (RFC 9457)."""
    body = response.json()
    if "errors" in body:
        return dict(body["errors"])
    if "detail" in body:
        return {"detail": [body["detail"]]}
    return dict(body)


def _rows(body: Any) -> list[Any]:
    if isinstance(body, dict) and "results" in body:
        return list(body["results"])
    assert isinstance(body, list), body
    return body


def test_the_route_discovery_finds_the_lists_and_the_writes() -> None:
    lists = {route.name for route in list_routes()}
    writes = {route.name for route in post_routes()}
    assert {"cases:api_list", "cases:api_risk_list", "grants:api_list"} <= lists
    assert {"empowerment:api_programmes", "screening:api_screenings"} <= lists
    assert "cases:api_detail" not in lists
    assert {"cases:api_open", "grants:api_report", "empowerment:api_record_visit"} <= writes


def test_every_discovered_route_says_where_its_records_come_from() -> None:
    discovered = {route.name for route in [*list_routes(), *post_routes()]}
    assert discovered - set(KWARGS) == set()


def test_bad_limit_and_offset_on_every_list_route_answer_400_or_a_bounded_page(
    everyone: Client,
) -> None:
    failures = []
    for route in list_routes():
        url, _found = _url(route)
        query = QUERY.get(route.name, {})
        fine = everyone.get(url, query)
        if fine.status_code != 200:
            failures.append((route.name, "plain request", fine.status_code))
            continue
        for label, params in BAD_PAGING.items():
            response = everyone.get(url, {**query, **params})
            if response.status_code == 400:
                if set(_messages(response)) != set(params):  # the refusal names the parameter
                    failures.append((route.name, label, response.json()))
                continue
            if response.status_code != 200:
                failures.append((route.name, label, response.status_code))
            elif len(_rows(response.json())) > MAX_PAGE_SIZE:
                failures.append((route.name, label, "unbounded page"))
    assert failures == []


def test_a_refused_page_parameter_says_why_in_the_users_language(
    officer: Client, settings: Any
) -> None:
    url = reverse("cases:api_list")
    english = officer.get(url, {"limit": "abc"})
    assert english.status_code == 400
    assert _messages(english) == {"limit": ["limit must be a whole number written in digits."]}
    officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    arabic = officer.get(reverse("grants:api_list"), {"offset": "-5"})
    assert arabic.status_code == 400
    assert _messages(arabic) == {"offset": ["يجب ألا تقل قيمة offset عن 0."]}


def test_a_huge_limit_is_reduced_to_the_largest_page(everyone: Client) -> None:
    response = everyone.get(reverse("survivors:api_list"), {"limit": str(10**30)})
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == MAX_PAGE_SIZE
    assert f"limit={MAX_PAGE_SIZE}" in body["next"]


def test_a_huge_offset_answers_an_empty_page(officer: Client) -> None:
    response = officer.get(reverse("grants:api_list"), {"offset": str(10**30)})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_deeply_nested_json_to_every_post_route_answers_400_and_writes_nothing(
    everyone: Client,
) -> None:
    from django.apps import apps

    def counts() -> dict[str, int]:
        return {
            model._meta.label: model._default_manager.count()
            for model in apps.get_models()
            if model._meta.app_label not in {"sessions", "axes"}
        }

    before = counts()
    failures = []
    for route, body in itertools.product(post_routes(), [DEEP_JSON, JUST_TOO_DEEP]):
        url, found = _url(route)
        response = everyone.post(url, body, content_type="application/json")
        # A route that reads multipart only refuses JSON before reading it (415).
        expected = {415} if not _takes_json(url) else {400} if found else {400, 404}
        if response.status_code not in expected:
            failures.append((route.name, response.status_code))
        elif response.status_code == 400 and _messages(response) != {"detail": [DEEPER]}:
            failures.append((route.name, response.json()))
    assert failures == []
    assert counts() == before


def test_json_nested_as_deep_as_allowed_is_read(officer: Client) -> None:
    nested: Any = "deep"
    for _level in range(MAX_JSON_DEPTH - 1):
        nested = [nested]
    response = officer.post(
        reverse("cases:api_open"), {"survivor": nested}, content_type="application/json"
    )
    assert response.status_code == 400
    # The body was read: the serializer refused its fields, not the parser the body.
    messages = _messages(response)
    assert messages["survivor"] == ["Not a valid string."]
    assert "detail" not in messages


def test_a_json_body_over_the_size_limit_answers_400(officer: Client) -> None:
    body = '{"note": "' + "x" * 1_100_000 + '"}'
    response = officer.post(reverse("cases:api_open"), body, content_type="application/json")
    assert response.status_code == 400
    assert _messages(response) == {"detail": ["The request body is larger than 1000000 bytes."]}


def test_a_json_body_larger_than_django_reads_answers_400(officer: Client) -> None:
    body = '{"note": "' + "x" * 3_000_000 + '"}'
    response = officer.post(reverse("cases:api_open"), body, content_type="application/json")
    assert response.status_code == 400
    assert _messages(response) == {"detail": ["The request body is larger than 1000000 bytes."]}


def test_malformed_json_answers_400_with_a_message(officer: Client) -> None:
    response = officer.post(reverse("cases:api_open"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert _messages(response) == {"detail": ["The request body is not valid JSON."]}


# Values that reach a field from outside: numbers too big for any column, digits of another
# script, invisible characters, a NUL byte, the wrong shape. Each is sent in every field a
# write route declares, all at once, so that a field that lets one through to the database
# or to arithmetic shows as a server error.
HOSTILE = {
    "huge integer": 10**40,
    "huge number in a string": "1" + "0" * 40,
    "exponent": "1e400",
    "Arabic-Indic digits": "١٢٣٤٥٦",
    "Persian digits": "۱۲۳۴",
    "invisible characters": "\u200b\u200f\u2066",
    "NUL byte": "a\x00b",
    "negative": -1,
    "huge float": 1e308,
    "an object": {"a": 1},
    "a list": [1, 2],
}


@functools.cache
def _request_fields() -> dict[str, list[str]]:
    """The fields of each write route's JSON body, by route name, read from the schema."""
    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    fields: dict[str, list[str]] = {}
    for route in post_routes():
        operation = schema["paths"].get(_schema_path(route.pattern), {}).get("post") or {}
        content = operation.get("requestBody", {}).get("content", {})
        body = content.get("application/json", {}).get("schema", {})
        ref = body.get("$ref", "")
        if ref:
            body = components[ref.rsplit("/", 1)[-1]]
        fields[route.name] = sorted(body.get("properties", {}))
    return fields


def test_hostile_values_in_every_field_of_every_write_route_never_cause_a_server_error(
    everyone: Client,
) -> None:
    everyone.raise_request_exception = False
    failures = []
    for route in post_routes():
        fields = _request_fields()[route.name]
        if not fields:
            continue
        url, _found = _url(route)
        if not _takes_json(url):
            continue
        for label, value in HOSTILE.items():
            response = everyone.post(
                url, {name: value for name in fields}, content_type="application/json"
            )
            if response.status_code >= 500:
                failures.append((route.name, label, response.status_code))
    assert failures == []


def test_a_nul_character_anywhere_in_a_json_body_answers_400_and_writes_nothing(
    officer: Client,
) -> None:
    from himaya.cases.models import Case

    for body in (
        {"survivor": "a\x00b"},
        {"note": ["fine", {"deep": "x\x00"}]},
        {"key\x00": "value"},
    ):
        response = officer.post(reverse("cases:api_open"), body, content_type="application/json")
        assert response.status_code == 400
        assert _messages(response) == {
            "detail": ["The request body holds a NUL character, which no field accepts."]
        }
    assert Case.objects.count() == 0
