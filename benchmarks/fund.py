"""Balances of budget lines: the sums each line keeps against summing its ledger.

Every movement written to the ledger adds its amount to its line's kept sum of that kind
(``BudgetLine.total_<kind>``, in the same transaction); ``selectors.balances_of`` turns the
kept sums into balances without reading the ledger. The baselines load the ledger and add
the movements up in Python with the same ``rules.balances_from_sums``, and sum one line's
ledger in one aggregate query (``selectors.ledger_balances``: how balances were read
before the lines kept their sums; it grows with the line's ledger).
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from random import Random

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import population
from himaya.accounts.models import User
from himaya.agencies.models import AgencyKind, Role
from himaya.agencies.permissions import forget_roles
from himaya.fund.actions import recount_line_totals
from himaya.fund.models import (
    BudgetLine,
    EntryKind,
    FiscalYear,
    LedgerEntry,
    PaymentRequest,
    Purpose,
    Source,
    Status,
)
from himaya.fund.rules import Balances, balances_from_sums
from himaya.fund.selectors import (
    KINDS,
    balances_of,
    budget_lines_visible_to,
    get_budget_line_or_404,
    ledger_balances,
)

Compare = Callable[[str, Callable[[], object], Callable[[], object], int], None]
ZERO = Decimal("0.00")

# The life of a request in the ledger: the movements it wrote, and the status it ends in.
LIVES: list[tuple[str, tuple[str, ...]]] = [
    (Status.PAID, (EntryKind.COMMITMENT, EntryKind.PAYMENT)),
    (Status.PAID, (EntryKind.COMMITMENT, EntryKind.PAYMENT)),
    (Status.PAID, (EntryKind.COMMITMENT, EntryKind.PAYMENT)),
    (Status.APPROVED, (EntryKind.COMMITMENT,)),
    (Status.REJECTED, (EntryKind.COMMITMENT, EntryKind.RELEASE)),
    (Status.REVERSED, (EntryKind.COMMITMENT, EntryKind.PAYMENT, EntryKind.REVERSAL)),
]


def _build(lines: int, movements: int, rng: Random) -> User:
    """Budget lines over two fiscal years and about ``movements`` ledger movements."""
    ministry = population.agency("Fund directorate", AgencyKind.MINISTRY)
    officer = population.person("bench-fund-officer", Role.FUND_OFFICER, ministry)
    approver = population.person("bench-fund-approver", Role.FUND_APPROVER, ministry)
    worker = population.person("bench-fund-worker", Role.CASE_WORKER, ministry)
    people = population.survivors(200, agency=ministry, by=worker, rng=rng)
    files = population.cases(
        people, lead=ministry, workers=[worker], rng=rng, phases=["assistance"]
    )
    years = [
        FiscalYear.objects.get_or_create(
            label=label, defaults={"starts_on": start.date(), "ends_on": end.date()}
        )[0]
        for label, start, end in [
            ("2025/26", datetime(2025, 7, 1), datetime(2026, 6, 30)),
            ("2026/27", datetime(2026, 7, 1), datetime(2027, 6, 30)),
        ]
    ]
    budget = BudgetLine.objects.bulk_create(
        population.coded(
            [
                BudgetLine(
                    fiscal_year=years[n % 2],
                    name_ar=f"بند رقم {n}",
                    name_en=f"Budget line {n:03d}",
                    source=Source.DONOR if n % 3 == 0 else Source.GOVERNMENT,
                    donor="Donor" if n % 3 == 0 else "",
                    amount=Decimal(rng.randint(5_000_000, 20_000_000)),
                )
                for n in range(lines)
            ]
        )
    )

    def moment(line: BudgetLine) -> datetime:
        start = timezone.make_aware(
            datetime.combine(line.fiscal_year.starts_on, datetime.min.time())
        )
        return start + timedelta(minutes=rng.randint(0, 364 * 24 * 60))

    entries = [
        LedgerEntry(
            budget_line=line,
            kind=EntryKind.ALLOCATION,
            amount=line.amount,
            occurred_at=moment(line),
            by=officer,
        )
        for line in budget
    ]
    lives: list[tuple[PaymentRequest, tuple[str, ...], datetime]] = []
    written = len(entries)
    while written < movements:
        status, kinds = LIVES[len(lives) % len(LIVES)]
        written += len(kinds)
        line = rng.choice(budget)
        request = PaymentRequest(
            case=rng.choice(files),
            budget_line=line,
            purpose=rng.choice(Purpose.values),
            amount=Decimal(rng.randint(10_000, 1_500_000)) / 100,
            justification="مساعدة عاجلة",
            status=status,
            requested_by=officer,
            approved_by=approver if status != Status.REJECTED else None,
        )
        lives.append((request, kinds, moment(line)))
    made = PaymentRequest.objects.bulk_create(
        population.coded([request for request, _, _ in lives]), batch_size=population.BATCH
    )
    for request, (_, kinds, when) in zip(made, lives, strict=True):
        for step, kind in enumerate(kinds):
            entries.append(
                LedgerEntry(
                    budget_line_id=request.budget_line_id,
                    request=request,
                    kind=kind,
                    amount=request.amount,
                    occurred_at=when + timedelta(days=step * 3),
                    by=approver,
                )
            )
    LedgerEntry.objects.bulk_create(entries, batch_size=population.BATCH)
    recount_line_totals()  # rows loaded in bulk: the lines' sums set once from their ledger
    return officer


def summed_in_python(
    lines: list[BudgetLine], entries: Iterable[LedgerEntry]
) -> list[tuple[str, Balances]]:
    sums = {line.pk: dict.fromkeys(KINDS, ZERO) for line in lines}
    for entry in entries:
        sums[entry.budget_line_id][entry.kind] += entry.amount
    return [(line.code, balances_from_sums(**sums[line.pk])) for line in lines]


def run(
    size: int, rounds: int, compare: Compare, compare_cost: Compare, *, lines: int = 50
) -> None:
    rng = Random(20261128)
    officer = _build(lines, size, rng)
    movements = LedgerEntry.objects.count()
    line_count = BudgetLine.objects.count()

    def derived() -> list[tuple[str, Balances]]:
        """The budget lines page: the lines with their sums, and each line's balances."""
        forget_roles(officer)
        rows = budget_lines_visible_to(officer).order_by("fiscal_year__starts_on", "name_en")
        return [(line.code, balances_of(line)) for line in rows]

    def in_python() -> list[tuple[str, Balances]]:
        forget_roles(officer)
        assert officer.has_perm("fund.view_payments")
        rows = list(
            BudgetLine.objects.select_related("fiscal_year").order_by(
                "fiscal_year__starts_on", "name_en"
            )
        )
        return summed_in_python(rows, LedgerEntry.objects.all())

    expected = in_python()
    with CaptureQueriesContext(connection) as queries:
        got = derived()
    assert got == expected
    assert len(got) == line_count and any(b.paid > 0 and b.committed > 0 for _, b in got)
    print(
        f"  ({line_count} budget lines, {movements} ledger movements; "
        f"balances of all lines in {len(queries.captured_queries)} queries)"
    )
    compare(
        f"balances of {line_count} budget lines over {movements} movements: "
        "kept sums vs summing the ledger in Python",
        in_python,
        derived,
        rounds,
    )

    # One line's page: its balances from its kept sums against its own movements summed.
    busiest = max(got, key=lambda row: row[1].paid)[0]

    def one_derived() -> Balances:
        forget_roles(officer)
        return balances_of(get_budget_line_or_404(officer, busiest))

    def one_in_python() -> Balances:
        forget_roles(officer)
        line = BudgetLine.objects.select_related("fiscal_year").get(code=busiest)
        assert officer.has_perm("fund.view_payments")
        return summed_in_python([line], line.entries.all())[0][1]

    assert one_derived() == one_in_python() == dict(expected)[busiest]
    per_line = LedgerEntry.objects.filter(budget_line__code=busiest).count()
    compare(
        f"balances of one budget line with {per_line} movements: "
        "kept sums vs summing its movements in Python",
        one_in_python,
        one_derived,
        rounds,
    )

    def one_aggregated() -> Balances:
        forget_roles(officer)
        line = get_budget_line_or_404(officer, busiest)
        return ledger_balances(LedgerEntry.objects.filter(budget_line=line))

    assert one_aggregated() == one_derived()
    compare(
        f"balances of one budget line with {per_line} movements: "
        "kept sums vs one aggregate query over its ledger",
        one_aggregated,
        one_derived,
        rounds,
    )
