"""Benchmarks of the foundation and the domain, printed as ratios against a baseline of the
same run.

The machine is shared and noisy, so no absolute time is asserted anywhere: each benchmark
times a baseline and a candidate alternately, several rounds, and prints the median ratio.
Every benchmark first asserts that its baseline and its candidate give the same answer.
Each module runs in a transaction rolled back at its end, so that none sees another's data.

    .venv/bin/python benchmarks/run.py [--rounds R] [--only shelters,fund]
        [--survivors N] [--shelters N] [--beds N] [--budget-lines N] [--movements N]
        [--cases N] [--few-cases N] [--search-survivors N] [--indicator-days D] [--as-is]

With ``--as-is`` the modules run in the database of ``DATABASE_URL`` itself, still inside a
transaction rolled back at the end; a module that finds its data already there (the control
centre's, on a national dataset made by ``manage.py generate_national``) uses it as it is.
"""

import argparse
import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaya.settings")
os.environ.setdefault("HIMAYA_ENV", "test")
os.environ.setdefault("HIMAYA_SKIP_DOTENV", "1")
os.environ.setdefault("HIMAYA_FIELD_KEYS", "Jm8nN0Zw7rY0qW1l0c9dQ2s6vZ3xK4b5n6m7a8s9d0E=")
os.environ.setdefault("HIMAYA_BLIND_INDEX_KEY", "benchmark-blind-index-key")
os.environ.setdefault("HIMAYA_AUDIT_KEY", "benchmark-audit-key")
os.environ.setdefault("SECRET_KEY", "benchmark-secret-key")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def compare(
    name: str, baseline: Callable[[], object], candidate: Callable[[], object], rounds: int
) -> None:
    ratios = []
    for _ in range(rounds):
        base, cand = timed(baseline), timed(candidate)
        ratios.append(base / cand if cand else float("inf"))
    print(
        f"{name}: candidate is {statistics.median(ratios):.1f}x faster than baseline "
        f"(median of {rounds} rounds, min {min(ratios):.1f}x, max {max(ratios):.1f}x)"
    )


def compare_cost(
    name: str, baseline: Callable[[], object], candidate: Callable[[], object], rounds: int
) -> None:
    ratios = []
    for _ in range(rounds):
        base, cand = timed(baseline), timed(candidate)
        ratios.append(cand / base if base else float("inf"))
    print(
        f"{name}: candidate costs {statistics.median(ratios):.2f}x the baseline "
        f"(median of {rounds} rounds)"
    )


class Rollback(Exception):
    """Raised at the end of a module to undo the data it built."""


# Each module: its main size (an option of this script) and further options passed by name.
MODULES: dict[str, tuple[str, dict[str, str]]] = {
    "foundation": ("survivors", {}),
    "shelters": ("shelters", {"beds": "beds"}),
    "fund": ("movements", {"lines": "budget_lines"}),
    "cases": ("cases", {"few": "few_cases"}),
    "worklist": ("cases", {"few": "few_cases"}),
    "search": ("search_survivors", {}),
    "indicators": ("cases", {"days": "indicator_days"}),
    "operations": ("cases", {}),
    "exchange": ("cases", {}),
    "likely_matches": ("cases", {}),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated modules to run, among: {', '.join(MODULES)} (default: all)",
    )
    parser.add_argument("--survivors", type=int, default=2000)
    parser.add_argument("--shelters", type=int, default=200)
    parser.add_argument("--beds", type=int, default=10_000)
    parser.add_argument("--budget-lines", type=int, default=50)
    parser.add_argument("--movements", type=int, default=20_000)
    parser.add_argument("--cases", type=int, default=5000, help="cases in the larger scope")
    parser.add_argument("--few-cases", type=int, default=200, help="cases in the smaller scope")
    parser.add_argument(
        "--search-survivors", type=int, default=100_000, help="survivors searched among"
    )
    parser.add_argument(
        "--indicator-days", type=int, default=30, help="days of indicators computed at once"
    )
    parser.add_argument(
        "--as-is",
        action="store_true",
        help=(
            "run in the database of DATABASE_URL as it stands (no test database; a module "
            "whose data is already there, such as a national dataset made by "
            "generate_national, does not build it again); every change is still rolled back"
        ),
    )
    args = parser.parse_args()
    names = [name.strip() for name in args.only.split(",") if name.strip()] or list(MODULES)
    unknown = sorted(set(names) - set(MODULES))
    if unknown:
        parser.error(f"unknown module(s): {', '.join(unknown)}; choose among {', '.join(MODULES)}")

    setup_test_environment()
    old_name = None if args.as_is else connection.creation.create_test_db(verbosity=0)
    try:
        for name in names:
            module = importlib.import_module(f"benchmarks.{name}")
            size, options = MODULES[name]
            extra = {key: getattr(args, option) for key, option in options.items()}
            print(f"[{name}]", flush=True)
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    module.run(getattr(args, size), args.rounds, compare, compare_cost, **extra)
                    raise Rollback
            except Rollback:
                pass
            print(f"  ({name} took {time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
