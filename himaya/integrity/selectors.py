"""Read the rows the invariants are checked on, and check them (``rules``).

Cases are read in batches of ``BATCH`` so that a national database is checked in bounded
memory; the ledger and the stays are small enough to read whole.
"""

from collections.abc import Callable, Sequence

from himaya.audit.anchors import AnchorFileError, read_anchors
from himaya.audit.selectors import verify_chain
from himaya.cases.models import TRANSITIONS, Case, PhaseChange
from himaya.fund.models import BudgetLine, LedgerEntry, PaymentRequest
from himaya.integrity import rules
from himaya.integrity.rules import Finding
from himaya.shelters.models import Stay

BATCH = 5000


def ledger_findings() -> list[Finding]:
    return rules.ledger_findings(
        lines=BudgetLine.objects.order_by("id").values(
            "id", "code", "amount", *(f"total_{kind}" for kind in rules.MOVEMENTS)
        ),
        entries=LedgerEntry.objects.order_by("id")
        .values("id", "budget_line_id", "request_id", "kind", "amount")
        .iterator(chunk_size=BATCH),
        requests=PaymentRequest.objects.order_by("id")
        .values("id", "code", "budget_line_id", "status", "amount")
        .iterator(chunk_size=BATCH),
    )


def stay_findings() -> list[Finding]:
    return rules.stay_findings(
        Stay.objects.order_by("id")
        .values("id", "code", "bed_id", "survivor_id", "companion_of_id", "status")
        .iterator(chunk_size=BATCH)
    )


def audit_findings() -> list[Finding]:
    try:
        anchors = read_anchors()
    except AnchorFileError as exc:
        return [Finding(rules.AUDIT, "anchors", str(exc))]
    report = verify_chain(anchors=anchors)
    if report.broken is None:
        return []
    return [Finding(rules.AUDIT, f"event #{report.broken.sequence}", report.broken.reason)]


def phase_findings() -> list[Finding]:
    findings: list[Finding] = []
    after = 0
    while True:
        cases = list(
            Case.objects.filter(id__gt=after).order_by("id").values("id", "code", "phase")[:BATCH]
        )
        if not cases:
            return findings
        first, last = cases[0]["id"], cases[-1]["id"]
        changes = (
            PhaseChange.objects.filter(case_id__gte=first, case_id__lte=last)
            .order_by("case_id", "id")
            .values("case_id", "from_phase", "to_phase")
        )
        findings += rules.phase_findings(cases=cases, changes=changes, transitions=TRANSITIONS)
        after = last


CHECKS: dict[str, Callable[[], list[Finding]]] = {
    rules.LEDGER: ledger_findings,
    rules.STAYS: stay_findings,
    rules.AUDIT: audit_findings,
    rules.PHASES: phase_findings,
}


def check_invariants(names: Sequence[str] = rules.CHECKS) -> dict[str, list[Finding]]:
    """The findings of each named check (every check by default)."""
    return {name: CHECKS[name]() for name in names}
