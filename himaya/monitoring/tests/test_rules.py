from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himaya.monitoring import rules

THRESHOLD = 5


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 40), max_size=8))
def test_no_small_cell_is_published_and_no_single_hidden_cell_follows_from_the_total(
    counts: list[int],
) -> None:
    cells = {f"m{n}": count for n, count in enumerate(counts)}
    total = sum(cells.values())
    hidden = rules.suppress_row(total, cells, THRESHOLD)
    published = {m: v for m, v in cells.items() if m not in hidden}
    assert all(not (0 < v < THRESHOLD) for v in published.values())
    total_published = not rules.primary_suppressed(total, THRESHOLD)
    if total_published:
        # The total minus the published cells is the sum of the hidden ones: it must
        # never be the value of one single hidden cell.
        assert len(hidden) != 1


def test_a_single_small_cell_hides_the_smallest_other_one_too() -> None:
    assert rules.suppress_row(20, {"female": 3, "male": 10, "unknown": 7}, 5) == {
        "female",
        "unknown",
    }


def test_two_small_cells_hide_nothing_more() -> None:
    assert rules.suppress_row(20, {"a": 3, "b": 2, "c": 15}, 5) == {"a", "b"}


def test_zero_is_published() -> None:
    assert rules.suppress_row(12, {"a": 0, "b": 12}, 5) == set()


def test_values_by_unit() -> None:
    assert rules.value_of(rules.COUNT, Decimal(7), None) == Decimal("7.00")
    assert rules.value_of(rules.PERCENT, Decimal(1), Decimal(3)) == Decimal("33.33")
    assert rules.value_of(rules.DAYS, Decimal(10), Decimal(4)) == Decimal("2.50")
    assert rules.value_of(rules.RATE, Decimal(21), Decimal(10_300_000)) == Decimal("0.20")
    assert rules.value_of(rules.PERCENT, Decimal(0), Decimal(0)) is None


def test_status_against_thresholds_in_both_directions() -> None:
    better = {"warning": Decimal(75), "critical": Decimal(50), "higher_is_better": True}
    assert rules.status_of(Decimal(80), **better) == rules.GOOD
    assert rules.status_of(Decimal(70), **better) == rules.WARNING
    assert rules.status_of(Decimal(40), **better) == rules.CRITICAL
    worse = {"warning": Decimal(45), "critical": Decimal(90), "higher_is_better": False}
    assert rules.status_of(Decimal(30), **worse) == rules.GOOD
    assert rules.status_of(Decimal(60), **worse) == rules.WARNING
    assert rules.status_of(Decimal(95), **worse) == rules.CRITICAL
    assert rules.status_of(None, **worse) == rules.NO_STATUS
