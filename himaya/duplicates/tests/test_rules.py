"""Name keys in both scripts, comparison levels, Fellegi–Sunter scores and EM."""

import pytest

from himaya.duplicates import rules
from himaya.survivors import rules as survivor_rules
from himaya.survivors.rules import (
    comparison_levels,
    estimate_weights,
    match_keys,
    match_record,
    match_score,
    name_key,
)

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
    assert levels["name"] == "exact"
    assert levels["birth"] == "within_3_years"
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


def test_reasons_name_each_level_and_its_weight_strongest_first() -> None:
    levels = {"name": "exact", "birth": "different", "sex": None}
    reasons = rules.reasons(levels, survivor_rules.DEFAULT_WEIGHTS)
    assert [reason["reason"] for reason in reasons] == ["names_same", "birth_different"]
    assert reasons[0]["weight"] > 0 > reasons[1]["weight"]


def test_em_recovers_the_share_of_matches_and_keeps_weights_ordered() -> None:
    matches = [{"name": "exact", "birth": "same_year", "sex": "same"}] * 100
    near = [{"name": "close", "birth": "within_3_years", "sex": "same"}] * 40
    others = [{"name": "different", "birth": "different", "sex": "same"}] * 700
    others += [{"name": "similar", "birth": "different", "sex": "different"}] * 160
    weights = estimate_weights(matches + near + others)
    assert 0.10 <= weights.prior <= 0.16
    assert weights.m["name"]["exact"] > weights.u["name"]["exact"]
    assert weights.m["name"]["different"] < weights.u["name"]["different"]


def test_em_without_pairs_keeps_the_stated_weights() -> None:
    assert estimate_weights([]) is survivor_rules.DEFAULT_WEIGHTS


def test_stored_weights_that_do_not_fit_give_the_defaults() -> None:
    assert survivor_rules.weights_from_dict({"m": 1}) is survivor_rules.DEFAULT_WEIGHTS
    stored = survivor_rules.weights_as_dict(survivor_rules.DEFAULT_WEIGHTS)
    assert survivor_rules.weights_from_dict(stored) == survivor_rules.DEFAULT_WEIGHTS


def test_blocking_pairs_records_sharing_a_key_once_and_skips_huge_blocks() -> None:
    keys = {1: ["x", "y"], 2: ["x", "y"], 3: ["y"], 4: ["z"]}
    assert rules.blocked_pairs(keys) == {(1, 2), (1, 3), (2, 3)}
    assert rules.blocked_pairs(keys, max_block=2) == {(1, 2)}
