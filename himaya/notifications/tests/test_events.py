"""The events of the other apps: who is told, once, and of what."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.actions import request_closure
from himaya.cases.models import ClosureReason, Phase
from himaya.empowerment.tests.factories import ProgrammeFactory, ProjectFactory
from himaya.fund import actions as fund_actions
from himaya.fund.models import Purpose
from himaya.fund.tests.factories import (
    BudgetLineFactory,
    PaymentLimitFactory,
    PaymentRequestFactory,
    make_case,
    version_of,
)
from himaya.notifications.checks import registered_checks
from himaya.notifications.models import Notification
from himaya.notifications.tasks import run_notification_checks
from himaya.referrals import actions as referral_actions
from himaya.referrals.models import Status
from himaya.referrals.tests.factories import CaseFactory, ReferralFactory, give_consent, service

pytestmark = pytest.mark.django_db


def told(event: str) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(event=event).values_list("recipient__username", "key")
    )


def test_a_referral_sent_tells_the_staff_of_the_receiving_agency_once(
    make_persona: Callable[..., User], agency_a: Agency
) -> None:
    partner = AgencyFactory(kind="ngo", name_en="Nour", name_ar="نور")
    make_persona(Role.PARTNER_STAFF, partner, "partner_1")
    make_persona(Role.PARTNER_STAFF, partner, "partner_2")
    make_persona(Role.PARTNER_STAFF, AgencyFactory(kind="ngo"), "other_partner")
    worker = make_persona(Role.CASE_WORKER, agency_a, "worker")
    case = CaseFactory(lead_agency=agency_a, case_worker=worker)
    give_consent(case.survivor, worker, recipient=partner)

    referral = referral_actions.create_referral(
        case=case,
        to_agency=partner,
        service_type=service("medical"),
        shared_fields=["first_name"],
        by=worker,
    )
    referral_actions.notify_received(referral)  # again: nothing more

    assert told("referrals.received") == [
        ("partner_1", referral.code),
        ("partner_2", referral.code),
    ]
    notification = Notification.objects.filter(event="referrals.received").first()
    assert notification is not None
    assert notification.link == f"/referrals/{referral.code}/"
    assert notification.params["referral_code"] == referral.code
    assert notification.params["from_agency_en"] == agency_a.name_en


def test_a_referral_about_to_be_overdue_is_announced_once_by_the_periodic_check(
    make_persona: Callable[..., User], agency_a: Agency
) -> None:
    partner = AgencyFactory(kind="ngo")
    make_persona(Role.PARTNER_STAFF, partner, "partner_1")
    now = timezone.now()
    soon = ReferralFactory(
        to_agency=partner, sent_at=now, respond_by=now + datetime.timedelta(hours=6)
    )
    ReferralFactory(to_agency=partner, sent_at=now, respond_by=now + datetime.timedelta(hours=30))
    ReferralFactory(
        to_agency=partner,
        sent_at=now - datetime.timedelta(days=3),
        respond_by=now - datetime.timedelta(hours=1),
    )
    ReferralFactory(
        to_agency=partner,
        sent_at=now,
        respond_by=now + datetime.timedelta(hours=2),
        status=Status.ACCEPTED,
    )

    assert run_notification_checks.call_local() == 1
    assert run_notification_checks.call_local() == 0  # a retried or later run

    assert [key.split(":")[0] for _user, key in told("referrals.due_soon")] == [soon.code]


def test_a_payment_request_tells_the_other_fund_approvers_of_the_agency_never_the_requester(
    make_persona: Callable[..., User],
) -> None:
    fund = AgencyFactory(name_en="Ministry")
    officer = make_persona(Role.FUND_OFFICER, fund, "officer")
    Membership.objects.create(user=officer, agency=fund, role=Role.FUND_APPROVER)
    make_persona(Role.FUND_APPROVER, fund, "approver_1")
    make_persona(Role.FUND_APPROVER, fund, "approver_2")
    make_persona(Role.FUND_APPROVER, AgencyFactory(), "approver_elsewhere")

    payment = fund_actions.request_payment(
        case=make_case(),
        budget_line=BudgetLineFactory(),
        purpose=Purpose.MEDICAL,
        amount=Decimal("1200"),
        justification="x",
        by=officer,
    )

    assert told("fund.approval_waiting") == [
        ("approver_1", f"{payment.code}:first"),
        ("approver_2", f"{payment.code}:first"),
    ]


def test_a_second_approval_is_asked_of_approvers_other_than_the_requester_and_the_first(
    make_persona: Callable[..., User],
) -> None:
    fund = AgencyFactory()
    officer = make_persona(Role.FUND_OFFICER, fund, "officer")
    first = make_persona(Role.FUND_APPROVER, fund, "approver_1")
    make_persona(Role.FUND_APPROVER, fund, "approver_2")
    line = BudgetLineFactory()
    PaymentLimitFactory(fiscal_year=line.fiscal_year, purpose=Purpose.EMERGENCY_CASH)
    payment = PaymentRequestFactory(
        requested_by=officer,
        budget_line=line,
        purpose=Purpose.EMERGENCY_CASH,
        amount=Decimal("3500.00"),
    )

    fund_actions.approve_payment(payment=payment, expected_version=version_of(payment), by=first)

    assert told("fund.approval_waiting") == [("approver_2", f"{payment.code}:second")]


def test_a_closure_request_tells_the_other_supervisors_of_the_lead_agency(
    make_persona: Callable[..., User], agency_a: Agency, agency_b: Agency
) -> None:
    worker = make_persona(Role.CASE_WORKER, agency_a, "worker")
    requester = make_persona(Role.SUPERVISOR, agency_a, "supervisor_1")
    make_persona(Role.SUPERVISOR, agency_a, "supervisor_2")
    make_persona(Role.SUPERVISOR, agency_b, "supervisor_b")
    case = CaseFactory(lead_agency=agency_a, case_worker=worker, phase=Phase.REINTEGRATION)

    closure = request_closure(case=case, by=requester, reason=ClosureReason.REINTEGRATED)

    assert told("cases.closure_waiting") == [("supervisor_2", f"{case.code}:{closure.pk}")]


def test_a_follow_up_visit_due_within_three_days_is_announced_once_to_the_officers(
    make_persona: Callable[..., User],
) -> None:
    agency = AgencyFactory()
    make_persona(Role.EMPOWERMENT_OFFICER, agency, "officer")
    make_persona(Role.EMPOWERMENT_OFFICER, AgencyFactory(), "officer_elsewhere")
    project = ProjectFactory(
        enrolment__programme=ProgrammeFactory(managing_agency=agency),
        started_on=datetime.date(2026, 2, 1),
    )

    moment = datetime.datetime(2026, 2, 27, 9, 0, tzinfo=datetime.UTC)  # visit 1: 1 March
    with time_machine.travel(moment, tick=False):
        assert run_notification_checks.call_local() == 1
        assert run_notification_checks.call_local() == 0

    assert told("empowerment.visit_due") == [("officer", f"{project.code}:1:2026-03-01")]


def test_every_check_is_registered_by_its_app() -> None:
    assert [check.name for check in registered_checks()] == [
        "empowerment.visit_due",
        "referrals.due_soon",
    ]
