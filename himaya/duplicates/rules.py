"""Pure rules of duplicate detection (no database): comparison levels, Fellegi–Sunter
weights with term-frequency adjustment, estimation by EM, and scoring of many pairs.

The name keys and blocking keys are in ``survivors.rules`` (the survivors actions write
the keys); this module pairs records sharing a key and scores the pairs, for the whole
registry, one unsaved registration, an external list or the benchmark alike: one code
path, vectorised over the pairs with numpy. Each record's features (name parts as
integer ids, year, date, sex, nationality, numbers) are computed once; each batch of
pairs is compared as arrays; string similarity is computed once per distinct pair of
name parts (rapidfuzz), never once per pair of records.
"""

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from rapidfuzz.distance import OSA, JaroWinkler

from himaya.survivors.rules import MatchRecord, name_key

Id = TypeVar("Id", bound=Hashable)

# A key shared by more records than this is skipped (see ``survivors.selectors``).
MAX_BLOCK = 500
# At most this many parts of a name are compared (the rest are ignored).
MAX_PARTS = 6
# Two different name parts are "close" from this Jaro–Winkler similarity of their keys on.
CLOSE_PART = 0.85
# Two values of another attribute (an address line) are "close" from this similarity on.
CLOSE_TEXT = 0.88
# Pairs compared at a time (memory stays flat at any registry size).
BATCH = 100_000

# Agreement levels of each attribute, strongest first; ``None`` when either side lacks it.
NAME_LEVELS = (
    "exact",  # the same parts in the same order (either script)
    "swapped",  # the same parts in another order
    "part_missing",  # one name is the other less an inner part, order kept
    "subset",  # the parts of one name (two at least) are all in the other
    "one_close",  # as many parts, all the same but one, that one close (a typo)
    "close_part_missing",  # a part left out and another close
    "one_different",  # all the parts of the shorter name but one are in the other
    "different",
)
BIRTH_LEVELS = (
    "same_date",
    "close_date",  # both dates known, one digit apart, two digits or the day and month swapped
    "other_date",  # both dates known and neither the same nor close: two birthdays
    "same_year",
    "one_year",
    "three_years",  # two or three years apart
    "six_years",  # four to six years apart (two guessed ages)
    "different",
)
AGREE_LEVELS = ("same", "different")
NUMBER_LEVELS = ("same", "close", "different")
TEXT_LEVELS = ("same", "close", "different")
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "name": NAME_LEVELS,
    "birth": BIRTH_LEVELS,
    "sex": AGREE_LEVELS,
    "nationality": AGREE_LEVELS,
    "document": NUMBER_LEVELS,
    "phone": AGREE_LEVELS,
}
# Other attributes (``MatchRecord.others``: an address in a linkage benchmark) are
# compared as text, under the attribute's own name.
OTHER_PREFIX = "other:"


def levels_of(attribute: str) -> tuple[str, ...]:
    return ATTRIBUTES.get(attribute, TEXT_LEVELS)


@dataclass(frozen=True)
class MatchWeights:
    """Fellegi–Sunter parameters: ``m[attribute][level]`` is the probability of the level
    among true matches, ``u`` among non-matches, ``prior`` the share of matches among
    the compared pairs. ``frequencies`` is the share of each name part among the parts
    of the registry (parts held by fewer than ``FREQUENCY_MINIMUM`` records are left
    out and count as ``rare``): a shared rare part is stronger evidence than a shared
    common one (term-frequency adjustment, as in Splink)."""

    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    prior: float
    frequencies: dict[str, float] = field(default_factory=dict)
    rare: float = 0.0

    def level_bits(self, attribute: str) -> np.ndarray:
        """log2(m/u) of each level of an attribute, in ``levels_of`` order."""
        names = levels_of(attribute)
        return np.array(
            [
                math.log2(
                    max(self.m[attribute].get(level, _FLOOR), _FLOOR)
                    / max(self.u[attribute].get(level, _FLOOR), _FLOOR)
                )
                for level in names
            ]
        )


# Starting values (and the weights used until the data has given its own): a stated
# guess, refined by ``estimate_weights`` on the compared pairs.
DEFAULT_WEIGHTS = MatchWeights(
    m={
        "name": {
            "exact": 0.45,
            "swapped": 0.05,
            "part_missing": 0.25,
            "subset": 0.03,
            "one_close": 0.12,
            "close_part_missing": 0.04,
            "one_different": 0.04,
            "different": 0.02,
        },
        "birth": {
            "same_date": 0.20,
            "close_date": 0.02,
            "other_date": 0.005,
            "same_year": 0.45,
            "one_year": 0.12,
            "three_years": 0.12,
            "six_years": 0.06,
            "different": 0.03,
        },
        "sex": {"same": 0.98, "different": 0.02},
        "nationality": {"same": 0.95, "different": 0.05},
        "document": {"same": 0.90, "close": 0.05, "different": 0.05},
        "phone": {"same": 0.80, "different": 0.20},
    },
    u={
        "name": {
            "exact": 0.01,
            "swapped": 0.002,
            "part_missing": 0.02,
            "subset": 0.01,
            "one_close": 0.01,
            "close_part_missing": 0.01,
            "one_different": 0.30,
            "different": 0.638,
        },
        "birth": {
            "same_date": 0.0005,
            "close_date": 0.0005,
            "other_date": 0.05,
            "same_year": 0.02,
            "one_year": 0.04,
            "three_years": 0.07,
            "six_years": 0.10,
            "different": 0.769,
        },
        "sex": {"same": 0.50, "different": 0.50},
        "nationality": {"same": 0.60, "different": 0.40},
        "document": {"same": 0.0001, "close": 0.0005, "different": 0.9994},
        "phone": {"same": 0.001, "different": 0.999},
    },
    prior=0.05,
)
TEXT_START_M = {"same": 0.80, "close": 0.10, "different": 0.10}
TEXT_START_U = {"same": 0.05, "close": 0.05, "different": 0.90}
# Estimated probabilities are kept away from 0 and 1, so that no level decides alone.
_FLOOR = 1e-4
# A name part held by fewer records than this is not kept in the stored frequencies.
FREQUENCY_MINIMUM = 5
# The term-frequency adjustment of one shared part is kept within this many bits.
FREQUENCY_LIMIT = 4.0


# Blocking ---------------------------------------------------------------------------


def blocked_indices(
    keys: Mapping[Id, Iterable[str]], *, max_block: int = MAX_BLOCK
) -> tuple[list[Id], np.ndarray, np.ndarray]:
    """The records' ids in order, and every pair of them sharing at least one key as two
    arrays of positions in that order (first < second, each pair once); keys held by
    more than ``max_block`` records are skipped."""
    ids = sorted(keys)  # type: ignore[type-var]
    key_ids: dict[str, int] = {}
    owners: list[int] = []
    blocks: list[int] = []
    for position, record_id in enumerate(ids):
        for key in set(keys[record_id]):
            blocks.append(key_ids.setdefault(key, len(key_ids)))
            owners.append(position)
    empty = np.zeros(0, dtype=np.int64)
    if not blocks:
        return ids, empty, empty
    block = np.array(blocks, dtype=np.int64)
    owner = np.array(owners, dtype=np.int64)
    order = np.lexsort((owner, block))
    block, owner = block[order], owner[order]
    sizes = np.bincount(block)
    starts = np.cumsum(sizes) - sizes
    firsts, seconds = [empty], [empty]
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_block)]).tolist():
        chosen = np.flatnonzero(sizes == size)
        members = owner[starts[chosen][:, None] + np.arange(size)]
        left, right = np.triu_indices(size, 1)
        firsts.append(members[:, left].ravel())
        seconds.append(members[:, right].ravel())
    codes = np.unique(np.concatenate(firsts) * len(ids) + np.concatenate(seconds))
    return ids, codes // len(ids), codes % len(ids)


def blocked_pairs(
    keys: Mapping[Id, Iterable[str]], *, max_block: int = MAX_BLOCK
) -> set[tuple[Id, Id]]:
    """Every pair of records sharing at least one key, each pair once (smaller first);
    keys held by more than ``max_block`` records are skipped."""
    ids, first, second = blocked_indices(keys, max_block=max_block)
    return {(ids[a], ids[b]) for a, b in zip(first.tolist(), second.tolist(), strict=True)}


# Features of each record, computed once ---------------------------------------------


class _Vocabulary:
    """Strings as small integers (-1 for none)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []

    def id(self, word: str) -> int:
        if not word:
            return -1
        found = self.ids.get(word)
        if found is None:
            found = self.ids[word] = len(self.words)
            self.words.append(word)
        return found


@dataclass
class Features:
    """The comparable values of records, as arrays (record ``index`` by id)."""

    index: dict[Any, int]
    parts: np.ndarray  # (name rows, MAX_PARTS) part ids, -1 beyond the name's end
    row_start: np.ndarray  # first name row of each record
    row_count: np.ndarray  # how many names each record has
    part_words: list[str]
    year: np.ndarray
    date: np.ndarray
    date_words: list[str]
    sex: np.ndarray
    nationality: np.ndarray
    documents: tuple[np.ndarray, list[str]]  # (records, most numbers) ids, -1 padded
    phones: tuple[np.ndarray, list[str]]
    others: dict[str, tuple[np.ndarray, list[str]]]


# The year of a record without one, in the features' arrays (no real year comes near it).
NO_YEAR = -100_000


def features(records: Mapping[Any, MatchRecord]) -> Features:
    parts_vocabulary = _Vocabulary()
    dates, sexes, nationalities = _Vocabulary(), _Vocabulary(), _Vocabulary()
    other_vocabularies: dict[str, _Vocabulary] = {}
    for record in records.values():
        for attribute, _value in record.others:
            other_vocabularies.setdefault(attribute, _Vocabulary())
    size = len(records)
    rows: list[list[int]] = []
    row_start = np.zeros(size, dtype=np.int64)
    row_count = np.zeros(size, dtype=np.int64)
    year = np.full(size, NO_YEAR, dtype=np.int64)
    date = np.full(size, -1, dtype=np.int64)
    sex = np.full(size, -1, dtype=np.int64)
    nationality = np.full(size, -1, dtype=np.int64)
    others = {name: np.full(size, -1, dtype=np.int64) for name in other_vocabularies}
    index: dict[Any, int] = {}
    documents: list[list[int]] = []
    phones: list[list[int]] = []
    document_words, phone_words = _Vocabulary(), _Vocabulary()
    for position, (record_id, record) in enumerate(records.items()):
        index[record_id] = position
        row_start[position] = len(rows)
        seen: set[tuple[int, ...]] = set()
        for name in record.names:
            ids = tuple(
                parts_vocabulary.id(part) for part in dict.fromkeys(name_key(name).split())
            )[:MAX_PARTS]
            if ids and ids not in seen:
                seen.add(ids)
                rows.append(list(ids) + [-1] * (MAX_PARTS - len(ids)))
        row_count[position] = len(rows) - row_start[position]
        if record.birth_year is not None:
            year[position] = record.birth_year
        date[position] = dates.id(record.date_of_birth)
        sex[position] = sexes.id(record.sex)
        nationality[position] = nationalities.id(record.nationality)
        documents.append([document_words.id(number) for number in sorted(record.documents)])
        phones.append([phone_words.id(number) for number in sorted(record.phones)])
        for attribute, value in record.others:
            others[attribute][position] = other_vocabularies[attribute].id(value)
    return Features(
        index=index,
        parts=np.array(rows, dtype=np.int64).reshape(-1, MAX_PARTS),
        row_start=row_start,
        row_count=row_count,
        part_words=parts_vocabulary.words,
        year=year,
        date=date,
        date_words=dates.words,
        sex=sex,
        nationality=nationality,
        documents=(_table(documents), document_words.words),
        phones=(_table(phones), phone_words.words),
        others={name: (values, other_vocabularies[name].words) for name, values in others.items()},
    )


def _table(rows: list[list[int]]) -> np.ndarray:
    """Lists of ids as one array, padded with -1 (one column at least)."""
    width = max([1, *(len(row) for row in rows)])
    table = np.full((len(rows), width), -1, dtype=np.int64)
    for position, row in enumerate(rows):
        table[position, : len(row)] = row
    return table


def part_frequencies(found: Features) -> tuple[dict[str, float], float]:
    """The share of each name part among the records' parts (each record counts a part
    once), keeping only parts held by ``FREQUENCY_MINIMUM`` records or more, and the
    share given to the rarer ones."""
    if not len(found.parts):
        return {}, 0.0
    owners = np.repeat(np.arange(len(found.row_count)), found.row_count)
    flat = np.stack([np.repeat(owners, MAX_PARTS), found.parts.ravel()], axis=1)
    flat = flat[flat[:, 1] >= 0]
    unique = np.unique(flat, axis=0)
    counts = np.bincount(unique[:, 1], minlength=len(found.part_words))
    total = float(counts.sum())
    kept = {
        found.part_words[part]: float(counts[part]) / total
        for part in np.flatnonzero(counts >= FREQUENCY_MINIMUM)
    }
    return kept, FREQUENCY_MINIMUM / total


# Comparing pairs as arrays ----------------------------------------------------------


@dataclass
class Comparison:
    """The levels of a batch of pairs: ``codes[attribute]`` is each pair's level as its
    position in ``levels_of(attribute)`` (-1 when not comparable), ``shared`` the name
    parts the pair's closest names share (-1 padded), for the frequency adjustment."""

    codes: dict[str, np.ndarray]
    shared: np.ndarray
    blocked: np.ndarray  # whether the closest names share three parts, or all of one name

    def __len__(self) -> int:
        return len(self.shared)

    def subset(self, chosen: np.ndarray) -> "Comparison":
        return Comparison(
            codes={attribute: code[chosen] for attribute, code in self.codes.items()},
            shared=self.shared[chosen],
            blocked=self.blocked[chosen],
        )

    def name_blocked(self) -> np.ndarray:
        """The pairs the name keys alone would have compared."""
        return self.blocked

    def levels(self, position: int) -> dict[str, str | None]:
        return {
            attribute: (None if code[position] < 0 else levels_of(attribute)[code[position]])
            for attribute, code in self.codes.items()
        }


def _similarities(
    first: np.ndarray, second: np.ndarray, words: list[str], scorer: Callable[..., float]
) -> np.ndarray:
    """``scorer`` of each pair of word ids, computed once per distinct pair."""
    if not len(first):
        return np.zeros(0)
    width = max(len(words), 1)
    codes = first * width + second
    unique, inverse = np.unique(codes, return_inverse=True)
    values = np.fromiter(
        (scorer(words[code // width], words[code % width]) for code in unique.tolist()),
        dtype=np.float64,
        count=len(unique),
    )
    return values[inverse]


def _closeness(first: str, second: str) -> float:
    """1 for two part keys one edit apart (a letter changed, added, dropped or two
    swapped: a typo), else their Jaro–Winkler similarity."""
    if OSA.distance(first, second, score_cutoff=1) <= 1:
        return 1.0
    return float(JaroWinkler.similarity(first, second))


def _name_levels(
    found: Features, rows_a: np.ndarray, rows_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The name level of each pair of name rows, and the parts each pair shares."""
    first = found.parts[rows_a]
    second = found.parts[rows_b]
    valid_a, valid_b = first >= 0, second >= 0
    equal = (first[:, :, None] == second[:, None, :]) & valid_a[:, :, None]
    matched_a = equal.any(axis=2)
    matched_b = equal.any(axis=1)
    length_a, length_b = valid_a.sum(axis=1), valid_b.sum(axis=1)
    shared = matched_a.sum(axis=1)
    # The matched parts of the first name, read in order, sit in order in the second,
    # or in order once the family name written first is moved back to the end (one
    # turn of the order: "El Masry Fatma Ali" is "Fatma Ali El Masry").
    position = equal.argmax(axis=2)
    descents = np.zeros(len(first), dtype=np.int64)
    last = np.full(len(first), -1)
    first_seen = np.full(len(first), -1)
    for part in range(MAX_PARTS):
        here = matched_a[:, part]
        descents += here & (last >= 0) & (position[:, part] < last)
        first_seen = np.where(here & (first_seen < 0), position[:, part], first_seen)
        last = np.where(here, position[:, part], last)
    in_order = descents == 0
    turned = in_order | ((descents == 1) & (last < first_seen))
    short, long = np.minimum(length_a, length_b), np.maximum(length_a, length_b)
    # The part the longer name has more sits inside it (a father's or grandfather's name),
    # not first or last (a first or family name).
    left_out = np.where((length_a > length_b)[:, None], valid_a & ~matched_a, valid_b & ~matched_b)
    spot = left_out.argmax(axis=1)
    middle = (spot > 0) & (spot < long - 1)
    # The best similarity between a part left unmatched on each side.
    unmatched = (valid_a & ~matched_a)[:, :, None] & (valid_b & ~matched_b)[:, None, :]
    best = np.zeros(len(first))
    if unmatched.any():
        rows, left, right = np.nonzero(unmatched)
        values = _similarities(first[rows, left], second[rows, right], found.part_words, _closeness)
        np.maximum.at(best, rows, values)
    close = best >= CLOSE_PART
    same_length = length_a == length_b
    one_more = long - short == 1
    conditions = [
        same_length & (shared == length_a) & in_order,
        same_length & (shared == length_a),
        one_more & (shared == short) & (short >= 2) & turned & middle,
        (shared == short) & (short >= 1),
        same_length & (shared == length_a - 1) & (shared >= 1) & close,
        one_more & (shared == short - 1) & (short >= 2) & close,
        (shared >= short - 1) & (shared >= 2),
    ]
    level = np.select(conditions, list(range(len(conditions))), default=len(conditions))
    level[(length_a == 0) | (length_b == 0)] = -1
    return level, np.where(matched_a, first, -1)


def _compare_names(found: Features, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    count_a, count_b = found.row_count[a], found.row_count[b]
    combinations = count_a * count_b
    level = np.full(len(a), -1, dtype=np.int64)
    shared = np.full((len(a), MAX_PARTS), -1, dtype=np.int64)
    total = int(combinations.sum())
    if not total:
        return level, shared
    owner = np.repeat(np.arange(len(a)), combinations)
    offset = np.arange(total) - np.repeat(np.cumsum(combinations) - combinations, combinations)
    rows_a = found.row_start[a][owner] + offset // count_b[owner]
    rows_b = found.row_start[b][owner] + offset % count_b[owner]
    row_level, row_shared = _name_levels(found, rows_a, rows_b)
    row_level = np.where(row_level < 0, len(NAME_LEVELS), row_level)
    # The strongest level of each pair's names (the first name pair on a tie).
    order = np.lexsort((np.arange(total), row_level, owner))
    first_of_pair = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    pairs = owner[first_of_pair]
    chosen = row_level[first_of_pair]
    level[pairs] = np.where(chosen >= len(NAME_LEVELS), -1, chosen)
    shared[pairs] = row_shared[first_of_pair]
    return level, shared


def _date_distance(first: str, second: str) -> float:
    """0 for a day and month written the other way round (``2001-03-04``, ``2001-04-03``),
    else the edit distance of the two dates (a digit changed or two swapped: 1)."""
    swapped = (first[5:7], first[8:10]) == (second[8:10], second[5:7])
    if len(first) == len(second) == 10 and first[:5] == second[:5] and swapped:
        return 0.0
    return float(OSA.distance(first, second))


def _compare_birth(found: Features, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    year_a, year_b = found.year[a], found.year[b]
    date_a, date_b = found.date[a], found.date[b]
    known = (year_a != NO_YEAR) & (year_b != NO_YEAR)
    gap = np.abs(year_a - year_b)
    both_dates = (date_a >= 0) & (date_b >= 0)
    close_date = np.zeros(len(a), dtype=bool)
    differ = both_dates & (date_a != date_b)
    if differ.any():
        distance = _similarities(date_a[differ], date_b[differ], found.date_words, _date_distance)
        close_date[differ] = distance <= 1
    # Two full dates that are neither the same nor close are two birthdays, whatever
    # their years: evidence against, not the agreement of a year.
    level = np.select(
        [
            both_dates & (date_a == date_b),
            close_date,
            differ,
            known & (gap == 0),
            known & (gap == 1),
            known & (gap <= 3),
            known & (gap <= 6),
            known,
        ],
        list(range(len(BIRTH_LEVELS))),
        default=-1,
    )
    return level


def _compare_codes(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    left, right = values[a], values[b]
    return np.where((left < 0) | (right < 0), -1, np.where(left == right, 0, 1))


def _compare_sets(
    values: tuple[np.ndarray, list[str]], a: np.ndarray, b: np.ndarray, *, close: bool
) -> np.ndarray:
    """same: a value in common; close (if asked): two values one edit apart."""
    table, words = values
    left, right = table[a], table[b]
    known = (left >= 0).any(axis=1) & (right >= 0).any(axis=1)
    equal = (left[:, :, None] == right[:, None, :]) & (left >= 0)[:, :, None]
    same = equal.any(axis=(1, 2))
    level = np.where(~known, -1, np.where(same, 0, 2 if close else 1))
    if close:
        rows = np.flatnonzero(known & ~same)
        if len(rows):
            both = (left[rows] >= 0)[:, :, None] & (right[rows] >= 0)[:, None, :]
            at, i, j = np.nonzero(both)
            distance = _similarities(left[rows][at, i], right[rows][at, j], words, _edit_distance)
            near = np.zeros(len(rows), dtype=bool)
            np.logical_or.at(near, at, distance <= 1)
            level[rows[near]] = 1
    return level


def _edit_distance(first: str, second: str) -> float:
    return float(OSA.distance(first, second))


def _compare_text(values: np.ndarray, words: list[str], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    left, right = values[a], values[b]
    level = np.where((left < 0) | (right < 0), -1, np.where(left == right, 0, 2))
    differ = level == 2
    if differ.any():
        similarity = _similarities(left[differ], right[differ], words, JaroWinkler.similarity)
        level[np.flatnonzero(differ)[similarity >= CLOSE_TEXT]] = 1
    return level


def compare(found: Features, a: np.ndarray, b: np.ndarray, *, names: bool = True) -> Comparison:
    """The levels of the pairs (``a[i]``, ``b[i]``) of record indices (``names``: False
    leaves the name out)."""
    codes: dict[str, np.ndarray] = {}
    shared = np.full((len(a), MAX_PARTS), -1, dtype=np.int64)
    if names:
        codes["name"], shared = _compare_names(found, a, b)
    codes |= {
        "birth": _compare_birth(found, a, b),
        "sex": _compare_codes(found.sex, a, b),
        "nationality": _compare_codes(found.nationality, a, b),
        "document": _compare_sets(found.documents, a, b, close=True),
        "phone": _compare_sets(found.phones, a, b, close=False),
    }
    for attribute, (values, words) in found.others.items():
        codes[OTHER_PREFIX + attribute] = _compare_text(values, words, a, b)
    count = (shared >= 0).sum(axis=1)
    blocked = (count >= 3) | (
        (count == 2) & np.isin(codes.get("name", np.full(len(a), -1)), (0, 1))
    )
    blocked |= (codes["document"] == 0) | (codes["phone"] == 0)
    return Comparison(codes=codes, shared=shared, blocked=blocked)


# Weights ------------------------------------------------------------------------------


def _part_bits(found: Features, weights: MatchWeights) -> np.ndarray:
    """The frequency adjustment (bits) of each part id: log2 of the average share of
    an agreeing part over this part's share, within ±``FREQUENCY_LIMIT``."""
    if not weights.frequencies:
        return np.zeros(len(found.part_words) + 1)
    shares = np.array(list(weights.frequencies.values()))
    average = float((shares**2).sum() / shares.sum())
    rare = weights.rare or float(shares.min())
    own = np.array([weights.frequencies.get(word, rare) for word in found.part_words] + [1.0])
    bits = np.clip(np.log2(average / own), -FREQUENCY_LIMIT, FREQUENCY_LIMIT)
    bits[-1] = 0.0  # the padding (-1) adds nothing
    return bits


def frequency_bits(found: Features, comparison: Comparison, weights: MatchWeights) -> np.ndarray:
    """The term-frequency adjustment of each pair: the sum over its shared name parts."""
    bits: np.ndarray = _part_bits(found, weights)[comparison.shared].sum(axis=1)
    return bits


def _attribute_bits(comparison: Comparison, weights: MatchWeights) -> np.ndarray:
    total = np.zeros(len(comparison))
    for attribute, code in comparison.codes.items():
        if attribute not in weights.m:
            continue
        table = np.append(weights.level_bits(attribute), 0.0)  # -1 (missing) adds nothing
        total += table[code]
    return total


def _probability(log_odds: np.ndarray) -> np.ndarray:
    probability: np.ndarray = 1 / (1 + np.exp2(-np.clip(log_odds, -60.0, 60.0)))
    return probability


def _prior_bits(weights: MatchWeights) -> float:
    prior = min(max(weights.prior, _FLOOR), 1 - _FLOOR)
    return math.log2(prior / (1 - prior))


def scores(found: Features, comparison: Comparison, weights: MatchWeights) -> np.ndarray:
    """The probability (0 to 1) that each pair is one person: the prior odds times the
    likelihood ratio of the levels, adjusted for how common the shared name parts are."""
    bits = _attribute_bits(comparison, weights) + frequency_bits(found, comparison, weights)
    return _probability(_prior_bits(weights) + bits)


def match_weight(
    levels: Mapping[str, str | None], weights: MatchWeights, *, frequency: float = 0.0
) -> float:
    """The Fellegi–Sunter match weight of one pair's levels: the sum of log2(m/u)."""
    total = frequency
    for attribute, level in levels.items():
        if level is None or attribute not in weights.m:
            continue
        m = max(weights.m[attribute].get(level, _FLOOR), _FLOOR)
        u = max(weights.u[attribute].get(level, _FLOOR), _FLOOR)
        total += math.log2(m / u)
    return total


def match_score(
    levels: Mapping[str, str | None],
    weights: MatchWeights = DEFAULT_WEIGHTS,
    *,
    frequency: float = 0.0,
) -> float:
    """The probability of one pair's levels (as ``scores`` for many)."""
    log_odds = _prior_bits(weights) + match_weight(levels, weights, frequency=frequency)
    return float(_probability(np.array([log_odds]))[0])


def score_reasons(
    levels: Mapping[str, str | None],
    weights: MatchWeights = DEFAULT_WEIGHTS,
    *,
    frequency: float = 0.0,
) -> list[tuple[str, str, float]]:
    """(attribute, level, weight in bits) of each known level, and the frequency
    adjustment of the shared name parts, strongest first."""
    reasons = []
    for attribute, level in levels.items():
        if level is None or attribute not in weights.m:
            continue
        m = max(weights.m[attribute].get(level, _FLOOR), _FLOOR)
        u = max(weights.u[attribute].get(level, _FLOOR), _FLOOR)
        reasons.append((attribute, level, round(math.log2(m / u), 2)))
    if abs(frequency) >= 0.05:
        reasons.append(("name", "frequency", round(frequency, 2)))
    return sorted(reasons, key=lambda reason: -abs(reason[2]))


def _start_for(attributes: Iterable[str], start: MatchWeights) -> MatchWeights:
    m = {a: dict(start.m.get(a, TEXT_START_M)) for a in attributes}
    u = {a: dict(start.u.get(a, TEXT_START_U)) for a in attributes}
    return MatchWeights(m=m, u=u, prior=start.prior)


# Attributes whose agreement goes with the name (a first name tells the sex): their u is
# estimated among the compared pairs, not among random ones.
NAME_DEPENDENT = frozenset({"sex", "nationality"})


def random_u(found: Features, *, pairs: int = 50_000) -> dict[str, dict[str, float]]:
    """u of the attributes other than the name, from random pairs of records (nearly
    all of them two different people), as Splink does: the blocked pairs share name
    parts, so among them a shared name part is not what it is among strangers, but a
    birth year, a sex or a nationality is."""
    size = len(found.row_count)
    if size < 2:
        return {}
    generator = np.random.default_rng(20_240_601)
    a = generator.integers(0, size, pairs)
    b = generator.integers(0, size, pairs)
    keep = a != b
    comparison = compare(found, a[keep], b[keep], names=False)
    u: dict[str, dict[str, float]] = {}
    for attribute, code in comparison.codes.items():
        if attribute in NAME_DEPENDENT:
            continue
        names = levels_of(attribute)
        known = code >= 0
        if not known.any():
            continue
        counts = np.bincount(code[known], minlength=len(names)).astype(np.float64)
        u[attribute] = _shares(names, counts + 0.5, start={})
    return u


def estimate_weights(
    found: Features,
    comparison: Comparison,
    *,
    start: MatchWeights = DEFAULT_WEIGHTS,
    iterations: int = 40,
) -> MatchWeights:
    """Estimate the weights from the compared pairs: u of the name by
    expectation–maximisation on the compared pairs, u of the other attributes from
    random pairs (``random_u``), m of the name from the pairs that share a document or a
    full date of birth when there are enough (``anchored_name_m``), m of every other
    attribute and the prior by expectation–maximisation (levels independent given the
    match status, as in Fellegi–Sunter and Splink), the name parts' frequencies from the
    records. Missing levels are left out of both steps. With no pair, ``start`` is
    returned."""
    if not len(comparison):
        return start
    frequencies, rare = part_frequencies(found)
    begin = _start_for(comparison.codes, start)
    anchored = anchored_name_m(comparison, begin)
    if anchored is not None:
        begin = MatchWeights(m={**begin.m, "name": anchored}, u=begin.u, prior=begin.prior)
    fixed = random_u(found)
    first = MatchWeights(
        m=begin.m, u={**begin.u, **fixed}, prior=begin.prior, frequencies=frequencies, rare=rare
    )
    # Pairs sharing fewer name parts than the name keys need (three, or all of a shorter
    # name) were compared for a close birth year too: their year is not independent of
    # their name, so they are left out of the estimation.
    everything = comparison
    chosen = comparison.name_blocked()
    if chosen.sum() >= 10:
        comparison = comparison.subset(chosen)
    adjustment = frequency_bits(found, comparison, first)

    def expectation_maximisation(name_m: dict[str, float] | None) -> MatchWeights:
        """EM from the start values; the m of the name kept at ``name_m`` when given."""
        current = first
        for _round in range(iterations):
            posterior = _probability(
                _prior_bits(current) + _attribute_bits(comparison, current) + adjustment
            )
            prior = min(max(float(posterior.mean()), _FLOOR), 1 - _FLOOR)
            new_m: dict[str, dict[str, float]] = {}
            new_u: dict[str, dict[str, float]] = {}
            for attribute, code in comparison.codes.items():
                names = levels_of(attribute)
                known = code >= 0
                count_m = np.bincount(code[known], weights=posterior[known], minlength=len(names))
                count_u = np.bincount(
                    code[known], weights=1 - posterior[known], minlength=len(names)
                )
                new_m[attribute] = (
                    name_m
                    if attribute == "name" and name_m is not None
                    else _shares(names, count_m, start=begin.m[attribute])
                )
                new_u[attribute] = fixed.get(attribute) or _shares(
                    names, count_u, start=begin.u[attribute]
                )
            current = MatchWeights(
                m=new_m, u=new_u, prior=prior, frequencies=frequencies, rare=rare
            )
        return current

    def over_everything(current: MatchWeights) -> MatchWeights:
        """Back to all the compared pairs: the prior and the u of the name over them all,
        the other parameters kept (nearly every match shares three name parts)."""
        if len(comparison) == len(everything):
            return current
        adjustment = frequency_bits(found, everything, current)
        code = everything.codes["name"]
        known = code >= 0
        prior = current.prior * len(comparison) / len(everything)
        for _round in range(5):
            current = MatchWeights(
                m=current.m, u=current.u, prior=prior, frequencies=frequencies, rare=rare
            )
            posterior = _probability(
                _prior_bits(current) + _attribute_bits(everything, current) + adjustment
            )
            prior = min(max(float(posterior.mean()), _FLOOR), 1 - _FLOOR)
            count_u = np.bincount(
                code[known], weights=1 - posterior[known], minlength=len(NAME_LEVELS)
            )
            u = {**current.u, "name": _shares(NAME_LEVELS, count_u, start=begin.u["name"])}
            current = MatchWeights(
                m=current.m, u=u, prior=prior, frequencies=frequencies, rare=rare
            )
        return current

    estimated = over_everything(expectation_maximisation(anchored))
    if anchored is None and not plausible_name_weights(estimated):
        # EM took look-alikes for the matches: the stated m of the name is kept instead.
        estimated = over_everything(expectation_maximisation(dict(begin.m["name"])))
    return estimated


# Pairs that share a document number or a full date of birth are nearly all one person
# registered twice, whatever their names: how their names compare is the m of the name,
# read from the data itself (not a phone: a household, a relative or an employer gives
# several people the same number). Among many people who share most of their
# names, expectation–maximisation alone can take a cluster of look-alikes for the
# matches; with fewer such pairs than this, it estimates the m of the name with the rest.
ANCHOR_MINIMUM = 50
_ANCHORS = (("document", "same"), ("birth", "same_date"))


def anchored_name_m(comparison: Comparison, start: MatchWeights) -> dict[str, float] | None:
    """The m of the name levels among the compared pairs that share a document or a full
    date of birth, or None when there are fewer than ``ANCHOR_MINIMUM``."""
    anchor = np.zeros(len(comparison), dtype=bool)
    for attribute, level in _ANCHORS:
        code = comparison.codes.get(attribute)
        if code is not None:
            anchor |= code == levels_of(attribute).index(level)
    name = comparison.codes["name"]
    chosen = anchor & (name >= 0)
    if int(chosen.sum()) < ANCHOR_MINIMUM:
        return None
    counts = np.bincount(name[chosen], minlength=len(NAME_LEVELS)).astype(np.float64)
    return _shares(NAME_LEVELS, counts, start=start.m["name"])


def plausible_name_weights(weights: MatchWeights) -> bool:
    """Whether the weakest name levels (all the parts of one name but one in the other,
    or fewer) weigh against a match, as they must: estimated weights in which they weigh
    for it describe a cluster of look-alikes, not people registered twice."""
    bits = dict(zip(NAME_LEVELS, weights.level_bits("name"), strict=True))
    return bool(bits["one_different"] < 0 and bits["different"] < 0)


# The start values count as this many pairs in each estimate: a level the compared pairs
# (almost) never show keeps about its stated weight instead of an arbitrary one.
PSEUDO_PAIRS = 20.0


def _shares(
    names: Sequence[str], counts: np.ndarray, *, start: Mapping[str, float]
) -> dict[str, float]:
    prior = np.array([start.get(level, 0.0) for level in names])
    if prior.sum() > 0:
        counts = counts + PSEUDO_PAIRS * prior / prior.sum()
    total = float(counts.sum())
    if total <= 0:
        return dict(start)
    return {
        level: max(float(count) / total, _FLOOR) for level, count in zip(names, counts, strict=True)
    }


def weights_as_dict(weights: MatchWeights) -> dict[str, object]:
    return {
        "m": weights.m,
        "u": weights.u,
        "prior": weights.prior,
        "frequencies": weights.frequencies,
        "rare": weights.rare,
    }


def weights_from_dict(data: object) -> MatchWeights:
    """Weights as stored (``weights_as_dict``), or the defaults when they do not fit
    (weights stored with other levels than today's are not used)."""
    if not isinstance(data, dict):
        return DEFAULT_WEIGHTS
    try:
        m = {str(a): {str(k): float(v) for k, v in lv.items()} for a, lv in data["m"].items()}
        u = {str(a): {str(k): float(v) for k, v in lv.items()} for a, lv in data["u"].items()}
        frequencies = {str(k): float(v) for k, v in (data.get("frequencies") or {}).items()}
        weights = MatchWeights(
            m=m,
            u=u,
            prior=float(data["prior"]),
            frequencies=frequencies,
            rare=float(data.get("rare") or 0.0),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return DEFAULT_WEIGHTS
    for attribute, names in ATTRIBUTES.items():
        if set(m.get(attribute, {})) != set(names) or set(u.get(attribute, {})) != set(names):
            return DEFAULT_WEIGHTS
    return weights


# Many pairs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredPair:
    first: Hashable
    second: Hashable
    score: float
    levels: dict[str, str | None]
    frequency: float = 0.0


def _indices(found: Features, pairs: Sequence[tuple[Any, Any]]) -> tuple[np.ndarray, np.ndarray]:
    a = np.fromiter((found.index[first] for first, _ in pairs), dtype=np.int64, count=len(pairs))
    b = np.fromiter((found.index[second] for _, second in pairs), dtype=np.int64, count=len(pairs))
    return a, b


def _scored(
    found: Features,
    a: np.ndarray,
    b: np.ndarray,
    pair: Callable[[int], tuple[Any, Any]],
    *,
    weights: MatchWeights,
    threshold: float,
    progress: Callable[[int], object] | None = None,
) -> list[ScoredPair]:
    """The pairs of record indices (``a``, ``b``) at or above ``threshold``, best first
    (``pair`` gives the ids of the pair at a position)."""
    kept: list[ScoredPair] = []
    for start in range(0, len(a), BATCH):
        first, second = a[start : start + BATCH], b[start : start + BATCH]
        comparison = compare(found, first, second)
        adjustment = frequency_bits(found, comparison, weights)
        probability = _probability(
            _prior_bits(weights) + _attribute_bits(comparison, weights) + adjustment
        )
        for position in np.flatnonzero(probability >= threshold).tolist():
            one, other = pair(start + position)
            kept.append(
                ScoredPair(
                    first=one,
                    second=other,
                    score=float(probability[position]),
                    levels=comparison.levels(position),
                    frequency=float(adjustment[position]),
                )
            )
        if progress is not None:
            progress(len(first))
    kept.sort(key=lambda scored: -scored.score)
    return kept


def score_pairs(
    pairs: Iterable[tuple[Id, Id]],
    records: Mapping[Id, MatchRecord],
    *,
    weights: MatchWeights,
    threshold: float,
    progress: Callable[[int], object] | None = None,
) -> list[ScoredPair]:
    """The pairs scoring at or above ``threshold``, best first."""
    ordered = list(pairs)
    found = features(records)
    a, b = _indices(found, ordered)
    return _scored(
        found,
        a,
        b,
        ordered.__getitem__,
        weights=weights,
        threshold=threshold,
        progress=progress,
    )


def score_pair(first: MatchRecord, second: MatchRecord, weights: MatchWeights) -> ScoredPair:
    """One pair scored by the same code as many (``score_pairs``), whatever its score."""
    return score_pairs([(0, 1)], {0: first, 1: second}, weights=weights, threshold=0.0)[0]


def comparison_levels(first: MatchRecord, second: MatchRecord) -> dict[str, str | None]:
    """The agreement level of each attribute for one pair (``None``: not comparable)."""
    found = features({0: first, 1: second})
    return compare(found, np.array([0]), np.array([1])).levels(0)


def _estimate(found: Features, a: np.ndarray, b: np.ndarray, *, sample: int) -> MatchWeights:
    if not len(a):
        return DEFAULT_WEIGHTS
    if len(a) > sample:
        chosen = np.sort(np.random.default_rng(20_240_601).choice(len(a), sample, replace=False))
        a, b = a[chosen], b[chosen]
    return estimate_weights(found, compare(found, a, b))


def estimate_from_pairs(
    pairs: Iterable[tuple[Id, Id]],
    records: Mapping[Id, MatchRecord],
    *,
    sample: int = 300_000,
) -> MatchWeights:
    """Fellegi–Sunter weights estimated by EM (``estimate_weights``) on the levels of at
    most ``sample`` of the blocked pairs (a fixed random sample)."""
    ordered = list(pairs)
    if not ordered:
        return DEFAULT_WEIGHTS
    found = features(records)
    a, b = _indices(found, ordered)
    return _estimate(found, a, b, sample=sample)


def find_pairs(
    records: Mapping[Id, MatchRecord],
    keys: Mapping[Id, Iterable[str]],
    *,
    threshold: float,
    weights: MatchWeights | None = None,
    estimate: bool = True,
    sample: int = 300_000,
    progress: Callable[[int], object] | None = None,
) -> tuple[list[ScoredPair], MatchWeights, int]:
    """Block, estimate the weights (unless given), score: the pairs at or above the
    threshold, the weights used and how many pairs blocking compared. Records without
    keys, and keys of unknown records, are left out."""
    known = {record_id: keys[record_id] for record_id in records if record_id in keys}
    ids, first, second = blocked_indices(known)
    found = features(records)
    where = np.array([found.index[record_id] for record_id in ids], dtype=np.int64)
    a, b = where[first], where[second]
    if weights is None:
        weights = _estimate(found, a, b, sample=sample) if estimate else DEFAULT_WEIGHTS
    scored = _scored(
        found,
        a,
        b,
        lambda position: (ids[first[position]], ids[second[position]]),
        weights=weights,
        threshold=threshold,
        progress=progress,
    )
    return scored, weights, len(a)


# What a reviewer reads for each level of each attribute.
LEVEL_LABELS = {
    ("name", "exact"): "names_same",
    ("name", "swapped"): "names_swapped",
    ("name", "part_missing"): "names_part_missing",
    ("name", "subset"): "names_subset",
    ("name", "one_close"): "names_one_close",
    ("name", "close_part_missing"): "names_close_part_missing",
    ("name", "one_different"): "names_one_different",
    ("name", "different"): "names_different",
    ("name", "frequency"): "names_frequency",
    ("birth", "same_date"): "birth_same_date",
    ("birth", "close_date"): "birth_close_date",
    ("birth", "other_date"): "birth_other_date",
    ("birth", "same_year"): "birth_same_year",
    ("birth", "one_year"): "birth_one_year",
    ("birth", "three_years"): "birth_three_years",
    ("birth", "six_years"): "birth_six_years",
    ("birth", "different"): "birth_different",
    ("sex", "same"): "sex_same",
    ("sex", "different"): "sex_different",
    ("nationality", "same"): "nationality_same",
    ("nationality", "different"): "nationality_different",
    ("document", "same"): "document_same",
    ("document", "close"): "document_close",
    ("document", "different"): "document_different",
    ("phone", "same"): "phone_same",
    ("phone", "different"): "phone_different",
}


def reasons(
    levels: Mapping[str, str | None], weights: MatchWeights, *, frequency: float = 0.0
) -> list[dict[str, object]]:
    """The reasons for a score as stored with a pair: a short code and its weight."""
    return [
        {"reason": LEVEL_LABELS.get((attribute, level), f"{attribute}_{level}"), "weight": weight}
        for attribute, level, weight in score_reasons(levels, weights, frequency=frequency)
    ]
