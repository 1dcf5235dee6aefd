"""Name keys in both scripts, comparison levels, Fellegi–Sunter scores and EM."""

import dataclasses
import itertools
import random

import numpy as np
import pytest

from himaya.duplicates import rules
from himaya.duplicates.rules import comparison_levels, match_score, score_pair
from himaya.survivors import rules as survivor_rules
from himaya.survivors.rules import match_keys, match_record, name_key

# Real families of Arabic names: every spelling of one family, in either script, gives one key.
FAMILIES = [
    ["محمد", "مُحَمَّد", "Mohamed", "Muhammad", "Mohammed", "Mohamad", "Mohammad", "Muhammed"],
    ["عبد الله", "عبدالله", "Abdallah", "Abdullah", "Abd Allah", "Abdellah", "Abdalla", "Abdulla"],
    ["فاطمة", "فاطمه", "Fatma", "Fatima", "Fatimah", "Fatema"],
    ["أحمد", "احمد", "إحمد", "Ahmed", "Ahmad"],
    ["عبد الرحمن", "Abdel Rahman", "Abdelrahman", "Abdul Rahman", "Abd El Rahman", "Abd al-Rahman"],
    ["علي", "على", "Ali", "Aly"],
    ["حسن", "Hassan", "Hasan"],
    ["حسين", "Hussein", "Hussain", "Husayn", "Hossein"],
    ["خديجة", "Khadija", "Khadiga", "Khadijah"],
    ["يوسف", "Youssef", "Yousef", "Yusuf"],
    ["مصطفى", "مصطفي", "Mostafa", "Moustafa", "Mustafa", "Mustapha"],
    ["إبراهيم", "ابراهيم", "Ibrahim", "Ebrahim", "Ibraheem"],
    ["عمر", "Omar", "Umar", "Omer"],
    ["زينب", "Zeinab", "Zainab", "Zaynab"],
    ["مريم", "Mariam", "Maryam", "Meriem"],
    ["السيد", "El Sayed", "Elsayed", "Al Sayed", "Sayed", "El-Sayed"],
    ["أبو بكر", "ابوبكر", "Abu Bakr", "Abou Bakr", "Abubakr", "Abo Bakr"],
    ["أم كلثوم", "Umm Kulthum", "Om Kalthoum"],
    ["عائشة", "Aisha", "Aicha", "Aysha", "Aishah"],
    ["جمال", "Gamal", "Jamal"],
    ["خالد", "Khaled", "Khalid"],
    ["هدى", "Hoda", "Huda", "Houda"],
    ["أسماء", "Asmaa", "Asma"],
    ["ياسمين", "Yasmin", "Yasmine", "Yasmeen"],
    ["عثمان", "Othman", "Uthman"],
    ["رضا", "Reda", "Rida", "Ridha"],
    ["طارق", "Tarek", "Tariq", "Tarik"],
    ["محمد بن علي", "محمد ابن علي", "Mohamed Ben Ali", "Muhammad ibn Ali", "Mohamed Aly"],
    ["مُحَمَّد عبدالله", "محمد عبد الله", "Mohamed Abdallah", "Muhammad Abdullah"],
]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family[2])
def test_every_spelling_of_a_name_family_in_either_script_gives_one_key(family) -> None:
    keys = {spelling: name_key(spelling) for spelling in family}
    assert len(set(keys.values())) == 1, keys


# Different names: no two give one key.
DIFFERENT = [
    "محمد", "أحمد", "علي", "حسن", "عمر", "خالد", "خديجة", "فاطمة", "زينب", "مريم", "نور",
    "هدى", "سعاد", "أسماء", "ياسمين", "يوسف", "إبراهيم", "مصطفى", "طارق", "كريم", "قاسم",
    "جمال", "سارة", "ليلى", "منى", "سلمى", "رانيا", "دينا", "هبة", "نادية", "سامي", "سمير",
    "وليد", "هشام", "عادل", "عماد", "بسمة", "شيماء", "نجلاء", "ناصر", "منصور", "رشيد", "رشا",
    "ريم", "لبنى", "حليمة", "حنان", "عبد الله", "عبد الرحمن", "عبد العزيز", "أبو بكر", "عثمان",
    "Salma", "Rania", "Dina", "Heba", "Nadia", "Walid", "Hisham", "Adel", "Emad", "Basma",
]  # fmt: skip


def test_different_names_do_not_share_a_key() -> None:
    keys: dict[str, list[str]] = {}
    for name in DIFFERENT:
        keys.setdefault(name_key(name), []).append(name)
    shared = {key: names for key, names in keys.items() if len(names) > 1}
    # Latin spellings of Arabic names in the list meet their Arabic form, and only it.
    assert shared == {
        "SLM": ["سلمى", "Salma"],
        "RN": ["رانيا", "Rania"],
        "DN": ["دينا", "Dina"],
        "HB": ["هبة", "Heba"],
        "ND": ["نادية", "Nadia"],
        "WLD": ["وليد", "Walid"],
        "HCM": ["هشام", "Hisham"],
        "ADL": ["عادل", "Adel"],
        "AMD": ["عماد", "Emad"],
        "BSM": ["بسمة", "Basma"],
    }


def test_particles_and_kunya_are_read_as_in_arabic_names() -> None:
    assert survivor_rules.name_parts("محمد بن علي") == ["MHMD", "AL"]
    assert survivor_rules.name_parts("Abou Bakr El Masry") == ["ABUBKR", "MSR"]
    assert survivor_rules.name_parts("أم كلثوم") == ["UMKLTHM"]


def test_blocking_keys_are_shared_across_scripts_swapped_parts_and_a_missing_part() -> None:
    arabic = match_keys(
        names=["فاطمة أحمد علي المصري"], birth_year=None, document_numbers=[], phones=""
    )
    latin = match_keys(
        names=["El Masry Fatma Ali"], birth_year=None, document_numbers=[], phones=""
    )
    assert arabic & latin == {"tri:AL|FTM|MSR"}


def test_two_parts_meet_with_a_close_year_of_birth() -> None:
    arabic = match_keys(names=["فاطمة أحمد علي"], birth_year=1999, document_numbers=[], phones="")
    latin = match_keys(names=["Ali Fatma"], birth_year=2001, document_numbers=[], phones="")
    assert arabic & latin == {"pw:AL|FTM|a333"}


def test_years_of_birth_at_most_three_years_apart_share_a_window() -> None:
    for year in range(1990, 2010):
        for other in range(year - 3, year + 4):
            assert set(survivor_rules.birth_windows(year)) & set(
                survivor_rules.birth_windows(other)
            )


def test_documents_and_phones_are_keys_in_any_digit_form() -> None:
    first = match_keys(names=[], birth_year=None, document_numbers=["P 123-456"], phones="")
    second = match_keys(names=[], birth_year=None, document_numbers=["p123456"], phones="")
    assert first == second == {"doc:P123456"}
    phones = match_keys(names=[], birth_year=None, document_numbers=[], phones="+20 10 1234 5678")
    assert phones == match_keys(
        names=[], birth_year=None, document_numbers=[], phones="٠١٠١٢٣٤٥٦٧٨"
    )


def test_one_person_in_two_scripts_scores_above_the_review_threshold() -> None:
    arabic = match_record(names=["فاطمة أحمد علي"], birth_year=1999, sex="female", nationality="SD")
    latin = match_record(names=["Fatma Ahmed Aly"], birth_year=2000, sex="female", nationality="SD")
    levels = comparison_levels(arabic, latin)
    assert levels == {
        "name": "exact",
        "birth": "one_year",
        "sex": "same",
        "nationality": "same",
        "document": None,
        "phone": None,
    }
    assert match_score(levels) >= survivor_rules.REVIEW_THRESHOLD


def test_different_people_with_one_common_name_score_below_the_review_threshold() -> None:
    first = match_record(names=["Mohamed Hassan Ali"], birth_year=1990, sex="male")
    second = match_record(names=["Mohamed Ibrahim Khalil"], birth_year=1975, sex="male")
    assert match_score(comparison_levels(first, second)) < survivor_rules.REVIEW_THRESHOLD


def test_a_shared_document_outweighs_a_different_spelling() -> None:
    first = match_record(names=["Khadija Omar"], document_numbers=["A1234567"])
    second = match_record(names=["Khadiga Omer Said"], document_numbers=["a 123 4567"])
    levels = comparison_levels(first, second)
    assert levels["document"] == "same"
    assert match_score(levels) > 0.99


NAME_CASES = [
    ("فاطمة أحمد علي المصري", "Fatma Ahmed Ali El Masry", "exact"),
    ("فاطمة أحمد علي المصري", "El Masry Fatma Ahmed Ali", "swapped"),
    ("فاطمة أحمد علي المصري", "Fatma Ahmed El Masry", "part_missing"),
    ("فاطمة أحمد علي المصري", "El Masry Fatma Ahmed", "part_missing"),
    ("فاطمة أحمد علي المصري", "Ahmed Ali El Masry", "subset"),
    ("فاطمة أحمد علي المصري", "Fatma Ahmed Ali El Marsy", "one_close"),
    ("فاطمة أحمد علي المصري", "Fatma Ahmed El Marsy", "close_part_missing"),
    ("فاطمة أحمد علي المصري", "Fatma Ahmed Hassan El Masry", "one_different"),
    ("فاطمة أحمد علي المصري", "Fatma Omar Hassan El Masry", "different"),
]


@pytest.mark.parametrize(("first", "second", "level"), NAME_CASES)
def test_names_are_compared_part_by_part_in_either_script(first, second, level) -> None:
    levels = comparison_levels(match_record(names=[first]), match_record(names=[second]))
    assert levels["name"] == level


def test_the_stated_name_weights_go_from_the_same_name_to_different_names() -> None:
    bits = dict(zip(rules.NAME_LEVELS, rules.DEFAULT_WEIGHTS.level_bits("name"), strict=True))
    assert max(bits, key=bits.__getitem__) == "exact"
    assert min(bits, key=bits.__getitem__) == "different"
    assert [level for level, weight in bits.items() if weight < 0] == [
        "one_different",
        "different",
    ]


BIRTH_CASES = [
    ({"date_of_birth": "1990-05-01"}, {"date_of_birth": "1990-05-01"}, "same_date"),
    ({"date_of_birth": "1990-05-01"}, {"date_of_birth": "1990-05-10"}, "close_date"),
    ({"date_of_birth": "1990-05-01"}, {"date_of_birth": "1990-01-05"}, "close_date"),
    ({"date_of_birth": "1990-05-01"}, {"date_of_birth": "19900501"}, "same_date"),
    ({"date_of_birth": "1990-05-01"}, {"date_of_birth": "١٩٩٠-٠٥-٠١"}, "same_date"),
    ({"date_of_birth": "1990-05-01"}, {"date_of_birth": "1990-11-23"}, "other_date"),
    ({"date_of_birth": "1990-05-01"}, {"date_of_birth": "1991-11-23"}, "other_date"),
    ({"date_of_birth": "1990-05-01"}, {}, "same_year"),
    ({}, {}, "same_year"),
    ({}, {"birth_year": 1991}, "one_year"),
    ({}, {"birth_year": 1987}, "three_years"),
    ({}, {"birth_year": 1996}, "six_years"),
    ({}, {"birth_year": 1997}, "different"),
    ({}, {"birth_year": None}, None),
]


@pytest.mark.parametrize(("first", "second", "level"), BIRTH_CASES)
def test_birth_is_compared_by_date_then_by_how_many_years_apart(first, second, level) -> None:
    one = match_record(names=["Ali"], **{"birth_year": 1990, **first})
    other = match_record(names=["Ali"], **{"birth_year": 1990, **second})
    assert comparison_levels(one, other)["birth"] == level


def test_a_date_of_birth_gives_the_year_of_birth_when_none_is_given() -> None:
    born = match_record(names=["Ali"], date_of_birth="19900501")
    assert (born.birth_year, born.date_of_birth) == (1990, "1990-05-01")
    guessed = match_record(names=["Ali"], birth_year=1991)
    assert comparison_levels(born, guessed)["birth"] == "one_year"
    for text in ["x", "abcd-05-01", "\u200b", "1990"]:
        assert match_record(names=["Ali"], date_of_birth=text).birth_year is None


def test_two_different_birthdays_weigh_against_a_match_and_a_shared_year_for_it() -> None:
    bits = dict(zip(rules.BIRTH_LEVELS, rules.DEFAULT_WEIGHTS.level_bits("birth"), strict=True))
    assert bits["other_date"] < 0 < bits["same_year"]


def test_document_numbers_one_character_apart_are_close() -> None:
    first = match_record(names=["Ali"], document_numbers=["A1234567"])
    assert (
        comparison_levels(first, match_record(names=["Ali"], document_numbers=["A1234576"]))[
            "document"
        ]
        == "close"
    )
    assert (
        comparison_levels(first, match_record(names=["Ali"], document_numbers=["B9999999"]))[
            "document"
        ]
        == "different"
    )


def test_the_closest_of_the_names_of_each_side_is_compared() -> None:
    first = match_record(names=["فاطمة أحمد علي", "Um Hassan"])
    second = match_record(names=["Zeinab Omar", "أم حسن"])
    assert comparison_levels(first, second)["name"] == "exact"


def test_many_pairs_scored_at_once_score_as_each_pair_alone() -> None:
    names = ["فاطمة أحمد علي المصري", "Fatma Ahmed El Masry", "Fatma Ahmed Hassan", "Ali Omar"]
    records = {
        number: match_record(names=[name], birth_year=1990 + number, sex="female")
        for number, name in enumerate(names)
    }
    pairs = list(itertools.combinations(records, 2))
    together = rules.score_pairs(pairs, records, weights=rules.DEFAULT_WEIGHTS, threshold=0.0)
    for pair in together:
        alone = score_pair(records[pair.first], records[pair.second], rules.DEFAULT_WEIGHTS)
        assert (pair.score, pair.levels) == (alone.score, alone.levels)
    assert len(together) == len(pairs)


def test_a_shared_rare_name_is_stronger_evidence_than_a_shared_common_one() -> None:
    weights = dataclasses.replace(
        rules.DEFAULT_WEIGHTS,
        frequencies={"MHMD": 0.2, "AHMD": 0.15, "AL": 0.15, "HSN": 0.1, "FTM": 0.05},
        rare=0.001,
    )
    common = match_record(names=["Mohamed Ahmed Ali"], birth_year=1990)
    rare = match_record(names=["Zakaria Othman Qandil"], birth_year=1990)
    scored_common = score_pair(common, common, weights)
    scored_rare = score_pair(rare, rare, weights)
    assert scored_common.levels == scored_rare.levels
    assert scored_common.frequency < 0 < scored_rare.frequency
    assert scored_common.score < scored_rare.score
    reasons = rules.reasons(scored_rare.levels, weights, frequency=scored_rare.frequency)
    assert "names_frequency" in [reason["reason"] for reason in reasons]


def test_without_frequencies_no_adjustment_is_made() -> None:
    record = match_record(names=["Zakaria Othman Qandil"], birth_year=1990)
    assert score_pair(record, record, rules.DEFAULT_WEIGHTS).frequency == 0.0


def test_part_frequencies_keep_only_parts_held_by_enough_records() -> None:
    records = {
        number: match_record(names=["Mohamed Ali" if number < 6 else f"Ahmed Zaki{number}"])
        for number in range(10)
    }
    frequencies, rare = rules.part_frequencies(rules.features(records))
    assert set(frequencies) == {"MHMD", "AL"}
    assert frequencies["MHMD"] == pytest.approx(6 / 20)
    assert rare == pytest.approx(rules.FREQUENCY_MINIMUM / 20)


def test_reasons_name_each_level_and_its_weight_strongest_first() -> None:
    levels = {"name": "exact", "birth": "different", "sex": None}
    reasons = rules.reasons(levels, rules.DEFAULT_WEIGHTS)
    assert [reason["reason"] for reason in reasons] == ["names_same", "birth_different"]
    assert reasons[0]["weight"] > 0 > reasons[1]["weight"]


def _registry(seed: int) -> tuple[dict[int, survivor_rules.MatchRecord], set[tuple[int, int]]]:
    """Sixty people (no two with the same first, father's and family names), twenty of
    them registered twice: the second time in Latin script, the grandfather's name left
    out, the year guessed one year off."""
    generator = random.Random(seed)
    first = [("فاطمة", "Fatma"), ("زينب", "Zeinab"), ("مريم", "Mariam"), ("هدى", "Hoda")]
    first += [("سارة", "Sara"), ("ليلى", "Laila"), ("دينا", "Dina"), ("ريم", "Reem")]
    fathers = [("أحمد", "Ahmed"), ("علي", "Ali"), ("عمر", "Omar"), ("خالد", "Khaled")]
    fathers += [("يوسف", "Youssef"), ("طارق", "Tarek"), ("جمال", "Gamal"), ("وليد", "Walid")]
    family = [("المصري", "El Masry"), ("النجار", "El Naggar"), ("سليمان", "Soliman")]
    family += [("شاهين", "Shahin"), ("فرج", "Farag"), ("زيدان", "Zidan")]
    records: dict[int, survivor_rules.MatchRecord] = {}
    truth: set[tuple[int, int]] = set()
    triples = generator.sample(list(itertools.product(first, fathers, family)), 60)
    for person, (own, father, surname) in enumerate(triples):
        parts = [own, father, generator.choice(fathers), surname]
        year = generator.randint(1970, 2005)
        records[2 * person] = match_record(
            names=[" ".join(arabic for arabic, _latin in parts)], birth_year=year, sex="female"
        )
        if person < 20:
            latin = [latin for _arabic, latin in parts]
            records[2 * person + 1] = match_record(
                names=[" ".join(latin[:2] + latin[3:])], birth_year=year + 1, sex="female"
            )
            truth.add((2 * person, 2 * person + 1))
    return records, truth


def _keys(records: dict[int, survivor_rules.MatchRecord]) -> dict[int, set[str]]:
    """Each record's blocking keys, from its names, year and documents."""
    return {
        record_id: match_keys(
            names=list(record.names),
            birth_year=record.birth_year,
            document_numbers=sorted(record.documents),
            phones="",
        )
        for record_id, record in records.items()
    }


def test_em_estimates_weights_that_find_the_registered_twice() -> None:
    records, truth = _registry(seed=3)
    keys = _keys(records)
    found, weights, compared = rules.find_pairs(records, keys, threshold=0.8)
    assert weights.m["name"]["part_missing"] > weights.u["name"]["part_missing"]
    assert weights.m["name"]["different"] < weights.u["name"]["different"]
    assert weights.m["birth"]["one_year"] > weights.u["birth"]["one_year"]
    assert 0 < weights.prior < 1
    assert {(pair.first, pair.second) for pair in found} == truth
    assert compared > len(truth)


def test_the_m_of_the_name_is_read_from_the_pairs_that_share_a_document(monkeypatch) -> None:
    records, truth = _registry(seed=3)
    for first, second in truth:  # both registrations of each person hold the same passport
        number = f"P{first:07d}"
        for record_id in (first, second):
            records[record_id] = dataclasses.replace(
                records[record_id], documents=frozenset({number})
            )
    keys = _keys(records)
    levels = [comparison_levels(records[a], records[b])["name"] for a, b in sorted(truth)]
    counts = [float(levels.count(level)) for level in rules.NAME_LEVELS]
    expected = rules._shares(
        rules.NAME_LEVELS, np.array(counts), start=rules.DEFAULT_WEIGHTS.m["name"]
    )

    monkeypatch.setattr(rules, "ANCHOR_MINIMUM", len(truth))
    found, weights, _compared = rules.find_pairs(records, keys, threshold=0.8)
    assert weights.m["name"] == expected
    assert {(pair.first, pair.second) for pair in found} == truth

    monkeypatch.setattr(rules, "ANCHOR_MINIMUM", len(truth) + 1)  # too few: EM estimates it
    _found, estimated, _compared = rules.find_pairs(records, keys, threshold=0.8)
    assert estimated.m["name"] != expected


def test_weights_in_which_the_weakest_name_levels_weigh_for_a_match_are_not_plausible() -> None:
    assert rules.plausible_name_weights(rules.DEFAULT_WEIGHTS)
    m = {**rules.DEFAULT_WEIGHTS.m, "name": {**rules.DEFAULT_WEIGHTS.m["name"]}}
    m["name"]["one_different"] = 0.52  # above its u (0.30): a cluster of look-alikes
    assert not rules.plausible_name_weights(dataclasses.replace(rules.DEFAULT_WEIGHTS, m=m))


def test_when_em_takes_look_alikes_for_matches_the_stated_m_of_the_name_is_kept(
    monkeypatch,
) -> None:
    records, _truth = _registry(seed=3)
    keys = _keys(records)
    _found, estimated, _compared = rules.find_pairs(records, keys, threshold=0.8)
    assert estimated.m["name"] != rules.DEFAULT_WEIGHTS.m["name"]

    monkeypatch.setattr(rules, "plausible_name_weights", lambda weights: False)
    _found, kept, _compared = rules.find_pairs(records, keys, threshold=0.8)
    assert kept.m["name"] == rules.DEFAULT_WEIGHTS.m["name"]
    assert kept.m["birth"] != rules.DEFAULT_WEIGHTS.m["birth"]  # the rest still estimated


def test_em_without_pairs_keeps_the_stated_weights() -> None:
    assert rules.estimate_from_pairs([], {}) is rules.DEFAULT_WEIGHTS


def test_stored_weights_that_do_not_fit_give_the_defaults() -> None:
    assert rules.weights_from_dict({"m": 1}) is rules.DEFAULT_WEIGHTS
    stored = rules.weights_as_dict(rules.DEFAULT_WEIGHTS)
    assert rules.weights_from_dict(stored) == rules.DEFAULT_WEIGHTS
    older = {
        "m": {"name": {"exact": 0.5, "close": 0.5}},
        "u": {"name": {"exact": 0.1, "close": 0.9}},
        "prior": 0.1,
    }
    assert rules.weights_from_dict(older) is rules.DEFAULT_WEIGHTS


def test_blocking_pairs_records_sharing_a_key_once_and_skips_huge_blocks() -> None:
    keys = {1: ["x", "y"], 2: ["x", "y"], 3: ["y"], 4: ["z"]}
    assert rules.blocked_pairs(keys) == {(1, 2), (1, 3), (2, 3)}
    assert rules.blocked_pairs(keys, max_block=2) == {(1, 2)}
