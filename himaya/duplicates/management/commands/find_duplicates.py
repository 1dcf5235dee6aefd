"""Score the whole registry for duplicates, or an external list given as CSV.

``manage.py find_duplicates``: blocking keys, weights estimated by EM, pairs at or above
the review threshold kept for review (with a progress bar).

``manage.py find_duplicates --input FILE.csv --output PAIRS.csv``: the columns
``id,name,birth_year,sex,nationality`` (names in either script, empty cells allowed);
writes ``id_a,id_b,score`` for the pairs at or above the review threshold, and touches
no table.
"""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from himaya.duplicates import rules
from himaya.survivors import rules as survivor_rules


def read_records(
    path: Path,
) -> tuple[dict[str, survivor_rules.MatchRecord], dict[str, set[str]]]:
    """The records and blocking keys of an external list (id, name, birth_year, sex,
    nationality)."""
    records: dict[str, survivor_rules.MatchRecord] = {}
    keys: dict[str, set[str]] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"id", "name"} - set(reader.fieldnames or [])
        if missing:
            raise CommandError(f"Missing columns: {', '.join(sorted(missing))}")
        for row in reader:
            record_id = (row.get("id") or "").strip()
            if not record_id:
                continue
            raw_year = (row.get("birth_year") or "").strip()
            year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() else None
            if year is not None and not 1800 <= year <= 2200:
                year = None
            name = row.get("name") or ""
            records[record_id] = survivor_rules.match_record(
                names=[name],
                birth_year=year,
                sex=(row.get("sex") or "").strip().lower(),
                nationality=(row.get("nationality") or "").strip(),
            )
            keys[record_id] = survivor_rules.match_keys(
                names=[name], birth_year=year, document_numbers=[], phones=""
            )
    return records, keys


class Command(BaseCommand):
    help = "Find likely duplicate survivors in the registry, or in a CSV list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", type=Path, help="CSV: id,name,birth_year,sex,nationality")
        parser.add_argument("--output", type=Path, help="CSV written: id_a,id_b,score")
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="Review threshold (by default the one set by an administrator)",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["input"] is not None:
            self._external(options)
            return
        if options["output"] is not None:
            raise CommandError("--output goes with --input.")
        from himaya.duplicates.actions import find_duplicates

        bar = tqdm(disable=options["no_progress"], unit="survivors", desc="find_duplicates")

        def total(count: int) -> None:
            bar.total = count
            bar.refresh()

        counts = find_duplicates(progress=bar.update, total=total)
        bar.close()
        self.stdout.write(
            f"compared {counts['compared']} pairs, {counts['found']} at or above the review "
            f"threshold ({counts['new']} new), {counts['merged']} merged automatically"
        )

    def _external(self, options: dict[str, Any]) -> None:
        source: Path = options["input"]
        target: Path | None = options["output"]
        if target is None:
            raise CommandError("--input needs --output.")
        if not source.is_file():
            raise CommandError(f"No such file: {source}")
        threshold = options["threshold"]
        if threshold is None:
            threshold = survivor_rules.REVIEW_THRESHOLD
        records, keys = read_records(source)
        pairs = rules.blocked_pairs(keys)
        weights = rules.estimate_from_pairs(pairs, records) if pairs else None
        bar = tqdm(total=len(pairs), disable=options["no_progress"], unit="pairs", desc="scoring")
        found = rules.score_pairs(
            pairs,
            records,
            weights=weights or rules.DEFAULT_WEIGHTS,
            threshold=threshold,
            progress=bar.update,
        )
        bar.close()
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id_a", "id_b", "score"])
            for pair in found:
                writer.writerow([pair.first, pair.second, f"{pair.score:.4f}"])
        self.stdout.write(
            f"{len(records)} records, {len(pairs)} pairs compared, {len(found)} written"
        )
