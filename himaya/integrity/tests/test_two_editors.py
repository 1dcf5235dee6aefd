"""Two people open the same record at the same version and both save: whatever the order,
and whether they change the same field or different ones, the first save counts, the
second is refused as a conflict (on the page in the reader's language, through the API
as a 409 problem), no field of the first save is overwritten and the version moves once.

One table, one row per kind of record that people edit: a case, a survivor, a care plan
and a payment request.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import models
from django.test import Client

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.cases import actions as case_actions
from himaya.cases.models import (
    CarePlan,
    Case,
    IdentificationChannel,
    RecruitmentChannel,
)
from himaya.cases.tests.factories import CarePlanFactory, CarePlanGoalFactory, CaseFactory
from himaya.core.locking import ConcurrentEditError
from himaya.fund import actions as fund_actions
from himaya.fund.models import LedgerEntry, PaymentRequest
from himaya.fund.tests.factories import PaymentRequestFactory, make_case
from himaya.integrity.tests.helpers import signed_in
from himaya.survivors import actions as survivor_actions
from himaya.survivors.models import Survivor
from himaya.survivors.tests.factories import SurvivorFactory
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

CONFLICT = {
    "en": (
        "This record was changed by someone else after you opened it. "
        "Your changes were not saved: reload it and apply them again."
    ),
    "ar": (
        "عدّل شخص آخر هذا السجل بعد أن فتحته. لم تُحفظ تغييراتك: أعد تحميل السجل وطبّقها مرة أخرى."
    ),
}
PROBLEM = "application/problem+json"

Edit = Callable[[Any, User, int], object]


@dataclass(frozen=True)
class PageEdit:
    """A save through a page: the page that shows the form, the form's action (a suffix of
    its address) and the fields the user changes in it."""

    page: str
    action: str
    changes: dict[str, str]


@dataclass(frozen=True)
class Editor:
    """A kind of record two people edit, and how each of them saves it."""

    name: str
    make: Callable[[User, User], models.Model]
    first: Edit  # the first editor changes one field
    same: Edit  # the second editor changes that same field to another value
    other: Edit  # the second editor changes other fields
    page_first: Callable[[Any], PageEdit]
    page_same: Callable[[Any], PageEdit]
    page_other: Callable[[Any], PageEdit]
    # The status of the page that refuses the later save, by the second editor's change:
    # the page itself, or a redirect to the record's page that shows the refusal.
    page_status: dict[str, int]
    api_stale: Callable[[Any, int], tuple[str, dict[str, Any]]]
    written: Callable[[Any], list[Any]]  # lines written beside the record (timeline, ledger)


# --- a case: identification details ----------------------------------------------------


def make_case_for(first: User, second: User) -> Case:
    agency = first.memberships.get().agency
    case: Case = CaseFactory(lead_agency=agency, case_worker=first, survivor__registered_by=first)
    return case


def update_case(**changes: Any) -> Edit:
    return lambda case, by, version: case_actions.update_case(
        case=case, by=by, expected_version=version, changes=changes
    )


def case_page(**changes: str) -> Callable[[Case], PageEdit]:
    return lambda case: PageEdit(f"/cases/{case.code}/edit/", "/edit/", changes)


def case_api(case: Case, version: int) -> tuple[str, dict[str, Any]]:
    return (
        f"/cases/api/cases/{case.code}/transition/",
        {"to_phase": "protection", "version": version},
    )


def case_lines(case: Case) -> list[Any]:
    return list(CaseEvent.objects.filter(case_id=case.pk).values_list("pk", flat=True))


CASE = Editor(
    name="case",
    make=make_case_for,
    first=update_case(identified_by=IdentificationChannel.POLICE),
    same=update_case(identified_by=IdentificationChannel.NGO_OUTREACH),
    other=update_case(recruitment_channel=RecruitmentChannel.IN_PERSON),
    page_first=case_page(identified_by=IdentificationChannel.POLICE),
    page_same=case_page(identified_by=IdentificationChannel.NGO_OUTREACH),
    page_other=case_page(recruitment_channel=RecruitmentChannel.IN_PERSON),
    page_status={"same": 409, "other": 409},
    api_stale=case_api,
    written=case_lines,
)


# --- a survivor: identity and clear data ------------------------------------------------


def make_survivor_for(first: User, second: User) -> Survivor:
    survivor: Survivor = SurvivorFactory(
        registered_by_agency=first.memberships.get().agency, registered_by=first
    )
    return survivor


def update_identity(identity: dict[str, str], clear: dict[str, Any] | None = None) -> Edit:
    return lambda survivor, by, version: survivor_actions.update_identity(
        survivor=survivor, by=by, expected_version=version, identity=identity, clear=clear or {}
    )


def survivor_page(**changes: str) -> Callable[[Survivor], PageEdit]:
    return lambda survivor: PageEdit(f"/survivors/{survivor.code}/edit/", "/edit/", changes)


def survivor_api(survivor: Survivor, version: int) -> tuple[str, dict[str, Any]]:
    return (
        f"/survivors/api/survivors/{survivor.code}/protection/",
        {
            "migration_status": "refugee",
            "unhcr_registered": True,
            "unhcr_reference": "UNHCR-123-456",
            "version": version,
        },
    )


def no_lines(record: Any) -> list[Any]:
    return []


SURVIVOR = Editor(
    name="survivor",
    make=make_survivor_for,
    first=update_identity({"name_ar": "مريم أحمد"}),
    same=update_identity({"name_ar": "فاطمة علي"}),
    other=update_identity({"phone": "+20 12 3456 7890"}, {"has_disability": True}),
    page_first=survivor_page(name_ar="مريم أحمد"),
    page_same=survivor_page(name_ar="فاطمة علي"),
    page_other=survivor_page(phone="+20 12 3456 7890"),
    page_status={"same": 409, "other": 409},
    api_stale=survivor_api,
    written=no_lines,
)


# --- a care plan: its summary, and its submission ---------------------------------------


def make_plan_for(first: User, second: User) -> CarePlan:
    """The second editor wrote the plan: only its author may submit it."""
    case = make_case_for(first, second)
    plan: CarePlan = CarePlanFactory(case=case, author=second)
    CarePlanGoalFactory(care_plan=plan)
    return plan


def update_plan(summary: str) -> Edit:
    return lambda plan, by, version: case_actions.update_care_plan(
        plan=plan, by=by, expected_version=version, summary=summary
    )


def submit_plan(plan: CarePlan, by: User, version: int) -> object:
    return case_actions.submit_care_plan(plan=plan, by=by, expected_version=version)


def plan_page(summary: str) -> Callable[[CarePlan], PageEdit]:
    return lambda plan: PageEdit(
        f"/cases/care-plans/{plan.code}/", f"/{plan.code}/", {"summary": summary}
    )


def plan_submit_page(plan: CarePlan) -> PageEdit:
    return PageEdit(f"/cases/care-plans/{plan.code}/", "/submit/", {})


def plan_api(plan: CarePlan, version: int) -> tuple[str, dict[str, Any]]:
    return f"/cases/api/care-plans/{plan.code}/submit/", {"version": version}


def plan_lines(plan: CarePlan) -> list[Any]:
    return case_lines(plan.case)


CARE_PLAN = Editor(
    name="care plan",
    make=make_plan_for,
    first=update_plan("الإقامة في الدار ثم العودة إلى الأسرة"),
    same=update_plan("رعاية طبية ونفسية أولًا"),
    other=submit_plan,
    page_first=plan_page("الإقامة في الدار ثم العودة إلى الأسرة"),
    page_same=plan_page("رعاية طبية ونفسية أولًا"),
    page_other=plan_submit_page,
    page_status={"same": 409, "other": 302},
    api_stale=plan_api,
    written=plan_lines,
)


# --- a payment request: the approvers' decisions ----------------------------------------


def make_payment_for(first: User, second: User) -> PaymentRequest:
    payment: PaymentRequest = PaymentRequestFactory(
        case=make_case(), amount=Decimal("1500.00"), approvals_required=1
    )
    return payment


def approve(payment: PaymentRequest, by: User, version: int) -> object:
    return fund_actions.approve_payment(payment=payment, by=by, expected_version=version)


def reject(payment: PaymentRequest, by: User, version: int) -> object:
    return fund_actions.reject_payment(
        payment=payment, by=by, reason="المستندات غير مكتملة", expected_version=version
    )


def payment_page(action: str, **changes: str) -> Callable[[PaymentRequest], PageEdit]:
    return lambda payment: PageEdit(f"/fund/payments/{payment.code}/", action, changes)


def payment_api(payment: PaymentRequest, version: int) -> tuple[str, dict[str, Any]]:
    return f"/fund/api/payments/{payment.code}/approve/", {"version": version}


def ledger_lines(payment: PaymentRequest) -> list[Any]:
    return list(
        LedgerEntry.objects.filter(request=payment).values_list("kind", "amount").order_by("pk")
    )


PAYMENT = Editor(
    name="payment",
    make=make_payment_for,
    first=approve,
    same=approve,
    other=reject,
    page_first=payment_page("/approve/"),
    page_same=payment_page("/approve/"),
    page_other=payment_page("/reject/", reason="المستندات غير مكتملة"),
    page_status={"same": 409, "other": 409},
    api_stale=payment_api,
    written=ledger_lines,
)

EDITORS = [pytest.param(editor, id=editor.name) for editor in (CASE, SURVIVOR, CARE_PLAN, PAYMENT)]
PAGE_EDITORS = [
    pytest.param(CASE, id=CASE.name),
    pytest.param(SURVIVOR, id=SURVIVOR.name),
    pytest.param(CARE_PLAN, id=CARE_PLAN.name),
    pytest.param(PAYMENT, id=PAYMENT.name),
]


@pytest.fixture
def editors(make_persona: Callable[..., User], agency_a: Agency) -> Callable[[Editor], Any]:
    """Two people who may both save the record: case workers of its agency, or two fund
    approvers (neither of whom requested the payment)."""

    def pick(editor: Editor) -> tuple[User, User]:
        if editor is PAYMENT:
            return (
                make_persona(Role.FUND_APPROVER, None, "approver_one"),
                make_persona(Role.FUND_APPROVER, None, "approver_two"),
            )
        return (
            make_persona(Role.CASE_WORKER, agency_a, "worker_one"),
            make_persona(Role.CASE_WORKER, agency_a, "worker_two"),
        )

    return pick


def reload(record: models.Model) -> Any:
    return type(record)._default_manager.get(pk=record.pk)


def stored(record: models.Model) -> dict[str, Any]:
    """Every column of the record as stored now (identifying fields decrypted)."""
    fresh = reload(record)
    return {field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields}


def trail(record: models.Model, editor: Editor) -> tuple[int, list[Any]]:
    return AuditEvent.objects.count(), editor.written(record)


# --- in the actions: every order, the same field and different fields ------------------


@pytest.mark.parametrize("editor", EDITORS)
@pytest.mark.parametrize("second_edit", ["same", "other"])
@pytest.mark.parametrize("order", ["first then second", "second then first"])
def test_of_two_saves_from_one_version_the_later_is_refused_and_overwrites_nothing(
    editors: Callable[[Editor], tuple[User, User]], editor: Editor, second_edit: str, order: str
) -> None:
    one, two = editors(editor)
    record = editor.make(one, two)
    version = reload(record).version
    # Both open the record at the same version, each with their own copy.
    copies = {"first": reload(record), "second": reload(record)}
    saves: dict[str, Callable[[], object]] = {
        "first": lambda: editor.first(copies["first"], one, version),
        "second": lambda: getattr(editor, second_edit)(copies["second"], two, version),
    }
    earlier, later = order.split(" then ")
    before = stored(record)

    saves[earlier]()
    after_earlier = stored(record)
    written = trail(record, editor)
    with pytest.raises(ConcurrentEditError) as refused:
        saves[later]()

    assert refused.value.status == 409
    assert refused.value.field == "version"
    assert stored(record) == after_earlier
    assert trail(record, editor) == written
    assert after_earlier["version"] == version + 1
    assert after_earlier != {**before, "version": version + 1}, "the earlier save changed nothing"


# --- on the page: what the later one reads, in both languages ---------------------------


class Forms(HTMLParser):
    """The forms of a page with the values a browser would send unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, Any]]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._first_option: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), {}))
            return
        if not self.forms:
            return
        data = self.forms[-1][1]
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    data.setdefault(name, []).append(a.get("value", "on"))
            else:
                data[name] = [a.get("value", "")]
        elif tag == "select" and name:
            self._select = name
            data.setdefault(name, [])
        elif tag == "option" and self._select:
            self._first_option.setdefault(self._select, a.get("value", ""))
            if "selected" in a:
                data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            data[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            data = self.forms[-1][1]
            if not data[self._select]:
                data[self._select] = [self._first_option.get(self._select, "")]
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.forms[-1][1][self._textarea][0] += data


def open_form(client: Client, edit: PageEdit) -> tuple[str, dict[str, Any]]:
    """Load the page and take the form whose action ends as the edit's does."""
    page = client.get(edit.page)
    assert page.status_code == 200
    parser = Forms()
    parser.feed(page.content.decode())
    found = [
        (action, data)
        for action, data in parser.forms
        if (action or edit.page).endswith(edit.action) and "version" in data
    ]
    assert len(found) == 1, f"one form ending in {edit.action} on {edit.page}"
    action, data = found[0]
    data = {
        name: unescape(values[0]) if len(values) == 1 else values for name, values in data.items()
    }
    data.update(edit.changes)
    return action or edit.page, data


@pytest.mark.parametrize("editor", PAGE_EDITORS)
@pytest.mark.parametrize("second_edit", ["same", "other"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_later_of_two_saves_on_the_page_is_told_why_in_its_language_and_changes_nothing(
    editors: Callable[[Editor], tuple[User, User]], editor: Editor, second_edit: str, language: str
) -> None:
    one, two = editors(editor)
    record = editor.make(one, two)
    version = reload(record).version
    first, second = signed_in(one), signed_in(two)
    second.cookies["himaya_language"] = language
    first_form = open_form(first, editor.page_first(record))
    second_form = open_form(second, getattr(editor, f"page_{second_edit}")(record))
    assert first_form[1]["version"] == second_form[1]["version"] == str(version)

    saved = first.post(*first_form)
    assert saved.status_code == 302
    after_first = stored(record)
    written = trail(record, editor)
    refused = second.post(*second_form)

    assert refused.status_code == editor.page_status[second_edit]
    assert stored(record) == after_first
    assert trail(record, editor) == written
    assert after_first["version"] == version + 1
    shown = second.get(refused["Location"]) if refused.status_code == 302 else refused
    assert CONFLICT[language] in unescape(shown.content.decode())


# --- through the API: a stale version ---------------------------------------------------


@pytest.mark.parametrize("editor", EDITORS)
def test_a_stale_version_through_the_api_is_a_409_problem_and_changes_nothing(
    editors: Callable[[Editor], tuple[User, User]], editor: Editor
) -> None:
    one, two = editors(editor)
    record = editor.make(one, two)
    version = reload(record).version
    editor.first(reload(record), one, version)
    client = signed_in(two)
    after_first = stored(record)
    written = trail(record, editor)

    path, body = editor.api_stale(record, version)
    response = client.post(path, json.dumps(body), content_type="application/json")

    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 409
    assert problem["detail"] == CONFLICT["en"]
    assert problem["errors"] == {"version": [CONFLICT["en"]]}
    assert stored(record) == after_first
    assert trail(record, editor) == written
