"""Benchmarks of the foundation, printed as ratios against a baseline of the same run.

The machine is shared and noisy, so no absolute time is asserted anywhere: each benchmark
times a baseline and a candidate alternately, several rounds, and prints the median ratio.

    .venv/bin/python benchmarks/run.py [--survivors N] [--rounds R]
"""

import argparse
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
os.environ.setdefault("SECRET_KEY", "benchmark-secret-key")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--survivors", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from benchmarks import foundation

        foundation.run(args.survivors, args.rounds, compare, compare_cost)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
