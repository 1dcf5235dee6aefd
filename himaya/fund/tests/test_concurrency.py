"""Real concurrency on PostgreSQL: 50 threads, each with its own connection, approve and pay
requests against one budget line at the same time."""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from himaya.agencies.models import Governorate, Role
from himaya.core.errors import DomainError
from himaya.fund import actions
from himaya.fund.models import EntryKind, LedgerEntry, Method, PaymentRequest, Purpose, Status
from himaya.fund.selectors import ledger_balances
from himaya.fund.tests.factories import (
    BudgetLineFactory,
    PaymentRequestFactory,
    balances_now,
    make_case,
    version_of,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 50
REQUESTS = 25
AMOUNT = Decimal("800.00")
LINE = Decimal("10000.00")


def test_fifty_concurrent_approvals_and_payments_never_overspend_nor_pay_twice(
    make_persona,
) -> None:
    # Transactional tests flush the governorates loaded by migrations: put Cairo back.
    Governorate.objects.get_or_create(
        code="EG-C", defaults={"name_ar": "القاهرة", "name_en": "Cairo"}
    )
    officer = make_persona(Role.FUND_OFFICER, None, "race_officer")
    approvers = [make_persona(Role.FUND_APPROVER, None, f"race_approver_{i}") for i in range(2)]
    line = BudgetLineFactory(amount=LINE)
    case = make_case()
    requests = [
        PaymentRequestFactory(requested_by=officer, budget_line=line, case=case, amount=AMOUNT)
        for _ in range(REQUESTS)
    ]
    barrier = threading.Barrier(THREADS)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def work(index: int) -> None:
        payment = requests[index % REQUESTS]
        results = []
        try:
            barrier.wait(timeout=30)
            for step in ("approve", "pay"):
                try:
                    if step == "approve":
                        actions.approve_payment(
                            payment=payment,
                            expected_version=version_of(payment),
                            by=approvers[index % 2],
                        )
                    else:
                        actions.record_payment(
                            payment=payment,
                            expected_version=version_of(payment),
                            by=officer,
                            method=Method.BANK_TRANSFER,
                            reference=f"TRX-{index}",
                        )
                    results.append(f"{step}:ok")
                except DomainError:
                    results.append(f"{step}:refused")
        finally:
            connection.close()
            with lock:
                outcomes.update(results)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    paid_entries = LedgerEntry.objects.filter(budget_line=line, kind=EntryKind.PAYMENT)
    per_request = Counter(paid_entries.values_list("request_id", flat=True))
    paid_total = paid_entries.aggregate(total=Sum("amount"))["total"]
    statuses = Counter(PaymentRequest.objects.values_list("status", flat=True))
    balances = balances_now(line)
    assert balances == ledger_balances(LedgerEntry.objects.filter(budget_line=line))

    # 12 requests of 800 fit in 10,000; every approved one was paid exactly once.
    assert max(per_request.values()) == 1
    assert paid_total == Decimal("9600.00") <= LINE
    assert statuses == {Status.PAID: 12, Status.REQUESTED: 13}
    assert outcomes["approve:ok"] == 12 and outcomes["pay:ok"] == 12
    assert (balances.allocated, balances.committed, balances.paid, balances.available) == (
        LINE,
        Decimal("0.00"),
        Decimal("9600.00"),
        Decimal("400.00"),
    )
    assert balances.committed + balances.paid + balances.available == balances.allocated
    assert (
        paid_total
        == PaymentRequest.objects.filter(status=Status.PAID).aggregate(total=Sum("amount"))["total"]
    )


def test_a_request_on_a_line_that_an_approval_holds_is_written_without_waiting_for_it(
    make_persona,
) -> None:
    """An approval locks its request and the budget line, then appends to the audit trail.
    A new request on the same line appends its audit event first and writes its row, whose
    reference to the line PostgreSQL checks at commit. Were the line locked against that
    check (``FOR UPDATE``), each would wait for the other; the locks are ``FOR NO KEY
    UPDATE``, so the request commits while the approval still holds the line."""
    Governorate.objects.get_or_create(
        code="EG-C", defaults={"name_ar": "القاهرة", "name_en": "Cairo"}
    )
    officer = make_persona(Role.FUND_OFFICER, None, "held_officer")
    line = BudgetLineFactory(amount=LINE)
    case = make_case()
    pending = PaymentRequestFactory(requested_by=officer, budget_line=line, case=case)
    held, release = threading.Event(), threading.Event()
    written: list[str] = []

    def approval_holding_the_line() -> None:
        try:
            with transaction.atomic():
                actions._lock_line(actions._lock(pending, version_of(pending)))
                held.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    def new_request() -> None:
        try:
            payment = actions.request_payment(
                case=case,
                budget_line=line,
                purpose=Purpose.EMERGENCY_CASH,
                amount=Decimal("150.00"),
                justification="Rent for a safe room this month",
                by=officer,
            )
            written.append(payment.code)
        finally:
            connection.close()

    holder = threading.Thread(target=approval_holding_the_line)
    holder.start()
    try:
        assert held.wait(timeout=30)
        requester = threading.Thread(target=new_request)
        requester.start()
        requester.join(timeout=15)
        finished_while_held = not requester.is_alive()
    finally:
        release.set()
        holder.join(timeout=60)
    requester.join(timeout=60)

    assert finished_while_held
    assert written == list(
        PaymentRequest.objects.exclude(pk=pending.pk).values_list("code", flat=True)
    )
