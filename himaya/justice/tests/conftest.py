"""A small world for justice tests: a case of agency A with its team, a case worker of
agency B, a police unit and an embassy that may receive referrals, and helpers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case
from himaya.justice import actions
from himaya.justice.models import ChargeAgainstSurvivor, CriminalProceeding, Hearing
from himaya.referrals.models import Referral, Status
from himaya.referrals.tests.factories import CaseFactory, ReferralFactory, give_consent
from himaya.timeline.models import CaseEvent


@dataclass
class World:
    case: Case
    case_worker: User
    supervisor: User
    outsider: User
    police: Agency
    police_officer: User
    embassy: Agency
    embassy_staff: User


@pytest.fixture
def world(
    make_persona: Callable[..., User],
    case_worker: User,
    supervisor: User,
    outsider: User,
    agency_a: Agency,
) -> World:
    police = AgencyFactory(kind=AgencyKind.POLICE, name_en="Police unit", name_ar="وحدة الشرطة")
    embassy = AgencyFactory(
        kind=AgencyKind.EMBASSY, name_en="Embassy", name_ar="السفارة", country="EG"
    )
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    give_consent(case.survivor, case_worker, recipient=police)
    give_consent(case.survivor, case_worker, purpose="embassy", recipient=embassy)
    return World(
        case=case,
        case_worker=case_worker,
        supervisor=supervisor,
        outsider=outsider,
        police=police,
        police_officer=make_persona(Role.PARTNER_STAFF, police, "police_officer"),
        embassy=embassy,
        embassy_staff=make_persona(Role.PARTNER_STAFF, embassy, "embassy_staff"),
    )


@pytest.fixture
def share_with() -> Callable[..., Referral]:
    """A referral of the world's case to ``agency``, accepted and sharing "justice" unless
    told otherwise."""

    def share(
        world: World,
        agency: Agency,
        *,
        status: str = Status.ACCEPTED,
        fields: tuple[str, ...] = ("first_name", "justice"),
    ) -> Referral:
        return ReferralFactory(
            case=world.case,
            to_agency=agency,
            sent_by=world.case_worker,
            shared_fields=list(fields),
            status=status,
        )

    return share


def details(**changes: Any) -> actions.ProceedingDetails:
    values: dict[str, Any] = {
        "police_report_ref": "محضر 1234 لسنة 2026",
        "prosecution_ref": "قضية 99 لسنة 2026",
        "court": "محكمة جنايات القاهرة",
        "offences": ["trafficking"],
        "survivor_role": "witness",
        "protection_measures": ["identity_withheld"],
        "protection_other": "",
        "reported_on": date(2026, 2, 1),
    }
    values.update(changes)
    return actions.ProceedingDetails(**values)


def charge_details(**changes: Any) -> actions.ChargeDetails:
    values: dict[str, Any] = {
        "charge": "irregular_stay",
        "authority": "مصلحة الجوازات",
        "arising_from_trafficking": True,
        "justification": "احتجز المستغل جواز السفر",
    }
    values.update(changes)
    return actions.ChargeDetails(**values)


@pytest.fixture
def proceeding(world: World) -> CriminalProceeding:
    return actions.record_proceeding(
        case=world.case,
        details=details(compensation_claimed=Decimal("1000.50"), claimed_on=date(2026, 3, 1)),
        by=world.case_worker,
    )


@pytest.fixture
def charge(world: World) -> ChargeAgainstSurvivor:
    return actions.record_charge(case=world.case, details=charge_details(), by=world.case_worker)


@dataclass(frozen=True)
class Snapshot:
    proceedings: list[tuple[Any, ...]]
    hearings: int
    charges: list[tuple[Any, ...]]
    audit: int
    timeline: int


def snapshot() -> Snapshot:
    return Snapshot(
        proceedings=list(
            CriminalProceeding.objects.order_by("pk").values_list(
                "code", "status", "outcome", "court", "compensation_claimed", "version"
            )
        ),
        hearings=Hearing.objects.count(),
        charges=list(
            ChargeAgainstSurvivor.objects.order_by("pk").values_list(
                "code", "result", "authority", "version"
            )
        ),
        audit=AuditEvent.objects.count(),
        timeline=CaseEvent.objects.count(),
    )
