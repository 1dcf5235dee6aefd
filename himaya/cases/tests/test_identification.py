"""The formal identification decision: the transition table, who decides what, the
deadline of the conclusive decision, the timeline and audit rows, the page and the API."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.cases import actions, proposals, rules
from himaya.cases.exceptions import CaseConflict, CaseError, CaseForbidden
from himaya.cases.models import (
    IDENTIFICATION_TRANSITIONS,
    Case,
    CaseDeadline,
    ClosureReason,
    DeadlineKind,
    IdentificationDecision,
    IdentificationStatus,
    Phase,
)
from himaya.cases.proposals import clear_screening_outcome, register_screening_outcome
from himaya.cases.tests.conftest import CaseWorld
from himaya.core.locking import ConcurrentEditError
from himaya.timeline.models import CaseEvent, EventKind

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
TODAY = datetime.date(2026, 6, 15)
ALL_STATUSES = IdentificationStatus.values
ALLOWED = [
    (before, after)
    for before, targets in IDENTIFICATION_TRANSITIONS.items()
    for after in sorted(targets)
]
REFUSED = [
    (before, after)
    for before in ["", *ALL_STATUSES]
    for after in ALL_STATUSES
    if after not in IDENTIFICATION_TRANSITIONS[before]
]
OTHER_ROLES = [role.value for role in Role if role not in {Role.CASE_WORKER, Role.SUPERVISOR}]


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def put_in(case: Case, status: str, on: datetime.date | None = datetime.date(2026, 4, 1)) -> Case:
    """Give the case a current decision without going through the action."""
    Case.objects.filter(pk=case.pk).update(
        identification_status=status, identification_decided_on=on if status else None
    )
    case.refresh_from_db()
    return case


def refusal_of(before: str, after: str) -> str:
    """The reason a refused decision gives, in the active language."""

    def label(status: str) -> str:
        return str(IdentificationStatus(status).label) if status else gettext("no decision")

    return gettext("The decision %(to)s cannot follow %(from)s.") % {
        "to": label(after),
        "from": label(before),
    }


def snapshot(case: Case) -> dict[str, Any]:
    fresh = Case.objects.get(pk=case.pk)
    return {
        "status": fresh.identification_status,
        "on": fresh.identification_decided_on,
        "version": fresh.version,
        "decisions": IdentificationDecision.objects.filter(case=case).count(),
        "deadlines": CaseDeadline.objects.filter(case=case, done_at__isnull=True).count(),
        "events": CaseEvent.objects.filter(case=case).count(),
        "audit": AuditEvent.objects.filter(object_code=case.code).count(),
    }


def decide(case: Case, by: User, status: str, **overrides: Any) -> IdentificationDecision:
    values: dict[str, Any] = {
        "decided_on": datetime.date(2026, 6, 1),
        "grounds": "Indicators of forced labour confirmed in the interview.",
        "version": case.version,
    }
    values.update(overrides)
    return actions.decide_identification(case=case, status=status, by=by, **values)


def form_data(case: Case, status: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "status": status,
        "decided_on": "2026-06-01",
        "grounds": "Indicators of forced labour confirmed in the interview.",
        "version": case.version,
    }
    data.update(overrides)
    return data


# --- the transition table ---------------------------------------------------------------


@pytest.mark.parametrize(("before", "after"), ALLOWED)
def test_every_allowed_decision_is_recorded_and_becomes_the_case_status(
    world: CaseWorld, before: str, after: str
) -> None:
    case = put_in(world.case, before)
    version = case.version
    decision = decide(case, world.supervisor, after)
    case.refresh_from_db()
    assert case.identification_status == after
    assert case.identification_decided_on == datetime.date(2026, 6, 1)
    assert case.version == version + 1
    assert (decision.from_status, decision.status) == (before, after)
    assert decision.deciding_agency == world.agency_a
    assert decision.decided_by == world.supervisor
    assert decision.screening_code == case.screening_code


@pytest.mark.parametrize(("before", "after"), REFUSED)
def test_every_refused_decision_is_a_conflict_that_changes_nothing(
    world: CaseWorld, before: str, after: str
) -> None:
    case = put_in(world.case, before)
    before_state = snapshot(case)
    with pytest.raises(CaseConflict) as refused:
        decide(case, world.supervisor, after)
    assert refused.value.field == "status"
    assert str(refused.value.message) == refusal_of(before, after)
    assert snapshot(case) == before_state


def test_the_history_keeps_each_decision_newest_first(world: CaseWorld) -> None:
    case = world.case
    decide(case, world.case_worker, "possible", decided_on=datetime.date(2026, 5, 1))
    decide(case, world.supervisor, "not_victim", decided_on=datetime.date(2026, 5, 20))
    decide(case, world.case_worker, "possible", decided_on=datetime.date(2026, 6, 10))
    history = list(
        IdentificationDecision.objects.filter(case=case).values_list("from_status", "status")
    )
    assert history == [("not_victim", "possible"), ("possible", "not_victim"), ("", "possible")]


# --- who decides ------------------------------------------------------------------------


def test_a_case_worker_records_reasonable_grounds(world: CaseWorld) -> None:
    decide(world.case, world.case_worker, "possible")
    world.case.refresh_from_db()
    assert world.case.identification_status == "possible"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "not_victim"),
        ("possible", "identified"),
        ("possible", "withdrawn"),
        ("identified", "withdrawn"),
    ],
)
def test_only_a_supervisor_records_a_conclusive_negative_or_withdrawal(
    world: CaseWorld, before: str, after: str
) -> None:
    case = put_in(world.case, before)
    before_state = snapshot(case)
    with pytest.raises(CaseForbidden):
        decide(case, world.case_worker, after)
    assert snapshot(case) == before_state


def test_a_case_worker_of_another_agency_is_refused_by_the_action(world: CaseWorld) -> None:
    before_state = snapshot(world.case)
    with pytest.raises(CaseForbidden):
        decide(world.case, world.outsider, "possible")
    assert snapshot(world.case) == before_state


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"grounds": "   "}, "grounds"),
        ({"grounds": "\u200b\u2066\u2069"}, "grounds"),
        ({"grounds": "x" * 2001}, "grounds"),
        ({"decided_on": datetime.date(2026, 6, 16)}, "decided_on"),
        ({"decided_on": datetime.date(1999, 12, 31)}, "decided_on"),
        ({"decided_on": datetime.date(2026, 2, 28)}, "decided_on"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_changes_nothing(
    world: CaseWorld, overrides: dict[str, Any], field: str
) -> None:
    before_state = snapshot(world.case)
    with pytest.raises(CaseError) as refused:
        decide(world.case, world.case_worker, "possible", **overrides)
    assert refused.value.field == field
    assert snapshot(world.case) == before_state


def test_a_decision_dated_before_the_current_one_is_refused(world: CaseWorld) -> None:
    case = put_in(world.case, "possible", datetime.date(2026, 6, 5))
    before_state = snapshot(case)
    with pytest.raises(CaseError) as refused:
        decide(case, world.supervisor, "identified", decided_on=datetime.date(2026, 6, 4))
    assert refused.value.field == "decided_on"
    assert snapshot(case) == before_state


def test_an_unknown_decision_is_refused(world: CaseWorld) -> None:
    with pytest.raises(CaseError) as refused:
        decide(world.case, world.supervisor, "presumed")
    assert refused.value.field == "status"


def test_a_closed_case_takes_no_decision(world: CaseWorld) -> None:
    Case.objects.filter(pk=world.case.pk).update(
        phase=Phase.CLOSED, closed_on=TODAY, closure_reason=ClosureReason.REINTEGRATED
    )
    world.case.refresh_from_db()
    before_state = snapshot(world.case)
    with pytest.raises(CaseError):
        decide(world.case, world.supervisor, "possible")
    assert snapshot(world.case) == before_state


def test_a_stale_version_is_a_conflict_that_changes_nothing(world: CaseWorld) -> None:
    stale = world.case.version
    Case.objects.filter(pk=world.case.pk).update(version=stale + 1)
    before_state = snapshot(world.case)
    with pytest.raises(ConcurrentEditError):
        decide(world.case, world.case_worker, "possible", version=stale)
    assert snapshot(world.case) == before_state


# --- timeline and audit -----------------------------------------------------------------


def test_a_decision_writes_one_timeline_line_and_one_audit_row(world: CaseWorld) -> None:
    audit_before = AuditEvent.objects.count()
    decide(world.case, world.case_worker, "possible")
    event = CaseEvent.objects.get(case=world.case, kind=EventKind.CASE_IDENTIFICATION_DECIDED)
    assert event.actor == world.case_worker
    assert event.summary_en == "Identification decision: Possible victim (reasonable grounds)"
    assert AuditEvent.objects.count() == audit_before + 1
    audit = AuditEvent.objects.order_by("-sequence").first()
    assert audit is not None
    assert audit.action == "case.identification_decided"
    assert audit.object_code == world.case.code
    assert audit.details == {"from": "", "to": "possible", "on": "2026-06-01"}


# --- the deadline of the conclusive decision --------------------------------------------


def test_the_conclusive_decision_is_due_ninety_days_after_reasonable_grounds() -> None:
    assert rules.conclusive_decision_due(
        status="possible", decided_on=datetime.date(2026, 3, 1), days=90
    ) == datetime.date(2026, 5, 30)
    for status in ["", "identified", "not_victim", "withdrawn"]:
        assert (
            rules.conclusive_decision_due(
                status=status, decided_on=datetime.date(2026, 3, 1), days=90
            )
            is None
        )


def test_a_possible_victim_becomes_overdue_the_day_after_the_due_date() -> None:
    decided = datetime.date(2026, 3, 1)
    with time_machine.travel(
        datetime.datetime(2026, 5, 30, 21, 0, tzinfo=datetime.UTC), tick=False
    ):
        today = timezone.localdate()
        assert today == datetime.date(2026, 5, 31)  # Cairo is ahead of UTC
        assert rules.is_identification_overdue(
            status="possible", decided_on=decided, days=90, today=today
        )
    with time_machine.travel(
        datetime.datetime(2026, 5, 29, 12, 0, tzinfo=datetime.UTC), tick=False
    ):
        assert not rules.is_identification_overdue(
            status="possible", decided_on=decided, days=90, today=timezone.localdate()
        )
    assert not rules.is_identification_overdue(
        status="identified", decided_on=decided, days=90, today=TODAY
    )


def test_reasonable_grounds_put_the_conclusive_decision_on_the_worklist(world: CaseWorld) -> None:
    decide(world.case, world.case_worker, "possible", decided_on=datetime.date(2026, 3, 10))
    deadline = CaseDeadline.objects.get(
        case=world.case, done_at__isnull=True, kind="identification"
    )
    assert deadline.due_on == datetime.date(2026, 6, 8)
    world.case.refresh_from_db()
    assert world.case.next_due_on is not None
    assert world.case.next_due_on < TODAY
    assert (
        rules.worklist_section(
            next_due_on=world.case.next_due_on,
            risk_rank=world.case.risk_rank,
            new_until=world.case.new_until,
            today=TODAY,
        )
        == rules.Section.OVERDUE
    )


def test_the_conclusive_decision_clears_the_deadline(world: CaseWorld) -> None:
    decide(world.case, world.case_worker, "possible", decided_on=datetime.date(2026, 3, 10))
    decide(world.case, world.supervisor, "identified", decided_on=datetime.date(2026, 6, 10))
    assert not CaseDeadline.objects.filter(
        case=world.case, kind=DeadlineKind.IDENTIFICATION, done_at__isnull=True
    ).exists()
    assert (
        CaseDeadline.objects.filter(case=world.case, kind=DeadlineKind.IDENTIFICATION).count() == 1
    )


def test_the_number_of_days_is_a_setting(world: CaseWorld, settings: Any) -> None:
    settings.HIMAYA_CONCLUSIVE_DECISION_DAYS = 30
    decide(world.case, world.case_worker, "possible", decided_on=datetime.date(2026, 6, 1))
    deadline = CaseDeadline.objects.get(case=world.case, kind=DeadlineKind.IDENTIFICATION)
    assert deadline.due_on == datetime.date(2026, 7, 1)


# --- the case page ----------------------------------------------------------------------


def test_the_case_page_shows_an_overdue_conclusive_decision(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    put_in(world.case, "possible", datetime.date(2026, 3, 1))
    page = login(world.case_worker).get(reverse("cases:detail", args=[world.case.code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="identification-overdue"' in html
    assert 'value="identified"' not in html  # a case worker is not offered the conclusive one


def test_the_case_page_offers_a_supervisor_the_conclusive_decisions(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    put_in(world.case, "possible")
    html = login(world.supervisor).get(reverse("cases:detail", args=[world.case.code])).content
    for status in ["identified", "not_victim", "withdrawn"]:
        assert f'value="{status}"'.encode() in html
    assert b'data-testid="identification-overdue"' not in html


def test_the_case_page_shows_the_screening_outcome_as_the_proposal(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    Case.objects.filter(pk=world.case.pk).update(screening_code="SC-ABCDEFGH")
    registered = list(proposals._outcome_of)
    register_screening_outcome(
        lambda code: "Trafficking indicated" if code == "SC-ABCDEFGH" else None
    )
    try:
        html = login(world.case_worker).get(reverse("cases:detail", args=[world.case.code]))
    finally:
        clear_screening_outcome()
        proposals._outcome_of[:] = registered
    assert "SC-ABCDEFGH</bdi> · Trafficking indicated" in html.content.decode()


def test_a_case_worker_records_reasonable_grounds_on_the_page(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    response = login(world.case_worker).post(
        reverse("cases:identify", args=[world.case.code]), form_data(world.case, "possible")
    )
    assert response.status_code == 302
    assert IdentificationDecision.objects.get(case=world.case).status == "possible"


def test_a_supervisor_records_the_conclusive_decision_on_the_page(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    case = put_in(world.case, "possible")
    response = login(world.supervisor).post(
        reverse("cases:identify", args=[case.code]), form_data(case, "identified")
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.identification_status == "identified"


def test_a_case_worker_posting_a_conclusive_decision_gets_403_and_nothing_changes(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    case = put_in(world.case, "possible")
    before_state = snapshot(case)
    response = login(world.case_worker).post(
        reverse("cases:identify", args=[case.code]), form_data(case, "identified")
    )
    assert response.status_code == 403
    with translation.override("ar"):
        reason = gettext("Only a supervisor of the lead agency may record this decision.")
    assert escape(reason) in response.content.decode()
    assert snapshot(case) == before_state


def test_a_refused_transition_on_the_page_is_409_with_the_reason(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    case = put_in(world.case, "identified")
    before_state = snapshot(case)
    response = login(world.supervisor).post(
        reverse("cases:identify", args=[case.code]), form_data(case, "not_victim")
    )
    assert response.status_code == 409
    with translation.override("ar"):
        assert escape(refusal_of("identified", "not_victim")) in response.content.decode()
    assert snapshot(case) == before_state


@pytest.mark.parametrize(
    ("overrides", "error_for"),
    [
        ({"grounds": ""}, "grounds"),
        ({"decided_on": "2026-06-16"}, "decided_on"),
        ({"decided_on": "soon"}, "decided_on"),
    ],
)
def test_bad_input_on_the_page_is_400_and_changes_nothing(
    world: CaseWorld, login: Callable[[User], Client], overrides: dict[str, str], error_for: str
) -> None:
    before_state = snapshot(world.case)
    response = login(world.case_worker).post(
        reverse("cases:identify", args=[world.case.code]),
        form_data(world.case, "possible", **overrides),
    )
    assert response.status_code == 400
    assert f'data-error-for="{error_for}"' in response.content.decode()
    assert snapshot(world.case) == before_state


def test_a_stale_version_on_the_page_shows_the_conflict_and_changes_nothing(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    stale = world.case.version
    Case.objects.filter(pk=world.case.pk).update(version=stale + 1)
    before_state = snapshot(world.case)
    response = login(world.case_worker).post(
        reverse("cases:identify", args=[world.case.code]),
        form_data(world.case, "possible", version=stale),
    )
    assert response.status_code == 409
    with translation.override("ar"):
        assert escape(str(ConcurrentEditError.message)) in response.content.decode()
    assert f'name="version" value="{stale + 1}"' in response.content.decode()
    assert snapshot(world.case) == before_state


def test_an_outsider_gets_404_on_the_page_and_nothing_changes(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    before_state = snapshot(world.case)
    response = login(world.outsider).post(
        reverse("cases:identify", args=[world.case.code]), form_data(world.case, "possible")
    )
    assert response.status_code == 404
    assert snapshot(world.case) == before_state


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_get_403_on_the_page_and_the_api_and_nothing_changes(
    world: CaseWorld,
    personas: dict[str, User],
    login: Callable[[User], Client],
    role: str,
) -> None:
    before_state = snapshot(world.case)
    client = login(personas[role])
    page = client.post(
        reverse("cases:identify", args=[world.case.code]), form_data(world.case, "possible")
    )
    listing = client.get(reverse("cases:api_identification_list", args=[world.case.code]))
    created = client.post(
        reverse("cases:api_identification_create", args=[world.case.code]),
        form_data(world.case, "possible"),
        content_type="application/json",
    )
    assert (page.status_code, listing.status_code, created.status_code) == (403, 403, 403)
    assert created["Content-Type"] == PROBLEM
    assert snapshot(world.case) == before_state


# --- the API ----------------------------------------------------------------------------


def test_the_api_records_and_lists_the_decisions(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)
    created = client.post(
        reverse("cases:api_identification_create", args=[world.case.code]),
        form_data(world.case, "possible"),
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["status"] == "possible"
    listing = client.get(reverse("cases:api_identification_list", args=[world.case.code]))
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "from_status": "",
        "status": "possible",
        "decided_on": "2026-06-01",
        "deciding_agency": world.agency_a.code,
        "decided_by": world.case_worker.username,
        "grounds": "Indicators of forced labour confirmed in the interview.",
        "screening_code": "",
        "created_at": body["results"][0]["created_at"],
    }


@pytest.mark.parametrize(
    ("who", "before", "status", "answer"),
    [
        ("case_worker", "possible", "identified", 403),
        ("supervisor", "identified", "not_victim", 409),
        ("outsider", "", "possible", 404),
    ],
)
def test_api_refusals_are_problems_and_change_nothing(
    world: CaseWorld,
    login: Callable[[User], Client],
    who: str,
    before: str,
    status: str,
    answer: int,
) -> None:
    case = put_in(world.case, before)
    before_state = snapshot(case)
    response = login(getattr(world, who)).post(
        reverse("cases:api_identification_create", args=[case.code]),
        form_data(case, status),
        content_type="application/json",
    )
    assert response.status_code == answer
    assert response["Content-Type"] == PROBLEM
    assert snapshot(case) == before_state


def test_the_api_hides_the_decisions_of_another_agency(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    response = login(world.outsider).get(
        reverse("cases:api_identification_list", args=[world.case.code])
    )
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


def test_the_api_answers_a_stale_version_with_409(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    stale = world.case.version
    Case.objects.filter(pk=world.case.pk).update(version=stale + 1)
    before_state = snapshot(world.case)
    response = login(world.case_worker).post(
        reverse("cases:api_identification_create", args=[world.case.code]),
        form_data(world.case, "possible", version=stale),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["version"]
    assert snapshot(world.case) == before_state


def test_the_api_names_the_field_of_bad_input(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    before_state = snapshot(world.case)
    response = login(world.case_worker).post(
        reverse("cases:api_identification_create", args=[world.case.code]),
        form_data(world.case, "presumed", grounds=""),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["grounds", "status"]
    assert snapshot(world.case) == before_state


def test_a_decision_recorded_after_the_fact_marks_its_own_day_and_today_to_compute_again(
    world: CaseWorld,
) -> None:
    from himaya.monitoring.models import DirtyDay

    DirtyDay.objects.all().delete()
    decide(world.case, world.case_worker, IdentificationStatus.POSSIBLE)
    assert sorted(DirtyDay.objects.values_list("day", flat=True)) == [
        datetime.date(2026, 6, 1),
        TODAY,
    ]
