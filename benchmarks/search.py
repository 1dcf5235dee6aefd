"""Search that finds people, and the survivors list, at national scale.

One agency holds ``size`` survivors with names in both scripts, phones, addresses and
family contacts (every identity column encrypted, as registration writes it), their
access rows and their search tokens. Timed against baselines of the same run:

- the new search (a variant spelling, a beginning of a name, a phone number in Arabic
  digits, the end of a code) against the exact blind-index lookup of the full name, both
  within the user's scope and cut to a page: the ratio is what finding people costs over
  finding an exact string;
- the first page of the list (keyset, through the access rows) against the former way:
  the scope as a disjunction of EXISTS over the cases, counted, then a page.

On PostgreSQL the plans of the list page and of a search are printed too
(``EXPLAIN (ANALYZE, BUFFERS)``).
"""

from collections.abc import Callable
from random import Random
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from benchmarks import population
from himaya.agencies.models import Role
from himaya.agencies.permissions import forget_roles
from himaya.agencies.selectors import agency_ids_for
from himaya.survivors.indexes import name_index, rebuild_search_tokens
from himaya.survivors.models import Survivor, SurvivorSearchToken
from himaya.survivors.selectors import search_survivors, survivor_page, survivors_visible_to

Compare = Callable[[str, Callable[[], object], Callable[[], object], int], None]
PAGE = 25

GIVEN = [
    ("فاطمة", "Fatma"), ("مريم", "Mariam"), ("سلمى", "Salma"), ("هدى", "Hoda"),
    ("نور", "Nour"), ("آمنة", "Amna"), ("زينب", "Zeinab"), ("خديجة", "Khadiga"),
    ("منى", "Mona"), ("أمينة", "Amina"), ("محمد", "Mohamed"), ("أحمد", "Ahmed"),
    ("محمود", "Mahmoud"), ("مصطفى", "Mostafa"), ("يوسف", "Youssef"), ("عمر", "Omar"),
    ("خالد", "Khaled"), ("إبراهيم", "Ibrahim"), ("حسن", "Hassan"), ("علي", "Ali"),
]  # fmt: skip
FAMILY = [
    *GIVEN[10:],
    ("عبد الله", "Abdallah"), ("عبد الرحمن", "Abdelrahman"), ("السيد", "El Sayed"),
    ("عثمان", "Othman"), ("سعيد", "Saeed"), ("شحاتة", "Shehata"), ("فتحي", "Fathy"),
    ("جمال", "Gamal"), ("سالم", "Salem"), ("حسين", "Hussein"),
]  # fmt: skip
# The survivor searched for: a name no one else in the population bears.
TARGET = ("شهرزاد عبد الرحمن الجمال", "Shahrazad Abdelrahman El Gammal", "+20 100 765 4321")


def _named_survivors(count: int, *, agency: Any, by: Any, rng: Random) -> list[Survivor]:
    rows = []
    for _n in range(count):
        born = f"{rng.randint(1970, 2015)}-0{rng.randint(1, 9)}-1{rng.randint(0, 8)}"
        phone = f"+20 1{rng.randint(0, 2)}{rng.randint(10, 99)} {rng.randint(10**6, 10**7 - 1)}"
        parts = [rng.choice(GIVEN), rng.choice(FAMILY), rng.choice(FAMILY)]
        name_ar = " ".join(arabic for arabic, _latin in parts)
        name_latin = " ".join(latin for _arabic, latin in parts)
        rows.append(
            Survivor(
                name_ar=name_ar,
                name_latin=name_latin,
                name_ar_index=name_index(name_ar),
                name_latin_index=name_index(name_latin),
                aliases="",
                date_of_birth=born,
                phone=phone,
                address=f"{rng.randint(1, 200)} شارع {rng.choice(FAMILY)[0]}، القاهرة",
                family_contact=f"الأم: +20 11 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                sex=rng.choice(["female", "female", "male"]),
                birth_year=rng.randint(1970, 2015),
                registered_by_agency=agency,
                registered_by=by,
            )
        )
    return Survivor.objects.bulk_create(population.coded(rows), batch_size=population.BATCH)


def _build(size: int, rng: Random) -> tuple[Any, Survivor]:
    agency = population.agency("Search directorate")
    worker = population.person("bench-search-worker", Role.CASE_WORKER, agency)
    made = _named_survivors(size - 1, agency=agency, by=worker, rng=rng)
    target = Survivor(
        name_ar=TARGET[0],
        name_latin=TARGET[1],
        name_ar_index=name_index(TARGET[0]),
        name_latin_index=name_index(TARGET[1]),
        phone=TARGET[2],
        birth_year=1999,
        registered_by_agency=agency,
        registered_by=worker,
    )
    target = Survivor.objects.bulk_create(population.coded([target]))[0]
    # Half of the survivors have a case led by the agency, the others are registrations.
    population.access([*made, target])
    population.cases(made[: len(made) // 2], lead=agency, workers=[worker], rng=rng)
    rebuild_search_tokens(Survivor, SurvivorSearchToken)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in ("survivor", "survivoraccess", "survivorsearchtoken"):
                cursor.execute(f"ANALYZE survivors_{model}")
            cursor.execute("ANALYZE cases_case")
    return worker, target


def _former_scope(user: Any) -> QuerySet[Survivor]:
    """The scope as it was read before the access rows: EXISTS over the cases, or-ed."""
    agencies = agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    has_case = Exists(Survivor.objects.filter(pk=OuterRef("pk"), cases__isnull=False))
    in_case = Exists(Survivor.objects.filter(pk=OuterRef("pk"), cases__lead_agency_id__in=agencies))
    return Survivor.objects.filter(in_case | (Q(registered_by_agency_id__in=agencies) & ~has_case))


def _clear(rows: list[Survivor]) -> list[str]:
    return [survivor.code for survivor in rows]


def run(size: int, rounds: int, compare: Compare, compare_cost: Compare) -> None:
    rng = Random(20261129)
    user, target = _build(size, rng)

    def exact() -> list[str]:
        """The exact blind-index lookup of the full name, within scope, one page."""
        forget_roles(user)
        index = name_index(TARGET[0])
        found = survivors_visible_to(user).filter(
            Q(name_ar_index=index) | Q(name_latin_index=index)
        )
        return _clear(survivor_page(found, size=PAGE).rows)

    def searched(typed: str) -> Callable[[], list[str]]:
        def search() -> list[str]:
            forget_roles(user)
            return _clear(survivor_page(search_survivors(user, typed), size=PAGE).rows)

        return search

    assert exact() == [target.code]
    body = target.code[3:].replace("-", "")
    for label, typed in [
        ("a variant spelling in Latin script", "Shahrazad Abdulrahman"),
        ("a beginning of two words", "شهرز الجم"),
        ("a phone number in Arabic digits", "٠١٠٠٧٦٥٤٣٢١"),
        ("the end of the code", body[-5:]),
    ]:
        candidate = searched(typed)
        assert candidate() == [target.code], (typed, candidate())
        compare_cost(
            f"search by {label} among {size} survivors vs the exact blind-index lookup",
            exact,
            candidate,
            rounds,
        )
    common = searched("Fatima Mohamed")
    assert common()
    compare_cost(
        f"search by a common name (many matches) among {size} survivors "
        "vs the exact blind-index lookup",
        exact,
        common,
        rounds,
    )

    def former_page() -> tuple[int, list[str]]:
        forget_roles(user)
        page = Paginator(_former_scope(user).order_by("-id"), PAGE).get_page(1)
        return page.paginator.count, _clear(list(page))

    def keyset_page() -> list[str]:
        forget_roles(user)
        return _clear(survivor_page(survivors_visible_to(user), size=PAGE).rows)

    assert former_page()[1] == keyset_page()
    compare(
        f"first page of the survivors list at {size} in scope: keyset on the access rows "
        "vs counted EXISTS scope",
        former_page,
        keyset_page,
        rounds,
    )
    if connection.vendor == "postgresql":
        _explain(user, "list, first page", survivors_visible_to(user))
        _explain(
            user, "search 'Shahrazad Abdulrahman'", search_survivors(user, "Shahrazad Abdulrahman")
        )
        _explain(user, "search 'Fatima Mohamed'", search_survivors(user, "Fatima Mohamed"))
        _explain(user, "search '٠١٠٠٧٦٥٤٣٢١'", search_survivors(user, "٠١٠٠٧٦٥٤٣٢١"))


def _explain(user: Any, label: str, queryset: QuerySet[Survivor]) -> None:
    from himaya.survivors.selectors import survivor_list

    forget_roles(user)
    print(f"  EXPLAIN (ANALYZE, BUFFERS) {label}:")
    plan = survivor_list(queryset)[: PAGE + 1].explain(analyze=True, buffers=True)
    for line in plan.splitlines():
        print(f"    {line}")
