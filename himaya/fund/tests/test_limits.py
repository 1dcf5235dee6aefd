"""Limits change only with four eyes, and never for requests already made."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from himaya.audit.models import AuditEvent
from himaya.core.locking import ConcurrentEditError
from himaya.fund import actions
from himaya.fund.models import (
    ChangeStatus,
    LedgerEntry,
    LimitChange,
    PaymentLimit,
    PaymentRequest,
    Purpose,
    Status,
)
from himaya.fund.tests.factories import (
    BudgetLineFactory,
    FiscalYearFactory,
    PaymentLimitFactory,
    limit_version,
    make_case,
    version_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client: Any) -> Iterator[None]:
    """Messages are read in English here (pages by their cookie, actions by the override)."""
    client.cookies["himaya_language"] = "en"
    with translation.override("en"):
        yield


def limits_now() -> list[tuple[str, Decimal | None, Decimal | None, int]]:
    return list(
        PaymentLimit.objects.order_by("purpose").values_list(
            "purpose", "per_request", "per_survivor_year", "version"
        )
    )


def request_payment(officer, line, amount: str, purpose: str = Purpose.MEDICAL) -> PaymentRequest:
    return actions.request_payment(
        case=make_case(),
        budget_line=line,
        purpose=purpose,
        amount=Decimal(amount),
        justification="علاج في مستشفى جامعي",
        by=officer,
    )


def propose(by, year, per_request: str | None, purpose: str = Purpose.MEDICAL) -> LimitChange:
    return actions.propose_limit_change(
        fiscal_year=year,
        purpose=purpose,
        per_request=Decimal(per_request) if per_request is not None else None,
        per_survivor_year=None,
        by=by,
        expected_version=limit_version(year, purpose),
    )


def test_a_proposed_limit_changes_nothing_until_another_approver_approves_it(
    approver, second_approver
) -> None:
    year = FiscalYearFactory()
    PaymentLimitFactory(fiscal_year=year, purpose=Purpose.MEDICAL, per_request=Decimal("2000"))
    before = limits_now()
    change = propose(approver, year, None)
    assert (change.status, change.base_version, change.proposed_by) == (
        ChangeStatus.PROPOSED,
        1,
        approver,
    )
    assert limits_now() == before
    actions.approve_limit_change(
        change=change, expected_version=version_of(change), by=second_approver
    )
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ChangeStatus.APPROVED, second_approver)
    assert limits_now() == [("medical", None, None, 2)]
    assert list(
        AuditEvent.objects.filter(action__startswith="fund.limit")
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == ["fund.limit_change_proposed", "fund.limit_set", "fund.limit_change_approved"]


def test_the_proposer_can_never_approve_their_own_limit_change_and_the_attempt_is_audited(
    approver,
) -> None:
    year = FiscalYearFactory()
    PaymentLimitFactory(fiscal_year=year, purpose=Purpose.MEDICAL, per_request=Decimal("2000"))
    before = limits_now()
    change = propose(approver, year, "900000")
    with pytest.raises(actions.FundForbidden, match="another fund approver"):
        actions.approve_limit_change(
            change=change, expected_version=version_of(change), by=approver
        )
    change.refresh_from_db()
    assert (change.status, change.version, change.decided_by) == (ChangeStatus.PROPOSED, 1, None)
    assert limits_now() == before
    refused = AuditEvent.objects.get(action="fund.limit_change_approval_refused")
    assert (refused.actor, refused.object_code, refused.details) == (
        approver,
        change.code,
        {"reason": "own_proposal"},
    )


def test_clearing_the_limits_alone_no_longer_lets_an_approver_approve_alone(
    officer, approver, second_approver
) -> None:
    line = BudgetLineFactory(amount=Decimal("50000.00"))
    PaymentLimitFactory(
        fiscal_year=line.fiscal_year, purpose=Purpose.MEDICAL, per_request=Decimal("2000")
    )
    payment = request_payment(officer, line, "9000.00")
    change = propose(approver, line.fiscal_year, None)
    with pytest.raises(actions.FundForbidden):
        actions.approve_limit_change(
            change=change, expected_version=version_of(change), by=approver
        )
    actions.approve_payment(payment=payment, expected_version=version_of(payment), by=approver)
    payment.refresh_from_db()
    assert payment.status == Status.SECOND_APPROVAL_NEEDED
    with pytest.raises(actions.FundForbidden):
        actions.approve_payment(payment=payment, expected_version=version_of(payment), by=approver)
    payment.refresh_from_db()
    assert (payment.status, payment.second_approved_by) == (Status.SECOND_APPROVAL_NEEDED, None)


def test_a_pending_request_keeps_the_limits_it_was_requested_under(
    officer, approver, second_approver
) -> None:
    line = BudgetLineFactory(amount=Decimal("50000.00"))
    PaymentLimitFactory(
        fiscal_year=line.fiscal_year, purpose=Purpose.MEDICAL, per_request=Decimal("2000")
    )
    payment = request_payment(officer, line, "9000.00")
    assert (payment.approvals_required, payment.limit_per_request) == (2, Decimal("2000.00"))
    # Two approvers loosen the limit: the pending request still needs two approvals.
    actions.approve_limit_change(
        change=propose(approver, line.fiscal_year, "100000"),
        by=second_approver,
        expected_version=1,
    )
    later = request_payment(officer, line, "9000.00")
    assert (later.approvals_required, later.limit_per_request) == (1, Decimal("100000.00"))
    assert actions.approve_payment(
        payment=payment, expected_version=version_of(payment), by=approver
    ).status == (Status.SECOND_APPROVAL_NEEDED)
    assert (
        actions.approve_payment(
            payment=later, expected_version=version_of(later), by=approver
        ).status
        == Status.APPROVED
    )
    payment.refresh_from_db()
    assert (payment.limit_per_request, payment.approvals_required) == (Decimal("2000.00"), 2)


def test_a_tightened_limit_does_not_apply_to_requests_already_made(
    officer, approver, second_approver
) -> None:
    line = BudgetLineFactory()
    payment = request_payment(officer, line, "1500.00")
    actions.approve_limit_change(
        change=propose(approver, line.fiscal_year, "1000"),
        by=second_approver,
        expected_version=1,
    )
    assert (payment.approvals_required, payment.limit_per_request) == (1, None)
    assert (
        actions.approve_payment(
            payment=payment, expected_version=version_of(payment), by=approver
        ).status
        == Status.APPROVED
    )


def test_a_proposal_made_before_another_change_of_the_limit_is_refused(
    approver, second_approver, make_persona
) -> None:
    from himaya.agencies.models import Role

    third = make_persona(Role.FUND_APPROVER, None, "fund_approver_3")
    year = FiscalYearFactory()
    limit = PaymentLimitFactory(fiscal_year=year, purpose=Purpose.MEDICAL)
    first = propose(approver, year, "100")
    actions.reject_limit_change(
        change=first, expected_version=version_of(first), by=approver, reason="خطأ في القيمة"
    )
    second = propose(second_approver, year, "200")
    # The limit moves on under the second proposal's feet (an old row, as if restored).
    PaymentLimit.objects.filter(pk=limit.pk).update(version=5)
    with pytest.raises(actions.FundConflict, match="changed after this proposal"):
        actions.approve_limit_change(change=second, expected_version=version_of(second), by=third)
    second.refresh_from_db()
    assert second.status == ChangeStatus.PROPOSED
    assert PaymentLimit.objects.get(pk=limit.pk).per_request == Decimal("3000.00")
    assert AuditEvent.objects.get(action="fund.limit_change_approval_refused").details == {
        "reason": "limit_changed"
    }


def test_a_stale_limit_change_approval_is_refused_and_audited(approver, second_approver) -> None:
    year = FiscalYearFactory()
    change = propose(approver, year, "100")
    with pytest.raises(ConcurrentEditError):
        actions.approve_limit_change(change=change, by=second_approver, expected_version=4)
    assert not PaymentLimit.objects.exists()
    assert AuditEvent.objects.get(action="fund.limit_change_approval_refused").details == {
        "reason": "stale_version"
    }


def test_a_decided_change_cannot_be_approved_again(approver, second_approver) -> None:
    year = FiscalYearFactory()
    change = propose(approver, year, "100")
    actions.reject_limit_change(
        change=change, expected_version=version_of(change), by=second_approver, reason="لا حاجة"
    )
    with pytest.raises(actions.FundConflict, match="already been decided"):
        actions.approve_limit_change(
            change=change, expected_version=version_of(change), by=second_approver
        )
    assert not PaymentLimit.objects.exists()


def test_one_change_of_a_limit_waits_at_a_time(approver, second_approver) -> None:
    year = FiscalYearFactory()
    propose(approver, year, "100")
    with pytest.raises(actions.FundConflict, match="already waiting"):
        propose(second_approver, year, "200")
    assert LimitChange.objects.count() == 1


def test_the_database_refuses_a_limit_change_approved_by_its_proposer(approver) -> None:
    from django.db import IntegrityError, transaction

    change = propose(approver, FiscalYearFactory(), "100")
    with pytest.raises(IntegrityError), transaction.atomic():
        LimitChange.objects.filter(pk=change.pk).update(status="approved", decided_by=approver)


def test_the_database_refuses_an_approval_without_the_second_approver_it_required(
    officer, approver
) -> None:
    from django.db import IntegrityError, transaction

    line = BudgetLineFactory()
    PaymentLimitFactory(fiscal_year=line.fiscal_year, purpose=Purpose.MEDICAL)
    payment = request_payment(officer, line, "4000.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRequest.objects.filter(pk=payment.pk).update(status="approved", approved_by=approver)


# Pages and API: the whole path, and the refusals.


def test_the_limit_four_eyes_path_through_the_pages(
    client, login, officer, approver, second_approver
) -> None:
    line = BudgetLineFactory(amount=Decimal("50000.00"))
    PaymentLimitFactory(
        fiscal_year=line.fiscal_year, purpose=Purpose.MEDICAL, per_request=Decimal("2000")
    )
    pending = request_payment(officer, line, "9000.00")
    login(approver)
    response = client.post(
        reverse("fund:limits"),
        {
            "fiscal_year": line.fiscal_year.pk,
            "purpose": "medical",
            "per_request": "50000",
            "version": 1,
        },
    )
    assert response.status_code == 302
    change = LimitChange.objects.get()
    page = client.get(reverse("fund:limits")).content.decode()
    assert change.code in page and 'data-testid="approve-change"' not in page
    response = client.post(reverse("fund:limit_change_approve", args=[change.code]), {"version": 1})
    assert response.status_code == 403
    assert response.context["decision_errors"] == [
        "You proposed this limit change: another fund approver must approve it."
    ]
    assert PaymentLimit.objects.get().per_request == Decimal("2000.00")
    assert AuditEvent.objects.filter(action="fund.limit_change_approval_refused").count() == 1
    login(second_approver)
    response = client.post(reverse("fund:limit_change_approve", args=[change.code]), {"version": 1})
    assert response.status_code == 302
    assert PaymentLimit.objects.get().per_request == Decimal("50000.00")
    login(approver)
    client.post(reverse("fund:approve", args=[pending.code]), {"version": 1})
    pending.refresh_from_db()
    assert pending.status == Status.SECOND_APPROVAL_NEEDED


def test_the_limit_four_eyes_path_through_the_api(client, login, approver, second_approver):
    year = FiscalYearFactory()
    login(approver)
    response = client.post(
        reverse("fund:api_limit_propose"),
        {
            "fiscal_year": year.label,
            "purpose": "",
            "per_request": None,
            "per_survivor_year": "9",
            "version": 0,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    code = response.json()["code"]
    assert client.get(reverse("fund:api_limits")).json() == {
        "limits": [],
        "pending_changes": [response.json()],
    }
    own = client.post(
        reverse("fund:api_limit_approve", args=[code]),
        {"version": 1},
        content_type="application/json",
    )
    assert own.status_code == 403
    assert own.json()["detail"] == (
        "You proposed this limit change: another fund approver must approve it."
    )
    assert not PaymentLimit.objects.exists()
    login(second_approver)
    stale = client.post(
        reverse("fund:api_limit_approve", args=[code]),
        {"version": 3},
        content_type="application/json",
    )
    assert stale.status_code == 409 and not PaymentLimit.objects.exists()
    done = client.post(
        reverse("fund:api_limit_approve", args=[code]),
        {"version": 1},
        content_type="application/json",
    )
    assert (done.status_code, done.json()["status"]) == (200, "approved")
    assert limits_now() == [("", None, Decimal("9.00"), 1)]
    assert [
        event.details["reason"]
        for event in AuditEvent.objects.filter(
            action="fund.limit_change_approval_refused"
        ).order_by("sequence")
    ] == ["own_proposal", "stale_version"]


def test_the_proposer_withdraws_through_the_page_and_nothing_changes(
    client, login, approver
) -> None:
    year = FiscalYearFactory()
    change = propose(approver, year, "100")
    login(approver)
    response = client.post(
        reverse("fund:limit_change_reject", args=[change.code]),
        {"version": 1, "reason": "قيمة خاطئة"},
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ChangeStatus.REJECTED, approver)
    assert not PaymentLimit.objects.exists()


@pytest.mark.parametrize("role", ["fund_officer", "case_worker", "analyst", "administrator"])
def test_only_fund_approvers_propose_or_decide_limit_changes(
    client, login, personas, approver, role
) -> None:
    year = FiscalYearFactory()
    change = propose(approver, year, "100")
    login(personas[role])
    posts = [
        (reverse("fund:limits"), {"fiscal_year": year.pk, "per_request": "5"}, None),
        (reverse("fund:limit_change_approve", args=[change.code]), {"version": 1}, None),
        (reverse("fund:api_limit_propose"), {"fiscal_year": year.label}, "application/json"),
        (reverse("fund:api_limit_approve", args=[change.code]), {}, "application/json"),
        (reverse("fund:api_limit_reject", args=[change.code]), {}, "application/json"),
    ]
    for url, data, content_type in posts:
        kwargs = {"content_type": content_type} if content_type else {}
        assert client.post(url, data, **kwargs).status_code == 403
    change.refresh_from_db()
    assert (change.status, change.version) == (ChangeStatus.PROPOSED, 1)
    assert not PaymentLimit.objects.exists()
    assert LimitChange.objects.count() == 1


def test_the_admin_offers_no_way_to_edit_limits_or_payments(
    client, login, officer_approver, officer
) -> None:
    from himaya.fund.tests.factories import PaymentRequestFactory

    limit = PaymentLimitFactory()
    change = propose(officer_approver, limit.fiscal_year, "100")
    payment = PaymentRequestFactory(requested_by=officer)
    login(officer_approver)
    for model, obj, data in [
        ("paymentlimit", limit, {"per_request": "", "per_survivor_year": ""}),
        ("limitchange", change, {"status": "approved"}),
        ("paymentrequest", payment, {"status": "approved", "approvals_required": 1}),
    ]:
        url = reverse(f"himaya_admin:fund_{model}_change", args=[obj.pk])
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="per_request"' not in page.content.decode()
        assert 'name="status"' not in page.content.decode()
        assert client.post(url, data).status_code == 403
        add = reverse(f"himaya_admin:fund_{model}_add")
        assert client.post(add, data).status_code == 403
    limit.refresh_from_db()
    change.refresh_from_db()
    payment.refresh_from_db()
    assert (limit.per_request, limit.version) == (Decimal("3000.00"), 1)
    assert (change.status, change.version) == (ChangeStatus.PROPOSED, 1)
    assert (payment.status, payment.version) == (Status.REQUESTED, 1)
    assert not LedgerEntry.objects.filter(request=payment).exists()
    assert (PaymentLimit.objects.count(), LimitChange.objects.count()) == (1, 1)
