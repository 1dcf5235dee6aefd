"""Likely matches at registration, on a generated national dataset.

``generate_national`` fills the database with ``size`` cases, each with its survivor and
the survivor's blocking keys (as registration writes them). A case worker of the agency
holding the most survivors then registers people who are already there, each written
another way: the Latin name of one registered with both, the Arabic name alone of one
registered in Latin too, or the same name with the year of birth one off. For each the
likely matches are looked up as the registration page does before saving
(``duplicates.selectors.likely_matches``: the keyed blocking keys read through their
index, only the candidates sharing a key decrypted and scored).

Printed: the time of one lookup (median, 95th percentile and slowest, in milliseconds),
the survivors sharing a key with each (in any scope: those the worker may see are
decrypted and scored) and the keys skipped as too common (shared by more than
``MAX_BLOCK`` survivors), the share of people whose earlier record was among the
likely matches, and the lookup's cost as a ratio to the exact check that registration
already runs (one blind-index lookup of the whole name and year), timed alternately.
Target: well under a second at 1,000,000 survivors. On PostgreSQL the plan of the key
lookup is printed too.

Run: ``DATABASE_URL=postgres://… .venv/bin/python benchmarks/run.py --only likely_matches
--cases 1000000`` (add ``--as-is`` on a database that already holds a national dataset).
"""

import statistics
import time
from collections.abc import Callable
from random import Random
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from benchmarks import population
from himaya.agencies.models import Agency, Role
from himaya.agencies.permissions import forget_roles
from himaya.cases.models import Case
from himaya.duplicates.selectors import likely_matches
from himaya.monitoring.generate import generate
from himaya.survivors.indexes import name_index, survivor_match_tokens
from himaya.survivors.models import Survivor, SurvivorAccess, SurvivorMatchKey
from himaya.survivors.selectors import MAX_BLOCK, match_candidate_ids, possible_duplicates

Compare = Callable[[str, Callable[[], object], Callable[[], object], int], None]
PROBES = 60


def _busiest_agency() -> Agency:
    top = (
        SurvivorAccess.objects.values("agency_id")
        .annotate(n=Count("id"))
        .order_by("-n", "agency_id")
        .first()
    )
    assert top is not None, "no survivor in the database"
    return Agency.objects.get(pk=top["agency_id"])


def _probes(agency: Agency, rng: Random) -> list[tuple[Survivor, Survivor]]:
    """(registered survivor, the same person as a new registration writes them)."""
    ids = list(
        SurvivorAccess.objects.filter(agency=agency)
        .order_by("survivor_id")
        .values_list("survivor_id", flat=True)[:20_000]
    )
    chosen = rng.sample(ids, min(PROBES, len(ids)))
    probes = []
    for number, survivor in enumerate(Survivor.objects.filter(pk__in=chosen).order_by("pk")):
        kind = number % 3
        if kind == 0 and survivor.name_latin:  # the Latin name alone
            names = {"name_ar": "", "name_latin": survivor.name_latin}
            year = survivor.birth_year
        elif kind == 1:  # the Arabic name alone
            names = {"name_ar": survivor.name_ar, "name_latin": ""}
            year = survivor.birth_year
        else:  # the same names, the year of birth one off
            names = {"name_ar": survivor.name_ar, "name_latin": survivor.name_latin}
            year = (survivor.birth_year or 1990) + 1
        probes.append(
            (
                survivor,
                Survivor(
                    **names,
                    sex=survivor.sex,
                    birth_year=year,
                    nationality=survivor.nationality,
                ),
            )
        )
    return probes


def _block(token: str) -> int:
    """How many survivors share this key (counted up to one more than the cap)."""
    return len(SurvivorMatchKey.objects.filter(key=token).values_list("pk")[: MAX_BLOCK + 1])


def _explain(token: str) -> None:
    if connection.vendor != "postgresql":
        return
    query = SurvivorMatchKey.objects.filter(key=token).values_list("survivor_id", flat=True)[:501]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        print("  plan of one key's lookup:")
        for (line,) in cursor.fetchall():
            print(f"    {line}")


def run(size: int, rounds: int, compare: Compare, compare_cost: Compare) -> None:
    if Case.objects.count() < size:  # a national dataset already there is used as it is
        generate(
            cases=size,
            seed=7,
            years=1,
            until=timezone.localdate(),
            search_tokens=False,
            report=lambda _: None,
        )
    survivors = Survivor.objects.count()
    keys = SurvivorMatchKey.objects.count()
    assert keys, "the survivors have no blocking keys (generate_national --no-match-keys?)"
    agency = _busiest_agency()
    worker = population.person("bench-likely-worker", Role.CASE_WORKER, agency)
    forget_roles(worker)
    probes = _probes(agency, Random(7))
    print(
        f"  ({survivors} survivors, {keys} blocking keys; {len(probes)} people registered "
        f"again by a case worker of an agency with "
        f"{SurvivorAccess.objects.filter(agency=agency).count()} survivors)"
    )

    def lookups() -> list[Any]:
        return [likely_matches(worker, new, []) for _old, new in probes]

    found = lookups()  # warm the caches once
    times, candidates = [], []
    keys_read = keys_skipped = 0
    for _old, new in probes:
        started = time.perf_counter()
        likely_matches(worker, new, [])
        times.append((time.perf_counter() - started) * 1000)
        tokens = survivor_match_tokens(new, [])
        candidates.append(len(match_candidate_ids(tokens)))
        keys_read += len(tokens)
        keys_skipped += sum(1 for token in tokens if _block(token) > MAX_BLOCK)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    recalled = sum(
        1
        for (old, _new), matches in zip(probes, found, strict=True)
        if old.code in matches_codes(matches)
    )
    print(
        f"  one lookup: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"slowest {times[-1]:.1f} ms; survivors sharing a key (in any scope): median "
        f"{statistics.median(candidates):.0f}, most {max(candidates)}; the earlier record "
        f"among the likely matches for {recalled} of {len(probes)}; {keys_skipped} of "
        f"{keys_read} keys skipped, each shared by more than {MAX_BLOCK} survivors"
    )

    def exact_checks() -> None:
        for _old, new in probes:
            possible_duplicates(
                name_indexes={name_index(new.name_ar or ""), name_index(new.name_latin or "")}
                - {""},
                birth_year=new.birth_year,
                document_indexes=set(),
            )

    compare_cost(
        "likely matches vs the exact duplicate check of registration", exact_checks, lookups, rounds
    )
    first = sorted(survivor_match_tokens(probes[0][1], []))[0]
    _explain(first)


def matches_codes(matches: list[Any]) -> set[str]:
    return {match.code for match in matches}
