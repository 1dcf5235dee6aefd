"""A small generated dataset over a few days, made with the other apps' factories."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.models import Agency
from himaya.agencies.tests.factories import AgencyFactory, governorate
from himaya.cases.models import (
    CarePlan,
    Case,
    ClosureReason,
    ExploitationForm,
    IdentificationChannel,
    IdentificationDecision,
    IdentificationStatus,
)
from himaya.cases.tests.factories import CaseFactory
from himaya.fund.models import PaymentRequest
from himaya.fund.tests.factories import BudgetLineFactory, PaymentRequestFactory
from himaya.referrals.models import Referral
from himaya.referrals.tests.factories import ReferralFactory
from himaya.screening.models import Outcome, Screening
from himaya.screening.tests.factories import labour_set
from himaya.services.models import DeliveryStatus, ServiceDelivery, ServiceType
from himaya.shelters.models import DailyOccupancy
from himaya.shelters.tests.factories import make_shelter
from himaya.survivors.tests.factories import SurvivorFactory

FIRST_DAY = datetime.date(2026, 3, 10)
DAYS = [FIRST_DAY + datetime.timedelta(days=n) for n in range(6)]
CAIRO = ZoneInfo("Africa/Cairo")

# The day of the small set of stored values the pages' tests read (``conftest.values``).
VALUES_DAY = datetime.date(2026, 3, 15)


@dataclass
class Dataset:
    agencies: list[Agency]
    cases: list[Case] = field(default_factory=list)


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=CAIRO)


def make_dataset(seed: int = 7) -> Dataset:
    rng = random.Random(seed)
    agencies = [
        AgencyFactory(governorate=governorate("EG-C")),
        AgencyFactory(governorate=governorate("EG-ALX")),
    ]
    user = UserFactory()
    reviewer = UserFactory()
    line = BudgetLineFactory(amount=Decimal("1000000"))
    services = list(ServiceType.objects.order_by("order")[:2])
    forms = list(ExploitationForm.objects.order_by("order")[:4])
    govs = [governorate(code) for code in ("EG-C", "EG-ALX", "EG-GZ")] + [None]
    data = Dataset(agencies)
    for _number in range(40):
        agency = rng.choice(agencies)
        first = FIRST_DAY - datetime.timedelta(days=rng.randint(0, 40))
        survivor = SurvivorFactory(
            registered_by_agency=agency,
            sex=rng.choice(["female", "male", "unknown"]),
            birth_year=rng.choice([None, 1990, 2000, 2010, 2012]),
            nationality=rng.choice(["EG", "EG", "SD", "ER"]),
        )
        case = CaseFactory(
            survivor=survivor,
            lead_agency=agency,
            case_worker=user,
            first_contact_on=first,
            identified_on=first,
            identified_by=rng.choice(list(IdentificationChannel.values)),
            governorate_of_exploitation=rng.choice(govs),
        )
        if forms:
            case.exploitation_forms.set(rng.sample(forms, rng.randint(0, 2)))
        data.cases.append(case)
        # Decisions: reasonable grounds on some day, conclusive for some a day or two later.
        possible_on = rng.choice(DAYS)
        if possible_on < first:
            continue
        IdentificationDecision.objects.create(
            case=case,
            status=IdentificationStatus.POSSIBLE,
            decided_on=possible_on,
            deciding_agency=agency,
            decided_by=user,
            grounds="أسباب معقولة",
        )
        if rng.random() < 0.6:
            IdentificationDecision.objects.create(
                case=case,
                from_status=IdentificationStatus.POSSIBLE,
                status=IdentificationStatus.IDENTIFIED,
                decided_on=possible_on + datetime.timedelta(days=rng.randint(0, 2)),
                deciding_agency=agency,
                decided_by=user,
                grounds="قرار نهائي",
            )
        if rng.random() < 0.6:
            CarePlan.objects.create(
                case=case,
                status=rng.choice(["approved", "approved", "submitted"]),
                author=user,
                decided_by=reviewer,
                decided_at=at(possible_on + datetime.timedelta(days=rng.randint(0, 9)), 11),
            )
        if rng.random() < 0.4:
            requested = at(possible_on, rng.randint(8, 15))
            paid = requested + datetime.timedelta(hours=rng.randint(2, 200))
            payment = PaymentRequestFactory(
                case=case,
                budget_line=line,
                purpose=rng.choice(["medical", "legal"]),
                amount=Decimal(rng.randint(1, 20) * 100),
                requested_by=user,
                approved_by=reviewer,
                status=rng.choice(["paid", "approved", "rejected"]),
                paid_at=paid,
            )
            PaymentRequest.objects.filter(pk=payment.pk).update(created_at=requested)
        if rng.random() < 0.7:
            delivered = possible_on + datetime.timedelta(days=rng.randint(0, 4))
            ServiceDelivery.objects.create(
                case=case,
                service_type=rng.choice(services),
                provider=agency,
                planned_on=delivered,
                delivered_on=delivered,
                status=DeliveryStatus.DELIVERED,
                planned_by=user,
            )
        if rng.random() < 0.3:
            Case.objects.filter(pk=case.pk).update(
                phase="closed",
                closed_on=rng.choice(DAYS),
                closure_reason=rng.choice(list(ClosureReason.values)),
            )
        if rng.random() < 0.5:
            sent = at(rng.choice(DAYS), rng.randint(0, 23))
            answered = rng.choice([None, sent + datetime.timedelta(hours=rng.randint(1, 90))])
            status = rng.choice(["accepted", "declined"]) if answered else "sent"
            ReferralFactory(
                case=case,
                decline_reason="لا تتوفر أماكن" if status == "declined" else "",
                from_agency=agency,
                sent_at=sent,
                respond_by=sent + datetime.timedelta(hours=48),
                answered_at=answered,
                status=status,
            )
        Screening.objects.create(
            survivor=survivor,
            indicator_set=labour_set(),
            agency=agency,
            screened_by=user,
            screened_on=rng.choice(DAYS),
            outcome=rng.choice(list(Outcome.values)),
            rule_version="1",
            catalogue_version="1",
            explanation_en="-",
            explanation_ar="-",
        )
    shelters = [make_shelter("EG-C"), make_shelter("EG-C"), make_shelter("EG-ALX")]
    for day in DAYS:
        for shelter in shelters:
            beds = rng.randint(5, 20)
            DailyOccupancy.objects.create(
                on=day,
                shelter=shelter,
                beds=beds,
                occupied=rng.randint(0, beds),
                survivors=0,
                children=0,
            )
    return data


def referral_rows() -> list[dict[str, Any]]:
    return list(Referral.objects.values())


def as_decimal(value: Any) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
