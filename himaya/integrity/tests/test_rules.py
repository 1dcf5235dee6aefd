"""The invariants as pure rules: each finds the broken row it is given, and nothing else."""

from decimal import Decimal

from himaya.cases.models import TRANSITIONS
from himaya.integrity.rules import Finding, ledger_findings, phase_findings, stay_findings

LINE = {"id": 1, "code": "BL-1", "amount": Decimal("1000.00")}
ALLOCATION = {
    "id": 1,
    "budget_line_id": 1,
    "request_id": None,
    "kind": "allocation",
    "amount": Decimal("1000.00"),
}


def entry(number: int, kind: str, amount: str = "100.00", line: int = 1) -> dict[str, object]:
    return {
        "id": number,
        "budget_line_id": line,
        "request_id": 7,
        "kind": kind,
        "amount": Decimal(amount),
    }


def request(status: str) -> dict[str, object]:
    return {
        "id": 7,
        "code": "PR-7",
        "budget_line_id": 1,
        "status": status,
        "amount": Decimal("100.00"),
    }


def test_a_paid_request_with_its_commitment_and_payment_balances() -> None:
    entries = [ALLOCATION, entry(2, "commitment"), entry(3, "payment")]
    assert ledger_findings(lines=[LINE], entries=entries, requests=[request("paid")]) == []


def test_a_rejected_request_may_have_no_movement_or_a_released_commitment() -> None:
    for entries in ([ALLOCATION], [ALLOCATION, entry(2, "commitment"), entry(3, "release")]):
        assert ledger_findings(lines=[LINE], entries=entries, requests=[request("rejected")]) == []


def test_a_paid_request_without_its_payment_line_is_found() -> None:
    entries = [ALLOCATION, entry(2, "commitment")]
    assert ledger_findings(lines=[LINE], entries=entries, requests=[request("paid")]) == [
        Finding("ledger", "PR-7", "status paid with movements ['commitment']")
    ]


def test_a_payment_line_without_its_paid_status_is_found() -> None:
    entries = [ALLOCATION, entry(2, "commitment"), entry(3, "payment")]
    found = ledger_findings(lines=[LINE], entries=entries, requests=[request("approved")])
    assert found == [
        Finding("ledger", "PR-7", "status approved with movements ['commitment', 'payment']")
    ]


def test_a_movement_of_another_amount_is_found() -> None:
    entries = [ALLOCATION, entry(2, "commitment", amount="99.00")]
    found = ledger_findings(lines=[LINE], entries=entries, requests=[request("approved")])
    assert found == [Finding("ledger", "PR-7", "commitment of 99.00, not the amount")]


def test_a_line_spending_more_than_its_allocation_is_found() -> None:
    entries = [ALLOCATION, entry(2, "commitment", amount="1500.00")]
    big = {**request("approved"), "amount": Decimal("1500.00")}
    found = ledger_findings(lines=[LINE], entries=entries, requests=[big])
    assert found == [Finding("ledger", "BL-1", "available balance is negative: -500.00")]


def test_an_allocation_other_than_the_line_amount_is_found() -> None:
    found = ledger_findings(
        lines=[{**LINE, "amount": Decimal("900.00")}], entries=[ALLOCATION], requests=[]
    )
    assert found == [
        Finding("ledger", "BL-1", "allocated 1000.00 on the ledger, 900.00 on the line")
    ]


def stay(
    number: int, *, bed: int, survivor: int | None, status: str = "open", of: int | None = None
) -> dict[str, object]:
    return {
        "id": number,
        "code": f"ST-{number}",
        "bed_id": bed,
        "survivor_id": survivor,
        "companion_of_id": of,
        "status": status,
    }


def test_open_stays_in_their_own_beds_are_intact() -> None:
    stays = [
        stay(1, bed=1, survivor=1),
        stay(2, bed=2, survivor=None, of=1),
        stay(3, bed=1, survivor=1, status="transferred"),
    ]
    assert stay_findings(stays) == []


def test_two_open_stays_in_one_bed_are_found() -> None:
    found = stay_findings([stay(1, bed=1, survivor=1), stay(2, bed=1, survivor=2)])
    assert found == [Finding("stays", "ST-1, ST-2", "open stays share one bed")]


def test_two_open_stays_of_one_survivor_are_found() -> None:
    found = stay_findings([stay(1, bed=1, survivor=1), stay(2, bed=2, survivor=1)])
    assert found == [Finding("stays", "ST-1, ST-2", "one survivor has several open stays")]


def test_a_child_still_in_after_the_survivor_left_is_found() -> None:
    found = stay_findings(
        [stay(1, bed=1, survivor=1, status="discharged"), stay(2, bed=2, survivor=None, of=1)]
    )
    assert found == [Finding("stays", "ST-2", "a child's stay is open after the survivor's")]


def change(case: int, from_phase: str, to_phase: str) -> dict[str, object]:
    return {"case_id": case, "from_phase": from_phase, "to_phase": to_phase}


CASE = {"id": 1, "code": "CA-1", "phase": "assistance"}


def test_a_history_ending_in_the_case_phase_is_consistent() -> None:
    changes = [change(1, "", "identification"), change(1, "identification", "assistance")]
    assert phase_findings(cases=[CASE], changes=changes, transitions=TRANSITIONS) == []


def test_a_phase_the_history_never_reached_is_found() -> None:
    changes = [change(1, "", "identification")]
    assert phase_findings(cases=[CASE], changes=changes, transitions=TRANSITIONS) == [
        Finding("phases", "CA-1", "phase assistance, its history ends in identification")
    ]


def test_a_gap_in_the_history_is_found() -> None:
    changes = [change(1, "", "identification"), change(1, "protection", "assistance")]
    assert phase_findings(cases=[CASE], changes=changes, transitions=TRANSITIONS) == [
        Finding("phases", "CA-1", "change 2 leaves protection, the case was in identification")
    ]


def test_a_move_the_rules_forbid_is_found() -> None:
    closed = {**CASE, "phase": "assistance"}
    changes = [
        change(1, "", "identification"),
        change(1, "identification", "closed"),
        change(1, "closed", "assistance"),
    ]
    assert phase_findings(cases=[closed], changes=changes, transitions=TRANSITIONS) == [
        Finding("phases", "CA-1", "change 3: closed to assistance is not an allowed move")
    ]


def test_a_case_without_history_is_found() -> None:
    assert phase_findings(cases=[CASE], changes=[], transitions=TRANSITIONS) == [
        Finding("phases", "CA-1", "no phase history")
    ]
