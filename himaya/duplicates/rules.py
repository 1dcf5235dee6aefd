"""Pure rules of duplicate detection over many records (no database).

The name keys, comparison levels and Fellegi–Sunter weights are in ``survivors.rules``;
this module pairs records by shared blocking keys and scores the pairs, for the whole
registry, an external list or the benchmark alike.
"""

import zlib
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from himaya.survivors import rules as survivor_rules
from himaya.survivors.rules import MatchRecord, MatchWeights

Id = TypeVar("Id", bound=Hashable)

# A key shared by more records than this is skipped (see ``survivors.selectors``).
MAX_BLOCK = 500


def blocked_pairs(
    keys: Mapping[Id, Iterable[str]], *, max_block: int = MAX_BLOCK
) -> set[tuple[Id, Id]]:
    """Every pair of records sharing at least one key, each pair once (smaller first);
    keys held by more than ``max_block`` records are skipped."""
    blocks: dict[str, list[Id]] = defaultdict(list)
    for record_id, record_keys in keys.items():
        for key in set(record_keys):
            blocks[key].append(record_id)
    pairs: set[tuple[Id, Id]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > max_block:
            continue
        ordered = sorted(members)  # type: ignore[type-var]
        for first in range(len(ordered)):
            for second in range(first + 1, len(ordered)):
                pairs.add((ordered[first], ordered[second]))
    return pairs


@dataclass(frozen=True)
class ScoredPair:
    first: Hashable
    second: Hashable
    score: float
    levels: dict[str, str | None]


def score_pairs(
    pairs: Iterable[tuple[Id, Id]],
    records: Mapping[Id, MatchRecord],
    *,
    weights: MatchWeights,
    threshold: float,
    progress: Callable[[int], object] | None = None,
) -> list[ScoredPair]:
    """The pairs scoring at or above ``threshold``, best first."""
    found: list[ScoredPair] = []
    for number, (first, second) in enumerate(pairs, start=1):
        levels = survivor_rules.comparison_levels(records[first], records[second])
        score = survivor_rules.match_score(levels, weights)
        if score >= threshold:
            found.append(ScoredPair(first=first, second=second, score=score, levels=levels))
        if progress is not None and number % 1000 == 0:
            progress(1000)
    found.sort(key=lambda pair: -pair.score)
    return found


def estimate_from_pairs(
    pairs: Iterable[tuple[Id, Id]],
    records: Mapping[Id, MatchRecord],
    *,
    sample: int = 20000,
) -> MatchWeights:
    """Fellegi–Sunter weights estimated by EM (``survivors.rules.estimate_weights``) on
    the levels of at most ``sample`` of the blocked pairs (taken in a fixed order)."""
    chosen = sorted(pairs, key=lambda pair: zlib.crc32(repr(pair).encode()))[:sample]
    levels = [survivor_rules.comparison_levels(records[a], records[b]) for a, b in chosen]
    return survivor_rules.estimate_weights(levels)


def find_pairs(
    records: Mapping[Id, MatchRecord],
    keys: Mapping[Id, Iterable[str]],
    *,
    threshold: float,
    weights: MatchWeights | None = None,
    estimate: bool = True,
) -> tuple[list[ScoredPair], MatchWeights, int]:
    """Block, estimate the weights (unless given), score: the pairs at or above the
    threshold, the weights used and how many pairs blocking compared."""
    pairs = blocked_pairs(keys)
    if weights is None:
        weights = (
            estimate_from_pairs(pairs, records) if estimate else survivor_rules.DEFAULT_WEIGHTS
        )
    return score_pairs(pairs, records, weights=weights, threshold=threshold), weights, len(pairs)


# What a reviewer reads for each level of each attribute.
LEVEL_LABELS = {
    ("name", "exact"): "names_same",
    ("name", "subset"): "names_part_missing",
    ("name", "close"): "names_close",
    ("name", "similar"): "names_similar",
    ("name", "different"): "names_different",
    ("birth", "same_date"): "birth_same_date",
    ("birth", "same_year"): "birth_same_year",
    ("birth", "within_3_years"): "birth_close",
    ("birth", "different"): "birth_different",
    ("sex", "same"): "sex_same",
    ("sex", "different"): "sex_different",
    ("nationality", "same"): "nationality_same",
    ("nationality", "different"): "nationality_different",
    ("document", "same"): "document_same",
    ("document", "different"): "document_different",
    ("phone", "same"): "phone_same",
    ("phone", "different"): "phone_different",
}


def reasons(levels: dict[str, str | None], weights: MatchWeights) -> list[dict[str, object]]:
    """The reasons for a score as stored with a pair: a short code and its weight."""
    return [
        {"reason": LEVEL_LABELS.get((attribute, level), attribute), "weight": weight}
        for attribute, level, weight in survivor_rules.score_reasons(levels, weights)
    ]
