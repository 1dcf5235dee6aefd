"""The pure rules: CTDC's bands, the k-anonymity rule, the layouts, a row's validation."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from himaya.exchange import rules

QUASI = rules.QUASI_IDENTIFIERS

record = st.fixed_dictionaries(
    {
        "yearOfRegistration": st.sampled_from(["2019", "2020", "2021", "2024", ""]),
        "gender": st.sampled_from(["Female", "Male", "Unknown"]),
        "ageBroad": st.sampled_from([label for _l, _h, label in rules.AGE_BANDS] + [""]),
        "majorityStatus": st.sampled_from(["Minor", "Adult", "Unknown"]),
        "citizenship": st.sampled_from(["EG", "SD", "ER", "SY", "PH", "ET"]),
        "CountryOfExploitation": st.sampled_from(["EG", "SA", "LY", "JO"]),
        "isForcedLabour": st.sampled_from(["0", "1"]),
    }
)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(record, max_size=300), k=st.integers(min_value=2, max_value=15))
def test_every_combination_of_quasi_identifiers_left_occurs_at_least_k_times(
    rows: list[dict[str, str]], k: int
) -> None:
    result = rules.k_anonymise(rows, k=k)

    sizes = Counter(tuple(row[q] for q in QUASI) for row in result.rows)
    assert all(size >= k for size in sizes.values())
    assert result.suppressed == len(rows) - len(result.rows)
    assert len(result.kept) == len(result.rows)
    # What is published of a kept row is its own value or a generalisation of it.
    for position, row in zip(result.kept, result.rows, strict=True):
        assert row["isForcedLabour"] == rows[position]["isForcedLabour"]
        for q in QUASI:
            assert row[q] == rows[position][q] or result.levels[q] > 0


def test_a_dataset_already_k_anonymous_is_published_whole_and_ungeneralised() -> None:
    rows = [{**dict.fromkeys(QUASI, "x")} for _ in range(11)]

    result = rules.k_anonymise(rows, k=11)

    assert result.suppressed == 0
    assert set(result.levels.values()) == {0}


def test_generalisation_comes_before_suppression() -> None:
    base = {"gender": "Female", "majorityStatus": "Adult", "citizenship": "EG"}
    base["CountryOfExploitation"] = "EG"
    rows = [
        {**base, "yearOfRegistration": str(2020 + i % 3), "ageBroad": "18--20"} for i in range(33)
    ]

    result = rules.k_anonymise(rows, k=12)

    assert result.suppressed == 0
    assert result.levels["yearOfRegistration"] == 1
    assert {row["yearOfRegistration"] for row in result.rows} == {"2020--2024"}


def test_k_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        rules.k_anonymise([], k=0)


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "0--8"),
        (8, "0--8"),
        (17, "9--17"),
        (18, "18--20"),
        (47, "39--47"),
        (90, "48+"),
        (None, ""),
    ],
)
def test_ages_fall_in_ctdc_bands(age: int | None, band: str) -> None:
    assert rules.age_band(age) == band


def test_a_case_becomes_a_full_ctdc_row() -> None:
    facts = rules.CaseFacts(
        year=2025,
        sex="female",
        birth_year=2009,
        nationality="ER",
        country_of_exploitation="EG",
        forms=("domestic_servitude",),
        means_of_control=("debt_bondage",),
        labour_sector="T",
        recruiter_relationship="employer",
        was_abducted=False,
        age_at_recruitment=15,
    )

    row = rules.ctdc_row(facts)

    assert list(row) == list(rules.CTDC_COLUMNS)
    assert row["ageBroad"] == "9--17" and row["majorityStatus"] == "Minor"
    assert row["majorityEntry"] == "Minor" and row["majorityStatusAtExploit"] == ""
    assert row["meansOfControlDebtBondage"] == "1" and row["meansOfControlThreats"] == "0"
    assert row["meansOfControlNotSpecified"] == "0"
    assert row["isForcedLabour"] == "1" and row["isSexualExploit"] == "0"
    assert row["typeOfLabourDomesticWork"] == "1" and row["typeOfLabourNotSpecified"] == "0"
    assert row["RecruiterRelationship"] == "Other" and row["recruiterRelationOther"] == "1"
    assert row["isAbduction"] == "0"
    htcds = rules.htcds_row(facts, row)
    assert htcds["vic_TypeOfExploitation"] == "Servitude"
    assert htcds["vic_ForcedLabourIndustry"] == "T_ActivitiesOfHouseholdsAsEmployers"
    assert htcds["vic_MethodsOfControl"] == "DebtBondage"
    assert htcds["prs_Gender"] == "Feminine"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"yearOfRegistration": "٢٠١٥"}, "yearOfRegistration"),
        ({"yearOfRegistration": "99999999999999999999"}, "yearOfRegistration"),
        ({"isForcedLabour": "2"}, "isForcedLabour"),
        ({"ageBroad": "10--12"}, "ageBroad"),
        ({"gender": "x" * 41}, "gender"),
    ],
)
def test_a_bad_ctdc_row_is_refused_with_its_reason(change: dict[str, str], reason: str) -> None:
    row = {
        "yearOfRegistration": "2015",
        "gender": "Male",
        "ageBroad": "9--17",
        "isForcedLabour": "1",
    }

    with pytest.raises(ValueError, match=reason):
        rules.parse_ctdc_row({**row, **change}, 1)


def test_identical_rows_keep_distinct_digests_by_occurrence() -> None:
    row = {"yearOfRegistration": "2015", "gender": "Male", "ageBroad": "9--17"}

    first, second = rules.parse_ctdc_row(row, 1), rules.parse_ctdc_row(row, 2)

    assert first.row_hash != second.row_hash
    assert first.row_hash == rules.parse_ctdc_row(dict(row), 1).row_hash


def test_small_cells_are_hidden_per_year_with_the_dashboard_rule() -> None:
    from himaya.monitoring.rules import suppress_row

    counts = Counter({("2025", "FEMALE"): 40, ("2025", "MALE"): 3, ("2025", "UNKNOWN"): 12})

    hidden = rules.hidden_cells(counts, 5, suppress_row)

    assert hidden == {("2025", "MALE"), ("2025", "UNKNOWN")}
