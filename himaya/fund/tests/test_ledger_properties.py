"""Whatever sequence of decisions people take, the ledger balances and never goes negative,
and the sums each line keeps stay the sums of its ledger."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himaya.core.errors import DomainError
from himaya.fund import actions
from himaya.fund.models import LedgerEntry, Method
from himaya.fund.selectors import ledger_balances
from himaya.fund.tests.factories import (
    BudgetLineFactory,
    PaymentRequestFactory,
    balances_now,
    make_case,
    version_of,
)

pytestmark = pytest.mark.django_db

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["approve", "reject", "pay", "reverse"]),
        st.integers(min_value=0, max_value=4),
    ),
    max_size=25,
)
AMOUNTS = st.lists(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("4000"), places=2),
    min_size=5,
    max_size=5,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amounts=AMOUNTS, steps=STEPS)
def test_any_sequence_of_decisions_keeps_the_ledger_balanced(
    officer, approver, amounts, steps
) -> None:
    line = BudgetLineFactory(amount=Decimal("6000.00"))
    case = make_case()
    requests = [
        PaymentRequestFactory(requested_by=officer, budget_line=line, case=case, amount=amount)
        for amount in amounts
    ]
    for step, index in steps:
        payment = requests[index]
        payment.refresh_from_db()
        try:
            if step == "approve":
                actions.approve_payment(
                    payment=payment, expected_version=version_of(payment), by=approver
                )
            elif step == "reject":
                actions.reject_payment(
                    payment=payment,
                    expected_version=version_of(payment),
                    by=approver,
                    reason="غير مستوفٍ",
                )
            elif step == "pay":
                actions.record_payment(
                    payment=payment,
                    expected_version=version_of(payment),
                    by=officer,
                    method=Method.CASH,
                    reference="R",
                )
            else:
                actions.reverse_payment(
                    payment=payment,
                    expected_version=version_of(payment),
                    by=approver,
                    reason="تصحيح",
                )
        except DomainError:
            pass
        b = balances_now(line)
        # the sums the line keeps are the ledger's, whatever succeeded or was refused
        assert b == ledger_balances(LedgerEntry.objects.filter(budget_line=line))
        assert b.available >= 0 and b.committed >= 0 and b.paid >= 0
        assert b.committed + b.paid + b.available == b.allocated == Decimal("6000.00")
    paid = sum(
        (p.amount for p in requests if (p.refresh_from_db() or p.status) == "paid"), Decimal(0)
    )
    assert balances_now(line).paid == paid
    assert LedgerEntry.objects.filter(budget_line=line, kind="payment").count() <= len(requests)
