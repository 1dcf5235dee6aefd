"""Who sees which payments, budget lines and totals: every persona × every selector."""

import pytest
from django.http import Http404

from himaya.fund import selectors
from himaya.fund.tests.factories import PaymentRequestFactory, make_case

pytestmark = pytest.mark.django_db

# persona → (payments seen of [own agency case, other agency case], lines seen, totals)
EXPECTED = {
    "case_worker": ([True, False], False, False),
    "supervisor": ([True, False], False, False),
    "shelter_staff": ([False, False], False, False),
    "fund_officer": ([True, True], True, True),
    "fund_approver": ([True, True], True, True),
    "empowerment_officer": ([False, False], False, False),
    "grants_officer": ([False, False], False, False),
    "partner_staff": ([False, False], False, False),
    "operator": ([False, False], False, False),
    "analyst": ([False, False], False, True),
    "auditor": ([False, False], False, False),
    "administrator": ([False, False], False, False),
    "outsider": ([False, True], False, False),
}


@pytest.mark.parametrize("role", EXPECTED)
def test_each_persona_sees_exactly_its_scope(personas, agency_a, agency_b, role) -> None:
    own = PaymentRequestFactory(
        requested_by=personas["fund_officer"], case=make_case(agency_a, personas["case_worker"])
    )
    other = PaymentRequestFactory(
        requested_by=personas["fund_officer"], case=make_case(agency_b, personas["outsider"])
    )
    user = personas[role]
    payments, lines, totals = EXPECTED[role]
    visible = set(selectors.payments_visible_to(user).values_list("pk", flat=True))
    assert [own.pk in visible, other.pk in visible] == payments
    for payment, seen in zip([own, other], payments, strict=True):
        if seen:
            assert selectors.get_payment_or_404(user, payment.code) == payment
        else:
            with pytest.raises(Http404):
                selectors.get_payment_or_404(user, payment.code)
    assert selectors.budget_lines_visible_to(user).exists() is lines
    if totals:
        assert len(selectors.totals(user)["by_line"]) == 2
    else:
        with pytest.raises(Http404):
            selectors.totals(user)
