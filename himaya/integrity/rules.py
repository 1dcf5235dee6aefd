"""Pure rules of the invariants: what must hold in the stored data. No database here.

Each check takes plain rows (mappings, as ``values()`` returns them) and answers the
findings, one per broken row; an empty list means the invariant holds. The selectors
read the rows; ``manage.py check_invariants`` and the nightly task report the findings.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from himaya.fund.rules import balances_from_sums

Row = Mapping[str, Any]
ZERO = Decimal("0")

LEDGER = "ledger"
STAYS = "stays"
AUDIT = "audit"
PHASES = "phases"
CHECKS = (LEDGER, STAYS, AUDIT, PHASES)


@dataclass(frozen=True)
class Finding:
    """One broken invariant: which check, which record (by its public code), what is wrong."""

    check: str
    record: str
    problem: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.record}: {self.problem}"


# The movements a payment request has on the ledger in each of its statuses. A rejected
# request has none, or a commitment and its release (rejected after a first approval).
KINDS_BY_STATUS: dict[str, tuple[frozenset[str], ...]] = {
    "requested": (frozenset(),),
    "second_approval_needed": (frozenset({"commitment"}),),
    "approved": (frozenset({"commitment"}),),
    "rejected": (frozenset(), frozenset({"commitment", "release"})),
    "paid": (frozenset({"commitment", "payment"}),),
    "reversed": (frozenset({"commitment", "payment", "reversal"}),),
}
MOVEMENTS = ("allocation", "commitment", "release", "payment", "reversal")


def ledger_findings(
    *, lines: Iterable[Row], entries: Iterable[Row], requests: Iterable[Row]
) -> list[Finding]:
    """The fund's ledger balances.

    ``lines``: ``id, code, amount`` and the sums the line keeps (``total_<kind>``,
    optional); ``entries``: ``id, budget_line_id, request_id, kind,
    amount``; ``requests``: ``id, code, budget_line_id, status, amount``. Every line is
    allocated exactly its amount, keeps the sums its ledger holds, no balance is negative,
    and every request has exactly the movements its status implies, each of its own amount
    on its own line.
    """
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(MOVEMENTS, ZERO))
    by_request: dict[int, list[Row]] = defaultdict(list)
    for entry in entries:
        amount = Decimal(entry["amount"])
        if entry["kind"] not in MOVEMENTS:
            sums[entry["budget_line_id"]]  # the line is still checked
            continue
        sums[entry["budget_line_id"]][entry["kind"]] += amount
        if entry["request_id"] is not None:
            by_request[entry["request_id"]].append(entry)
    findings: list[Finding] = []
    for line in lines:
        code = str(line["code"])
        line_sums = sums[line["id"]]
        if line_sums["allocation"] != Decimal(line["amount"]):
            findings.append(
                Finding(
                    LEDGER,
                    code,
                    f"allocated {line_sums['allocation']} on the ledger, {line['amount']} "
                    "on the line",
                )
            )
        for kind in MOVEMENTS:
            kept = line.get(f"total_{kind}")
            if kept is not None and Decimal(kept) != line_sums[kind]:
                findings.append(
                    Finding(
                        LEDGER,
                        code,
                        f"the line keeps {kept} as its {kind} sum, the ledger sums to "
                        f"{line_sums[kind]}",
                    )
                )
        balances = balances_from_sums(**line_sums)
        for name in ("committed", "paid", "available"):
            value = getattr(balances, name)
            if value < 0:
                findings.append(Finding(LEDGER, code, f"{name} balance is negative: {value}"))
    for request in requests:
        code = str(request["code"])
        moves = by_request.get(request["id"], [])
        kinds = [entry["kind"] for entry in moves]
        expected = KINDS_BY_STATUS.get(str(request["status"]))
        if expected is None:
            findings.append(Finding(LEDGER, code, f"unknown status {request['status']!r}"))
            continue
        if len(kinds) != len(set(kinds)) or frozenset(kinds) not in expected:
            findings.append(
                Finding(
                    LEDGER,
                    code,
                    f"status {request['status']} with movements {sorted(kinds) or 'none'}",
                )
            )
        for entry in moves:
            if Decimal(entry["amount"]) != Decimal(request["amount"]):
                findings.append(
                    Finding(LEDGER, code, f"{entry['kind']} of {entry['amount']}, not the amount")
                )
            if entry["budget_line_id"] != request["budget_line_id"]:
                findings.append(Finding(LEDGER, code, f"{entry['kind']} on another budget line"))
    return findings


def stay_findings(stays: Iterable[Row]) -> list[Finding]:
    """One open stay per bed and per person.

    ``stays``: ``id, code, bed_id, survivor_id, companion_of_id, status``. A bed holds one
    open stay, a survivor has one open stay, and a child's stay is open only while the stay
    it accompanies is open.
    """
    rows = list(stays)
    by_id = {row["id"]: row for row in rows}
    per_bed: dict[int, list[str]] = defaultdict(list)
    per_survivor: dict[int, list[str]] = defaultdict(list)
    findings: list[Finding] = []
    for row in rows:
        if row["status"] != "open":
            continue
        per_bed[row["bed_id"]].append(str(row["code"]))
        if row["survivor_id"] is not None:
            per_survivor[row["survivor_id"]].append(str(row["code"]))
        parent = by_id.get(row["companion_of_id"]) if row["companion_of_id"] else None
        if row["companion_of_id"] and (parent is None or parent["status"] != "open"):
            findings.append(
                Finding(STAYS, str(row["code"]), "a child's stay is open after the survivor's")
            )
    for codes in per_bed.values():
        if len(codes) > 1:
            findings.append(Finding(STAYS, ", ".join(sorted(codes)), "open stays share one bed"))
    for codes in per_survivor.values():
        if len(codes) > 1:
            findings.append(
                Finding(STAYS, ", ".join(sorted(codes)), "one survivor has several open stays")
            )
    return findings


def phase_findings(
    *, cases: Iterable[Row], changes: Iterable[Row], transitions: Mapping[str, Iterable[str]]
) -> list[Finding]:
    """Every case's phase history is consistent with its phase.

    ``cases``: ``id, code, phase``; ``changes``: ``case_id, from_phase, to_phase`` in the
    order they were recorded. The history starts from no phase, each change leaves the
    phase the previous one entered, follows an allowed move, and the last one entered the
    case's phase.
    """
    history: dict[int, list[Row]] = defaultdict(list)
    for change in changes:
        history[change["case_id"]].append(change)
    findings: list[Finding] = []
    for case in cases:
        code = str(case["code"])
        steps = history.get(case["id"], [])
        if not steps:
            findings.append(Finding(PHASES, code, "no phase history"))
            continue
        current = ""
        for number, step in enumerate(steps, start=1):
            if step["from_phase"] != current:
                findings.append(
                    Finding(
                        PHASES,
                        code,
                        f"change {number} leaves {step['from_phase'] or 'nothing'}, "
                        f"the case was in {current or 'nothing'}",
                    )
                )
                break
            if current and step["to_phase"] not in set(transitions.get(current, ())):
                findings.append(
                    Finding(
                        PHASES,
                        code,
                        f"change {number}: {current} to {step['to_phase']} is not an allowed move",
                    )
                )
                break
            current = step["to_phase"]
        else:
            if current != case["phase"]:
                findings.append(
                    Finding(PHASES, code, f"phase {case['phase']}, its history ends in {current}")
                )
    return findings
