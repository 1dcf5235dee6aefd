"""Money moves only on the version the user read: through every route of the fund that
changes a record, a stale and a missing version answer 409 and a malformed one 400, as
problem details through the API and on the page; nothing changes. The state rules that
the pages used to decide are refused through the page and the API alike."""

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.html import escape

from himaya.accounts.models import User
from himaya.audit.models import AuditEvent
from himaya.fund import actions
from himaya.fund.models import (
    BudgetLine,
    FiscalYear,
    LedgerEntry,
    LimitChange,
    Method,
    PaymentLimit,
    PaymentRequest,
    Purpose,
    SupportingDocument,
)
from himaya.fund.selectors import PaymentChoices
from himaya.fund.tests import samples
from himaya.fund.tests.factories import (
    BudgetLineFactory,
    PaymentLimitFactory,
    PaymentRequestFactory,
    make_case,
)

pytestmark = pytest.mark.django_db

STALE = (
    "This record was changed by someone else after you opened it. "
    "Your changes were not saved: reload it and apply them again."
)
MISSING = "The version of the record you read is missing: reload it and try again."
MALFORMED_ON_A_PAGE = "The record's version is not valid: reload the page."
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def english(client: Client) -> Iterator[None]:
    client.cookies["himaya_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world(officer: User, approver: User, second_approver: User) -> dict[str, Any]:
    """A request of each state, a limit, and a limit change waiting for a second approver."""
    line = BudgetLineFactory(amount=Decimal("50000.00"))

    def request() -> PaymentRequest:
        return PaymentRequestFactory(requested_by=officer, budget_line=line, case=make_case())

    requested, approved, paid, rejected = request(), request(), request(), request()
    for payment in (approved, paid):
        actions.approve_payment(payment=payment, by=approver, expected_version=1)
    actions.record_payment(
        payment=paid, by=officer, method=Method.CASH, reference="R-1", expected_version=2
    )
    actions.reject_payment(payment=rejected, by=approver, reason="مكرر", expected_version=1)
    limit = PaymentLimitFactory(fiscal_year=line.fiscal_year, purpose=Purpose.MEDICAL)
    change = actions.propose_limit_change(
        fiscal_year=line.fiscal_year,
        purpose=Purpose.LEGAL,
        per_request=Decimal("700.00"),
        per_survivor_year=None,
        by=approver,
        expected_version=0,
    )
    records: dict[str, Any] = {
        "requested": requested,
        "approved": approved,
        "paid": paid,
        "rejected": rejected,
        "limit": limit,
        "change": change,
    }
    for record in records.values():
        record.refresh_from_db()
    return {**records, "line": line, "approver": approver, "second_approver": second_approver}


def snapshot() -> dict[str, Any]:
    """What a refused change must leave as it was (a refused approval of a limit change
    writes its audit row, and only that)."""
    return {
        "requests": list(
            PaymentRequest.objects.order_by("id").values_list("status", "version", "approved_by")
        ),
        "ledger": LedgerEntry.objects.count(),
        "documents": SupportingDocument.objects.count(),
        "limits": list(PaymentLimit.objects.order_by("id").values_list("per_request", "version")),
        "changes": list(LimitChange.objects.order_by("id").values_list("status", "version")),
        "events": AuditEvent.objects.exclude(action__startswith="auth.")
        .exclude(action="fund.limit_change_approval_refused")
        .count(),
    }


def _file() -> SimpleUploadedFile:
    return SimpleUploadedFile("a.pdf", samples.pdf())


# Every API route that changes a record: (the record acted on, who acts, the body without a
# version, the answer when the version is right, how the body travels).
API_ROUTES: dict[str, tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]], int, str]] = {
    "fund:api_approve": ("requested", "approver", lambda w: {}, 200, "json"),
    "fund:api_reject": ("requested", "approver", lambda w: {"reason": "غير مبرر"}, 200, "json"),
    "fund:api_pay": (
        "approved",
        "approver",
        lambda w: {"method": "cash", "reference": "R-2"},
        200,
        "json",
    ),
    "fund:api_reverse": ("paid", "approver", lambda w: {"reason": "تحويل خاطئ"}, 200, "json"),
    "fund:api_upload": ("requested", "approver", lambda w: {"file": _file()}, 201, "multipart"),
    "fund:api_limit_propose": (
        "limit",
        "approver",
        lambda w: {
            "fiscal_year": w["line"].fiscal_year.label,
            "purpose": Purpose.MEDICAL,
            "per_request": "2500.00",
            "per_survivor_year": None,
        },
        201,
        "json",
    ),
    "fund:api_limit_approve": ("change", "second_approver", lambda w: {}, 200, "json"),
    "fund:api_limit_reject": (
        "change",
        "second_approver",
        lambda w: {"reason": "لا حاجة"},
        200,
        "json",
    ),
}
# Routes that create a record read by nobody before: there is no version to send.
CREATIONS = {"fund:api_request", "fund:api_lines"}


def _args(name: str, record: str, world: dict[str, Any]) -> list[str]:
    return [] if name == "fund:api_limit_propose" else [world[record].code]


def _post(client: Client, name: str, world: dict[str, Any], version: Any) -> Any:
    record, _who, body, _ok, kind = API_ROUTES[name]
    data = body(world)
    if version is not _ABSENT:
        data["version"] = version
    url = reverse(name, args=_args(name, record, world))
    if kind == "multipart":
        return client.post(url, data)
    return client.post(url, json.dumps(data), content_type="application/json")


_ABSENT = object()


def _as(login: Callable[[User], Client], world: dict[str, Any], name: str) -> Client:
    return login(world[API_ROUTES[name][1]])


def _api_post_routes(patterns: list[Any], namespace: str = "", prefix: str = "") -> set[str]:
    found: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            found |= _api_post_routes(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "cls", None)
            if (
                view is not None
                and hasattr(view, "post")
                and "/api/" in prefix + str(entry.pattern)
            ):
                found.add(f"{namespace}:{entry.name}")
    return found


def test_the_table_names_every_route_of_the_fund_api_that_writes() -> None:
    writes = {
        name for name in _api_post_routes(get_resolver().url_patterns) if name.startswith("fund:")
    }
    assert writes == set(API_ROUTES) | CREATIONS


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
    client = _as(login, world, name)
    record = world[API_ROUTES[name][0]]
    response = _post(client, name, world, record.version)
    assert response.status_code == API_ROUTES[name][3], response.content


@pytest.mark.parametrize("name", API_ROUTES)
def test_a_stale_version_is_a_409_problem_and_changes_nothing(login, world, name) -> None:
    client = _as(login, world, name)
    before = snapshot()
    response = _post(client, name, world, world[API_ROUTES[name][0]].version + 1)
    _assert_problem(response, 409, STALE)
    assert response.json()["errors"] == {"version": [STALE]}
    assert snapshot() == before


@pytest.mark.parametrize("name", API_ROUTES)
def test_a_missing_version_is_a_409_problem_and_changes_nothing(login, world, name) -> None:
    client = _as(login, world, name)
    before = snapshot()
    response = _post(client, name, world, _ABSENT)
    _assert_problem(response, 409, MISSING)
    assert snapshot() == before


MALFORMED_JSON = ["abc", "1e9", 1e9, 1.5, -1, 10**30, str(10**30), True, None, [1], "٣"]
MALFORMED_FORM = ["abc", "1e9", "1.5", "-1", str(10**30), "٣"]


def _malformed() -> list[tuple[str, Any]]:
    return [
        (name, value)
        for name, (_r, _w, _b, _ok, kind) in API_ROUTES.items()
        for value in (MALFORMED_FORM if kind == "multipart" else MALFORMED_JSON)
    ]


@pytest.mark.parametrize(("name", "version"), _malformed())
def test_a_malformed_version_is_a_400_problem_naming_it_and_changes_nothing(
    login, world, name, version
) -> None:
    client = _as(login, world, name)
    before = snapshot()
    response = _post(client, name, world, version)
    _assert_problem(response, 400)
    assert list(response.json()["errors"]) == ["version"]
    assert snapshot() == before


# The pages of the same changes: (url name, the record, who acts, the form without a version,
# the version of the record the page would send).
PAGE_ROUTES: dict[str, tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "fund:approve": ("requested", "approver", lambda w: {}),
    "fund:reject": ("requested", "approver", lambda w: {"reason": "غير مبرر"}),
    "fund:pay": ("approved", "approver", lambda w: {"method": "cash", "reference": "R-2"}),
    "fund:reverse": ("paid", "approver", lambda w: {"reason": "تحويل خاطئ"}),
    "fund:upload": ("requested", "approver", lambda w: {"file": _file()}),
    "fund:limits": (
        "limit",
        "approver",
        lambda w: {
            "fiscal_year": w["line"].fiscal_year.pk,
            "purpose": Purpose.MEDICAL,
            "per_request": "2500.00",
        },
    ),
    "fund:limit_change_approve": ("change", "second_approver", lambda w: {}),
    "fund:limit_change_reject": ("change", "second_approver", lambda w: {"reason": "لا حاجة"}),
}


def _page(login, world: dict[str, Any], name: str, version: Any) -> Any:
    record, who, body = PAGE_ROUTES[name]
    client = login(world[who])
    data = body(world)
    if version is not _ABSENT:
        data["version"] = version
    args = [] if name == "fund:limits" else [world[record].code]
    return client.post(reverse(name, args=args), data)


@pytest.mark.parametrize("name", PAGE_ROUTES)
def test_a_page_sent_with_the_version_read_goes_through(login, world, name) -> None:
    response = _page(login, world, name, world[PAGE_ROUTES[name][0]].version)
    assert response.status_code == 302


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
@pytest.mark.parametrize("name", PAGE_ROUTES)
def test_a_page_shows_a_version_it_cannot_act_on_and_changes_nothing(
    login, world, name, version, status, message
) -> None:
    before = snapshot()
    if version == "stale":
        version = world[PAGE_ROUTES[name][0]].version + 1
    response = _page(login, world, name, version)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert escape(message) in response.content.decode()
    assert snapshot() == before


# The state rules the pages decided before: each is refused through the page and the API,
# and the page does not offer it.

STATE_REFUSALS = [
    # (page, api, record, body, message)
    (
        "fund:reverse",
        "fund:api_reverse",
        "approved",
        {"reason": "تصحيح"},
        "A payment request that is Approved cannot become Reversed.",
    ),
    (
        "fund:pay",
        "fund:api_pay",
        "requested",
        {"method": "cash", "reference": "R-3"},
        "A payment request that is Requested cannot become Paid.",
    ),
    (
        "fund:approve",
        "fund:api_approve",
        "paid",
        {},
        "A payment request that is Paid cannot become Approved.",
    ),
    (
        "fund:upload",
        "fund:api_upload",
        "rejected",
        {"file": "pdf"},
        "Documents can no longer be added to this request.",
    ),
]


@pytest.mark.parametrize(("page", "api", "record", "body", "message"), STATE_REFUSALS)
def test_a_state_rule_is_refused_on_the_page_and_in_the_api_alike(
    login, world, page, api, record, body, message
) -> None:
    client = login(world["approver"])
    payment = world[record]
    before = snapshot()
    for name in (page, api):
        data = {**body, "version": payment.version}
        if "file" in data:
            data["file"] = _file()
            response = client.post(reverse(name, args=[payment.code]), data)
        elif name == api:
            response = client.post(
                reverse(name, args=[payment.code]), data, content_type="application/json"
            )
        else:
            response = client.post(reverse(name, args=[payment.code]), data)
        assert response.status_code == 409
        if name == api:
            _assert_problem(response, 409, message)
        else:
            assert response.context["action_errors"] == [message]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("record", "offered"),
    [
        ("requested", {"approve", "reject", "attach"}),
        ("approved", {"pay", "attach"}),
        ("paid", {"reverse", "attach"}),
        ("rejected", set()),
    ],
)
def test_the_payment_page_offers_only_what_the_rules_allow(login, world, record, offered):
    client = login(world["approver"])
    payment = world[record]
    html = client.get(reverse("fund:payment_detail", args=[payment.code])).content.decode()
    actions_of = {
        "approve": reverse("fund:approve", args=[payment.code]),
        "reject": reverse("fund:reject", args=[payment.code]),
        "pay": reverse("fund:pay", args=[payment.code]),
        "reverse": reverse("fund:reverse", args=[payment.code]),
        "attach": reverse("fund:upload", args=[payment.code]),
    }
    assert {key for key, url in actions_of.items() if f'action="{url}"' in html} == offered


def test_a_case_worker_is_offered_nothing_on_a_payment_of_their_case(
    client, login, personas, agency_a, officer
) -> None:
    case = make_case(agency_a, personas["case_worker"])
    payment = PaymentRequestFactory(requested_by=officer, case=case)
    login(personas["case_worker"])
    response = client.get(reverse("fund:payment_detail", args=[payment.code]))
    assert response.status_code == 200
    assert response.context["may"] == PaymentChoices(
        decide=False, pay=False, reverse=False, attach=False, read_documents=False
    )


def test_the_limits_page_starts_a_change_from_the_limit_read_with_its_version(
    client, login, world
) -> None:
    limit = world["limit"]
    PaymentLimit.objects.filter(pk=limit.pk).update(version=4)
    login(world["approver"])
    response = client.get(
        reverse("fund:limits"), {"fiscal_year": limit.fiscal_year_id, "purpose": limit.purpose}
    )
    form = response.context["form"]
    assert (form.initial["version"], form.initial["per_request"]) == (4, limit.per_request)
    assert client.get(reverse("fund:limits")).context["form"].initial == {"version": 0}
    choices = response.context["changes"][0][1]
    assert (choices.approve, choices.reject, choices.own) == (False, True, True)


@time_machine.travel("2031-03-01 10:00:00+02:00", tick=False)
def test_no_read_opens_a_fiscal_year_and_the_api_refuses_one_not_opened(
    client, login, approver
) -> None:
    login(approver)
    before = list(FiscalYear.objects.order_by("id").values_list("label", flat=True))
    page = client.get(reverse("fund:line_create"))
    assert list(page.context["form"].fields["fiscal_year"].queryset) == []
    for url in (reverse("fund:lines"), reverse("fund:api_lines"), reverse("fund:limits")):
        assert client.get(url).status_code == 200
    response = client.post(
        reverse("fund:api_lines"),
        {
            "fiscal_year": "2030/31",
            "name_ar": "بند",
            "name_en": "Line",
            "source_of_funds": "government",
            "amount": "100.00",
        },
        content_type="application/json",
    )
    _assert_problem(response, 400, "No fiscal year has this label.")
    assert response.json()["errors"] == {"fiscal_year": ["No fiscal year has this label."]}
    assert list(FiscalYear.objects.order_by("id").values_list("label", flat=True)) == before
    assert not BudgetLine.objects.exists()


def test_the_payment_list_page_and_api_filter_by_status_with_one_filterset(
    client, login, world
) -> None:
    login(world["approver"])
    api = client.get(reverse("fund:api_payments"), {"status": "paid"})
    assert [row["code"] for row in api.json()["results"]] == [world["paid"].code]
    page = client.get(reverse("fund:payments"), {"status": "paid"})
    assert [payment.code for payment in page.context["page"]] == [world["paid"].code]
    refused = client.get(reverse("fund:api_payments"), {"status": "bribe"})
    _assert_problem(refused, 400)
    assert list(refused.json()["errors"]) == ["status"]
    assert client.get(reverse("fund:payments"), {"status": "bribe"}).status_code == 400
