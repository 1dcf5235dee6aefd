"""The worklist stays flat as the cases in scope grow.

``selectors.worklist_page`` (the first page of 25, most urgent first, as the worklist page
shows it; then by risk) is timed for a supervisor of an agency with few cases (the
baseline) and of one with many (the candidate), the agency's whole worklist in scope: a
cost close to 1x means the page does not grow with the table. Both need the same number
of queries. Then the page is set against the naive way: load every open case in scope,
put each in its section in Python, sort and cut the page.
"""

from collections.abc import Callable
from datetime import date, timedelta
from random import Random
from typing import Any

from django.db import connection
from django.db.models.functions import Mod
from django.test.utils import CaptureQueriesContext

from benchmarks import population
from himaya.accounts.models import User
from himaya.agencies.models import Governorate, Role
from himaya.agencies.permissions import forget_roles
from himaya.cases import rules
from himaya.cases.models import Case, DeadlineKind, Phase
from himaya.cases.selectors import WORKLIST_PAGE, worklist_cases, worklist_page

Compare = Callable[[str, Callable[[], object], Callable[[], object], int], None]
TODAY = date(2026, 6, 15)
LEVELS = ["", "low", "medium", "high", "critical"]
KINDS = [DeadlineKind.RISK_REVIEW, DeadlineKind.CARE_PLAN, DeadlineKind.REFERRAL_ANSWER]
GROUPS = 60  # the cases are spread over this many combinations of due date and risk
NEW_CASES = 30  # new this week: the intake of a week, whatever the size of the agency


def _fill_worklist(agency_id: int) -> None:
    """Worklist columns for the agency's open cases, spread by id: some overdue, some at
    high risk, a week's intake new, most due later (as ``refresh_worklist`` leaves them)."""
    open_cases = (
        Case.objects.filter(lead_agency_id=agency_id)
        .exclude(phase=Phase.CLOSED)
        .alias(group=Mod("id", GROUPS))
    )
    for group in range(GROUPS):
        level = LEVELS[group % len(LEVELS)]
        open_cases.filter(group=group).update(
            next_action=KINDS[group % len(KINDS)],
            next_due_on=TODAY + timedelta(days=group * 3 - 20),
            risk_level=level,
            risk_rank=rules.RISK_RANKS[level],
        )
    newest = open_cases.order_by("-id").values_list("pk", flat=True)[:NEW_CASES]
    Case.objects.filter(pk__in=list(newest)).update(new_until=TODAY + timedelta(days=3))


def _agency(name: str, count: int, rng: Random) -> User:
    """An agency leading ``count`` cases; its supervisor is returned."""
    agency = population.agency(name)
    workers = [
        population.person(f"bench-wl-{name}-worker-{n}", Role.CASE_WORKER, agency)
        for n in range(max(1, count // 40))
    ]
    supervisor = population.person(f"bench-wl-{name}-supervisor", Role.SUPERVISOR, agency)
    people = population.survivors(count, agency=agency, by=workers[0], rng=rng)
    population.cases(
        people,
        lead=agency,
        workers=workers,
        rng=rng,
        phases=[*Phase.values[:-1], Phase.CLOSED],
        governorates=list(Governorate.objects.all()),
    )
    _fill_worklist(agency.pk)
    return supervisor


def _row(row: Any) -> tuple[Any, ...]:
    return (
        row.case.code,
        int(row.section),
        row.first_name,
        row.case.phase,
        row.case.risk_level,
        row.case.next_action,
        row.case.next_due_on,
        row.is_child,
        row.is_foreign,
    )


def first_page(user: User, sort: str = "urgency") -> list[tuple[Any, ...]]:
    forget_roles(user)  # a request loads the user afresh
    page = worklist_page(user, scope="agency", sort=sort, today=TODAY)
    return [_row(row) for row in page.rows]


def naive_first_page(user: User) -> list[tuple[Any, ...]]:
    """Every open case in scope loaded and decrypted, sectioned and sorted in Python."""
    forget_roles(user)
    cases = list(worklist_cases(user, scope="agency").select_related("survivor"))

    def key(case: Case) -> tuple[Any, ...]:
        section = rules.worklist_section(
            next_due_on=case.next_due_on,
            risk_rank=case.risk_rank,
            new_until=case.new_until,
            today=TODAY,
        )
        rank = -case.risk_rank if section == rules.Section.HIGH_RISK else 0
        return (section, rank, case.next_due_on, case.pk)

    cases.sort(key=key)
    page = worklist_page(user, scope="agency", today=TODAY)  # the same rows, as the page shows them
    assert [row.case.pk for row in page.rows] == [case.pk for case in cases[:WORKLIST_PAGE]]
    return [_row(row) for row in page.rows]


def _queries(function: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def run(size: int, rounds: int, compare: Compare, compare_cost: Compare, *, few: int = 200) -> None:
    rng = Random(20261129)
    small = _agency("small", few, rng)
    large = _agency("large", size, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case")
    total = Case.objects.count()

    small_page, large_page = first_page(small), first_page(large)
    assert len(small_page) == len(large_page) == WORKLIST_PAGE
    assert naive_first_page(small) == small_page
    queries = (_queries(lambda: first_page(small)), _queries(lambda: first_page(large)))
    assert queries[0] == queries[1]
    print(
        f"  ({total} cases in all; queries for the first page, {few} vs {size} cases in the "
        f"agency: {queries[0]} vs {queries[1]})"
    )
    compare_cost(
        f"worklist, first page of {WORKLIST_PAGE} by urgency: {size} cases in the agency vs {few}",
        lambda: first_page(small),
        lambda: first_page(large),
        rounds,
    )
    compare_cost(
        f"worklist, first page of {WORKLIST_PAGE} by risk: {size} cases in the agency vs {few}",
        lambda: first_page(small, "risk"),
        lambda: first_page(large, "risk"),
        rounds,
    )
    compare(
        f"worklist, first page, {size} cases in the agency: "
        "indexed sections vs loading every open case and sorting in Python",
        lambda: naive_first_page(large),
        lambda: first_page(large),
        max(1, rounds // 2),
    )
