"""The case list and the work queue stay flat as the cases in scope grow.

``selectors.case_list`` (first page of 25, as the list page shows it) and
``selectors.my_open_cases`` (the work queue) are timed for a case worker of an agency
with few cases (the baseline) and one of an agency with many (the candidate): a cost
close to 1x means the page does not grow with the table. Both need the same number of
queries. Then the scoped list is set against the naive way: load every case in the
country, keep the ones in the user's scope, sort and cut the page in Python.
"""

from collections.abc import Callable
from random import Random
from typing import Any

from django.db import connection
from django.db.models import prefetch_related_objects
from django.test.utils import CaptureQueriesContext

from benchmarks import population
from himaya.accounts.models import User
from himaya.agencies.models import Governorate, Role
from himaya.agencies.permissions import forget_roles
from himaya.agencies.selectors import agency_ids_for
from himaya.cases.models import Case, ExploitationForm, Phase
from himaya.cases.selectors import CASE_LIST_ORDER, case_list, my_open_cases
from himaya.core.keyset import keyset_page

Compare = Callable[[str, Callable[[], object], Callable[[], object], int], None]
PAGE = 25  # as the case list page
OWN_OPEN = 30  # the benchmarked worker's own open cases, the same in both agencies
OWN_CLOSED = 10


def _agency_with_cases(name: str, count: int, rng: Random) -> User:
    """An agency leading ``count`` cases; the worker returned holds 40 of them."""
    agency = population.agency(name)
    worker = population.person(f"bench-{name}-worker", Role.CASE_WORKER, agency)
    colleagues = [
        population.person(f"bench-{name}-colleague-{n}", Role.CASE_WORKER, agency)
        for n in range(max(1, count // 40))
    ]
    population.person(f"bench-{name}-supervisor", Role.SUPERVISOR, agency)
    governorates = list(Governorate.objects.all())
    people = population.survivors(count, agency=agency, by=worker, rng=rng)
    own = OWN_OPEN + OWN_CLOSED
    made = population.cases(
        people[:OWN_OPEN], lead=agency, workers=[worker], rng=rng, governorates=governorates
    )
    closed = population.cases(
        people[OWN_OPEN:own],
        lead=agency,
        workers=[worker],
        rng=rng,
        phases=[Phase.CLOSED],
        governorates=governorates,
    )
    others = population.cases(
        people[own:],
        lead=agency,
        workers=colleagues,
        rng=rng,
        phases=[*Phase.values[:-1], Phase.CLOSED],
        governorates=governorates,
    )
    forms = list(ExploitationForm.objects.all())
    link = Case.exploitation_forms.through
    link.objects.bulk_create(
        [
            link(case_id=case.pk, exploitationform_id=form.pk)
            for case in made + closed + others
            for form in rng.sample(forms, rng.randint(1, 2))
        ],
        batch_size=population.BATCH,
    )
    return worker


def _row(case: Case) -> tuple[Any, ...]:
    """What the list shows of a case (touching every related record it loads)."""
    return (
        case.code,
        case.phase,
        case.first_contact_on,
        case.survivor.code,
        case.lead_agency.code,
        case.case_worker.username,
        case.governorate_of_exploitation.code if case.governorate_of_exploitation else "",
        tuple(sorted(form.code for form in case.exploitation_forms.all())),
    )


def first_page(user: User) -> tuple[bool, list[tuple[Any, ...]]]:
    """The first page of the case list, as the list page asks for it (never counted)."""
    forget_roles(user)  # a request loads the user afresh
    page = keyset_page(case_list(user), ordering=CASE_LIST_ORDER, size=PAGE)
    return page.next is not None, [_row(case) for case in page]


def queue(user: User) -> list[tuple[Any, ...]]:
    forget_roles(user)
    return [
        (case.code, case.lead_agency.code, case.governorate_of_exploitation_id)
        for case in my_open_cases(user)
    ]


def naive_first_page(user: User) -> tuple[bool, list[tuple[Any, ...]]]:
    """Every case of the country loaded, the scope checked per case, sorted in Python."""
    forget_roles(user)
    if not user.has_perm("cases.work_cases"):
        return False, []
    agencies = agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    everything = Case.objects.select_related(
        "survivor", "lead_agency", "case_worker", "governorate_of_exploitation"
    )
    visible = [case for case in everything if case.lead_agency_id in agencies]
    visible.sort(key=lambda case: (case.first_contact_on, case.code), reverse=True)
    page = visible[:PAGE]
    prefetch_related_objects(page, "exploitation_forms")
    return len(visible) > PAGE, [_row(case) for case in page]


def _queries(function: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def run(size: int, rounds: int, compare: Compare, compare_cost: Compare, *, few: int = 200) -> None:
    assert few >= OWN_OPEN + OWN_CLOSED, f"each agency needs {OWN_OPEN + OWN_CLOSED} cases or more"
    rng = Random(20261128)
    small = _agency_with_cases("small", few, rng)
    large = _agency_with_cases("large", size, rng)
    total = Case.objects.count()

    small_page, large_page = first_page(small), first_page(large)
    assert small_page[0] and large_page[0]  # another page follows in both
    assert len(small_page[1]) == len(large_page[1]) == PAGE
    assert naive_first_page(small) == small_page and naive_first_page(large) == large_page
    small_queue, large_queue = queue(small), queue(large)
    assert len(small_queue) == len(large_queue) == OWN_OPEN
    list_queries = (_queries(lambda: first_page(small)), _queries(lambda: first_page(large)))
    queue_queries = (_queries(lambda: queue(small)), _queries(lambda: queue(large)))
    naive_queries = _queries(lambda: naive_first_page(small))
    assert list_queries[0] == list_queries[1] and queue_queries[0] == queue_queries[1]
    print(
        f"  ({total} cases in all; queries for {few} vs {size} cases in scope: "
        f"first page {list_queries[0]} vs {list_queries[1]}, "
        f"work queue {queue_queries[0]} vs {queue_queries[1]}; naive page {naive_queries})"
    )

    compare_cost(
        f"case list, first page of {PAGE}: {size} cases in scope vs {few}",
        lambda: first_page(small),
        lambda: first_page(large),
        rounds,
    )
    compare_cost(
        f"work queue ({OWN_OPEN} own open cases): {size} cases in the agency vs {few}",
        lambda: queue(small),
        lambda: queue(large),
        rounds,
    )
    compare(
        f"case list, first page, {few} of {total} cases in scope: "
        "scoped selector vs loading every case and checking scope in Python",
        lambda: naive_first_page(small),
        lambda: first_page(small),
        rounds,
    )
    compare(
        f"case list, first page, {size} of {total} cases in scope: "
        "scoped selector vs loading every case and checking scope in Python",
        lambda: naive_first_page(large),
        lambda: first_page(large),
        rounds,
    )
