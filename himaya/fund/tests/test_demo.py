from collections import Counter

import pytest
import time_machine

from himaya.accounts import demo as accounts_demo
from himaya.agencies import demo as agencies_demo
from himaya.fund import demo
from himaya.fund.models import BudgetLine, FiscalYear, LedgerEntry, PaymentRequest
from himaya.fund.selectors import balances_of
from himaya.fund.tests.factories import make_case

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-03-15 10:00:00+02:00", tick=False)
def test_the_demo_makes_every_state_once_and_a_second_run_creates_nothing(media_root) -> None:
    agencies_demo.seed()
    accounts_demo.seed()
    for _ in range(20):
        make_case()
    demo.seed()
    # The demo opens lines on the current and the next fiscal year.
    years = FiscalYear.objects.filter(lines__isnull=False).distinct()
    assert list(years.values_list("label", flat=True)) == ["2025/26", "2026/27"]
    assert Counter(PaymentRequest.objects.values_list("status", flat=True)) == {
        "paid": 3,
        "approved": 3,
        "requested": 3,
        "second_approval_needed": 3,
        "rejected": 3,
        "reversed": 3,
    }
    counts = (
        BudgetLine.objects.count(),
        PaymentRequest.objects.count(),
        LedgerEntry.objects.count(),
    )
    demo.seed()
    assert (
        BudgetLine.objects.count(),
        PaymentRequest.objects.count(),
        LedgerEntry.objects.count(),
    ) == counts
    for line in BudgetLine.objects.all():
        b = balances_of(line)
        assert b.committed + b.paid + b.available == b.allocated and b.available >= 0
