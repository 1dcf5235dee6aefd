"""A small world for referral tests: a case of agency A, its survivor's consent to share
with the partner agency (the agency of the ``partner_staff`` persona), and helpers."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case
from himaya.referrals.models import Referral
from himaya.referrals.tests.factories import CaseFactory, ReferralFactory, give_consent
from himaya.timeline.models import CaseEvent


@dataclass
class World:
    case: Case
    partner: Agency
    partner_staff: User
    case_worker: User
    supervisor: User


@pytest.fixture
def world(personas: dict[str, User], agency_a: Agency) -> World:
    partner_staff = personas[Role.PARTNER_STAFF]
    partner = partner_staff.memberships.get().agency
    case_worker = personas[Role.CASE_WORKER]
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    give_consent(case.survivor, case_worker, recipient=partner)
    return World(
        case=case,
        partner=partner,
        partner_staff=partner_staff,
        case_worker=case_worker,
        supervisor=personas[Role.SUPERVISOR],
    )


@pytest.fixture
def make_referral(world: World) -> Callable[..., Referral]:
    def make(**kwargs: Any) -> Referral:
        kwargs.setdefault("case", world.case)
        kwargs.setdefault("to_agency", world.partner)
        kwargs.setdefault("sent_by", world.case_worker)
        return ReferralFactory(**kwargs)

    return make


@dataclass(frozen=True)
class Snapshot:
    referrals: list[tuple[str, str, int]]
    audit: int
    timeline: int


def snapshot() -> Snapshot:
    return Snapshot(
        referrals=list(Referral.objects.order_by("pk").values_list("code", "status", "version")),
        audit=AuditEvent.objects.count(),
        timeline=CaseEvent.objects.count(),
    )
