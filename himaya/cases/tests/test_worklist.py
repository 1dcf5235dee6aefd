"""The case worker's worklist: sections by urgency, rows, names, pages, sorts, scope, and
the rules that keep its columns."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import rules as predicates
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.audit.tests.queries import AUDIT_ROW_QUERIES
from himaya.cases import actions, rules, selectors
from himaya.cases.models import (
    CarePlanStatus,
    Case,
    CaseDeadline,
    DeadlineKind,
    Phase,
    RiskLevel,
)
from himaya.cases.rules import Section
from himaya.cases.tests.factories import CarePlanFactory, CaseFactory
from himaya.core.templatetags.himaya_format import day_text
from himaya.survivors.tests.factories import SurvivorFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def on_worklist(
    agency: Agency,
    worker: User,
    *,
    due: datetime.date,
    level: str = "",
    new_until: datetime.date | None = None,
    action: str = DeadlineKind.RISK_REVIEW,
    **survivor: Any,
) -> Case:
    """A case of the worker whose worklist columns are set to these values."""
    case = CaseFactory(
        lead_agency=agency,
        case_worker=worker,
        survivor=SurvivorFactory(registered_by_agency=agency, **survivor),
    )
    Case.objects.filter(pk=case.pk).update(
        next_action=action,
        next_due_on=due,
        risk_level=level,
        risk_rank=rules.RISK_RANKS[level],
        new_until=new_until,
    )
    case.refresh_from_db()
    return case


def codes(client: Client, query: str = "") -> list[str]:
    body = client.get(reverse("cases:queue") + query).content.decode()
    return [
        line.split('data-case="')[1].split('"')[0]
        for line in body.splitlines()
        if 'data-testid="worklist-row"' in line
    ]


# --- rules --------------------------------------------------------------------------------


def test_a_high_risk_is_reviewed_after_thirty_days_and_a_low_one_after_ninety() -> None:
    assessed = datetime.date(2026, 6, 1)
    start = datetime.date(2026, 5, 1)
    assert rules.risk_review_due(level="high", assessed_on=assessed, start=start) == (
        datetime.date(2026, 7, 1)
    )
    assert rules.risk_review_due(level="critical", assessed_on=assessed, start=start) == (
        datetime.date(2026, 7, 1)
    )
    assert rules.risk_review_due(level="low", assessed_on=assessed, start=start) == (
        datetime.date(2026, 8, 30)
    )
    assert rules.risk_review_due(level="", assessed_on=None, start=start) == (
        datetime.date(2026, 5, 8)
    )


def test_a_care_plan_is_due_a_week_after_identification_until_one_is_approved() -> None:
    start = datetime.date(2026, 6, 1)
    assert rules.care_plan_due(has_approved_plan=False, start=start) == datetime.date(2026, 6, 8)
    assert rules.care_plan_due(has_approved_plan=True, start=start) is None


def test_the_next_action_is_the_earliest_deadline_and_the_kind_order_breaks_ties() -> None:
    day = datetime.date(2026, 6, 20)
    assert rules.next_action([("risk_review", day), ("referral_answer", day)]) == (
        "referral_answer",
        day,
    )
    assert rules.next_action([("risk_review", day), ("care_plan", datetime.date(2026, 6, 19))]) == (
        "care_plan",
        datetime.date(2026, 6, 19),
    )
    assert rules.next_action([]) is None


def test_a_case_is_new_for_a_week_after_identification_or_assignment() -> None:
    assert rules.new_until(
        identified_on=datetime.date(2026, 6, 1), assigned_on=datetime.date(2026, 6, 10)
    ) == datetime.date(2026, 6, 17)
    assert rules.new_until(identified_on=None, assigned_on=None) is None


def test_the_worklist_state_of_an_open_and_of_a_closed_case() -> None:
    state = rules.worklist_state(
        phase=Phase.PROTECTION,
        first_contact_on=datetime.date(2026, 6, 1),
        identified_on=datetime.date(2026, 6, 2),
        assigned_on=datetime.date(2026, 6, 2),
        latest_risk=("critical", datetime.date(2026, 6, 3)),
        has_approved_plan=False,
        deadlines=[("referral_answer", datetime.date(2026, 6, 12))],
    )
    assert state == rules.WorklistState(
        next_action="care_plan",
        next_due_on=datetime.date(2026, 6, 9),
        risk_level="critical",
        risk_rank=4,
        new_until=datetime.date(2026, 6, 9),
    )
    closed = rules.worklist_state(
        phase=Phase.CLOSED,
        first_contact_on=datetime.date(2026, 6, 1),
        identified_on=None,
        assigned_on=None,
        latest_risk=("low", datetime.date(2026, 6, 3)),
        has_approved_plan=True,
        deadlines=[("referral_answer", datetime.date(2026, 6, 12))],
    )
    assert closed == rules.WorklistState("", None, "low", 1, None)


@pytest.mark.parametrize(
    ("due", "rank", "new_until", "section"),
    [
        (datetime.date(2026, 6, 14), 4, TODAY, Section.OVERDUE),
        (TODAY, 3, TODAY, Section.HIGH_RISK),
        (TODAY, 2, TODAY, Section.NEW),
        (TODAY, 2, datetime.date(2026, 6, 14), Section.REST),
        (TODAY, 0, None, Section.REST),
    ],
)
def test_the_section_of_a_case_follows_overdue_then_risk_then_news(
    due: datetime.date, rank: int, new_until: datetime.date | None, section: Section
) -> None:
    assert (
        rules.worklist_section(next_due_on=due, risk_rank=rank, new_until=new_until, today=TODAY)
        == section
    )


# --- the columns follow the actions -------------------------------------------------------


def test_assessing_risk_approving_a_plan_and_deadlines_keep_the_columns(
    case_worker: User, supervisor: User, agency_a: Agency
) -> None:
    case = CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        first_contact_on=datetime.date(2026, 6, 10),
        identified_on=datetime.date(2026, 6, 10),
    )
    case.refresh_from_db()
    assert (case.next_action, case.next_due_on) == ("care_plan", datetime.date(2026, 6, 17))
    actions.assess_risk(
        case=case, by=case_worker, level=RiskLevel.HIGH, factors=[], assessed_on=TODAY
    )
    plan = CarePlanFactory(case=case, author=case_worker, status=CarePlanStatus.SUBMITTED)
    actions.decide_care_plan(plan=plan, by=supervisor, approve=True, expected_version=plan.version)
    case.refresh_from_db()
    assert (case.next_action, case.next_due_on, case.risk_level, case.risk_rank) == (
        "risk_review",
        datetime.date(2026, 7, 15),
        "high",
        3,
    )
    actions.set_case_deadline(
        case=case, kind=DeadlineKind.REFERRAL_ANSWER, due_on=TODAY, source_code="RF-1"
    )
    case.refresh_from_db()
    assert (case.next_action, case.next_due_on) == ("referral_answer", TODAY)
    actions.clear_case_deadline(case=case, kind=DeadlineKind.REFERRAL_ANSWER, source_code="RF-1")
    case.refresh_from_db()
    assert (case.next_action, case.next_due_on) == ("risk_review", datetime.date(2026, 7, 15))
    assert CaseDeadline.objects.get().done_at is not None


def test_reassigning_a_case_makes_it_new_for_the_new_worker(
    case_worker: User, supervisor: User, agency_a: Agency, make_persona: Callable[..., User]
) -> None:
    other = make_persona(Role.CASE_WORKER, agency_a, "other_worker")
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    actions.reassign_case(case=case, to_worker=other, by=supervisor, expected_version=case.version)
    case.refresh_from_db()
    assert (case.assigned_on, case.new_until) == (TODAY, datetime.date(2026, 6, 22))


# --- the page -----------------------------------------------------------------------------


def test_the_worklist_lists_overdue_then_high_risk_then_new_then_the_rest(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    later = datetime.date(2026, 7, 1)
    rest = on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 20))
    new = on_worklist(agency_a, case_worker, due=later, new_until=datetime.date(2026, 6, 18))
    high = on_worklist(agency_a, case_worker, due=later, level="high")
    critical = on_worklist(agency_a, case_worker, due=later, level="critical")
    overdue_low = on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 1), level="low")
    overdue_high = on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 10), level="high")
    assert codes(login(case_worker)) == [
        overdue_low.code,
        overdue_high.code,
        critical.code,
        high.code,
        new.code,
        rest.code,
    ]


def test_each_row_shows_the_case_the_first_name_the_phase_risk_next_action_due_date_and_flags(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = on_worklist(
        agency_a,
        case_worker,
        due=datetime.date(2026, 6, 10),
        level="critical",
        action=DeadlineKind.REFERRAL_ANSWER,
        name_ar="سلمى أحمد علي",
        name_latin="Salma Ahmed",
        birth_year=None,
        nationality="SY",
    )
    adult = on_worklist(
        agency_a, case_worker, due=datetime.date(2026, 7, 1), name_ar="", name_latin="Amal Hassan"
    )
    body = login(case_worker).get(reverse("cases:queue")).content.decode()
    row = body.split(f'data-case="{case.code}"')[1].split("</tr>")[0]
    assert f'href="/cases/{case.code}/"' in row
    assert '<bdi dir="auto" data-testid="first-name">سلمى</bdi>' in row
    assert "أحمد" not in body
    with translation.override("ar"):
        assert f'<td data-label="{_("Phase")}">{Phase.IDENTIFICATION.label}</td>' in row
        assert f">{RiskLevel.CRITICAL.label}</span>" in row
        assert f">{DeadlineKind.REFERRAL_ANSWER.label}</td>" in row
    with translation.override("ar"):
        assert f">{day_text(datetime.date(2026, 6, 10))}</bdi>" in row
    assert 'data-testid="flag-child"' in row
    assert 'data-testid="flag-foreign"' in row
    adult_row = body.split(f'data-case="{adult.code}"')[1].split("</tr>")[0]
    assert '<bdi dir="auto" data-testid="first-name">Amal</bdi>' in adult_row
    assert 'data-testid="flag-child"' not in adult_row
    assert 'data-testid="flag-foreign"' not in adult_row


def test_showing_first_names_writes_one_audit_row_per_page_listing_the_codes_shown(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    shown = [on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, n)) for n in (3, 4)]
    client = login(case_worker)
    before = AuditEvent.objects.count()
    client.get(reverse("cases:queue"))
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.purpose, event.actor_id) == (
        "survivor.identity_listed",
        "worklist",
        case_worker.pk,
    )
    assert event.details == {"cases": [case.code for case in shown]}


@pytest.fixture
def identity_hidden() -> Iterator[None]:
    """A world in which case workers may not see identities."""
    name = "survivors.view_identity"
    original = predicates.permissions.permissions[name]
    predicates.set_perm(name, predicates.always_false)
    try:
        yield
    finally:
        predicates.set_perm(name, original)


def test_a_role_that_may_not_see_identities_gets_masked_names_and_no_audit_row(
    identity_hidden: None, case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 3), name_ar="سلمى علي")
    client = login(case_worker)
    before = AuditEvent.objects.count()
    body = client.get(reverse("cases:queue")).content.decode()
    row = body.split(f'data-case="{case.code}"')[1].split("</tr>")[0]
    assert "سلمى" not in body
    assert "•••" in row
    assert AuditEvent.objects.count() == before
    page = selectors.worklist_page(case_worker, today=TODAY)
    assert page.shows_names is False
    assert "name_ar" in page.rows[0].case.survivor.get_deferred_fields()


def test_the_next_page_comes_by_hx_get_after_the_last_row_shown(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    made = [
        on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 1) + datetime.timedelta(n))
        for n in range(30)
    ]
    client = login(case_worker)
    body = client.get(reverse("cases:queue")).content.decode()
    assert body.count('data-testid="worklist-row"') == 25
    page = selectors.worklist_page(case_worker, today=TODAY)
    assert page.next_cursor == f"3.0.2026-06-25.{made[24].pk}"
    url = f"/cases/queue/?scope=mine&amp;sort=urgency&amp;after={page.next_cursor}"
    assert f'hx-get="{url}"' in body
    rest = client.get(url.replace("&amp;", "&"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in rest
    assert [line for line in rest.splitlines() if 'data-testid="worklist-row"' in line] == [
        line
        for line in rest.splitlines()
        if any(f'data-case="{case.code}"' in line for case in made[25:])
    ]
    assert rest.count('data-testid="worklist-row"') == 5
    assert 'data-testid="worklist-more"' not in rest
    assert 'data-testid="worklist-section"' not in rest  # still the section of the last row


def test_the_worklist_sorts_by_due_date_and_by_risk(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    soon = on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 16), level="low")
    late = on_worklist(agency_a, case_worker, due=datetime.date(2026, 8, 1), level="critical")
    mid = on_worklist(agency_a, case_worker, due=datetime.date(2026, 7, 1), level="high")
    old = on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 1), level="medium")
    client = login(case_worker)
    assert codes(client, "?sort=due") == [old.code, soon.code, mid.code, late.code]
    assert codes(client, "?sort=risk") == [late.code, mid.code, old.code, soon.code]


def test_another_agencys_cases_and_closed_cases_never_appear(
    case_worker: User,
    supervisor: User,
    outsider: User,
    agency_a: Agency,
    agency_b: Agency,
    login: Callable[[User], Client],
) -> None:
    mine = on_worklist(agency_a, case_worker, due=datetime.date(2026, 6, 20))
    colleague = on_worklist(agency_a, supervisor, due=datetime.date(2026, 6, 21))
    elsewhere = on_worklist(agency_b, outsider, due=datetime.date(2026, 6, 1))
    closed = CaseFactory(
        lead_agency=agency_a,
        case_worker=case_worker,
        phase=Phase.CLOSED,
        closed_on=datetime.date(2026, 6, 1),
        closure_reason="reintegrated",
    )
    client = login(case_worker)
    assert codes(client) == [mine.code]
    assert codes(client, "?scope=agency") == [mine.code]  # a case worker sees their own
    assert 'data-testid="worklist-scope"' not in client.get("/cases/queue/").content.decode()
    boss = login(supervisor)
    assert codes(boss) == [mine.code, colleague.code]
    assert codes(boss, "?scope=mine") == [colleague.code]
    assert 'data-testid="worklist-scope"' in boss.get("/cases/queue/").content.decode()
    assert codes(login(outsider)) == [elsewhere.code]
    assert closed.code not in boss.get("/cases/queue/").content.decode()


@pytest.mark.parametrize(
    "role", [r.value for r in Role if r not in (Role.CASE_WORKER, Role.SUPERVISOR)]
)
def test_roles_without_cases_are_refused_the_worklist(
    role: str, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    assert login(personas[role]).get(reverse("cases:queue")).status_code == 403


@pytest.mark.parametrize("count", [3, 30])
def test_the_worklist_needs_the_same_number_of_queries_for_3_and_30_cases(
    count: int,
    case_worker: User,
    agency_a: Agency,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    for n in range(count):
        on_worklist(
            agency_a,
            case_worker,
            due=datetime.date(2026, 6, 1) + datetime.timedelta(n),
            level=["", "low", "high", "critical"][n % 4],
            new_until=TODAY if n % 3 == 0 else None,
        )
    client = login(case_worker)
    client.get(reverse("cases:queue"))  # warm the session
    with django_assert_num_queries(WORKLIST_QUERIES):
        assert client.get(reverse("cases:queue")).status_code == 200


# Nine reads, and the audit row of the first names shown.
WORKLIST_QUERIES = 9 + AUDIT_ROW_QUERIES
