from collections.abc import Iterable

from hypothesis import given
from hypothesis import strategies as st

from himaya.core.codes import ALPHABET, is_valid_code, new_code, new_codes


def test_codes_have_a_prefix_two_groups_and_a_check_character() -> None:
    code = new_code("SV")
    prefix, first, second, check = code.split("-")
    assert prefix == "SV"
    assert len(first) == len(second) == 4
    assert len(check) == 1
    assert is_valid_code(code, "SV")


def test_codes_avoid_look_alike_characters() -> None:
    assert not set("01ILOUV") & set(ALPHABET)


def test_ten_thousand_codes_are_all_different() -> None:
    codes = {new_code("CS") for _ in range(10_000)}
    assert len(codes) == 10_000


@given(st.integers(min_value=0, max_value=7), st.sampled_from(ALPHABET))
def test_a_single_changed_character_is_detected(position: int, replacement: str) -> None:
    code = new_code("SV")
    body = code[3:7] + code[8:12]
    if body[position] == replacement:
        return
    changed = body[:position] + replacement + body[position + 1 :]
    tampered = f"SV-{changed[:4]}-{changed[4:]}-{code[-1]}"
    assert not is_valid_code(tampered, "SV")


def test_a_code_with_the_wrong_prefix_is_not_valid() -> None:
    assert not is_valid_code(new_code("SV"), "CS")


def test_bulk_codes_are_distinct_and_never_one_already_taken() -> None:
    refused: list[str] = []

    def taken(candidates: Iterable[str]) -> list[str]:
        candidates = sorted(candidates)
        if not refused:  # the first look-up finds two of the candidates stored already
            refused.extend(candidates[:2])
            return candidates[:2]
        return []

    codes = new_codes("SV", 1_000, taken=taken)
    assert len(codes) == len(set(codes)) == 1_000
    assert len(refused) == 2
    assert not set(refused) & set(codes)
    assert all(is_valid_code(code, "SV") for code in codes)
