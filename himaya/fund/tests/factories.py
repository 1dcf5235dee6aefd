"""Factories of the fund (and the minimal case they pay for)."""

from datetime import date
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.models import Agency
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases.models import Case
from himaya.fund.models import (
    BudgetLine,
    EntryKind,
    FiscalYear,
    LedgerEntry,
    PaymentLimit,
    PaymentRequest,
    Purpose,
    Source,
)
from himaya.fund.rules import Balances, needs_second_approval
from himaya.fund.selectors import balances_of, limit_for
from himaya.survivors.models import Survivor


def make_case(agency: Agency | None = None, worker: Any = None) -> Case:
    agency = agency or AgencyFactory()
    worker = worker or UserFactory()
    survivor = Survivor.objects.create(
        name_ar="ضحية تجريبية", registered_by_agency=agency, registered_by=worker, sex="female"
    )
    return Case.objects.create(
        survivor=survivor,
        lead_agency=agency,
        case_worker=worker,
        first_contact_on=date(2025, 9, 1),
        phase="assistance",
    )


class FiscalYearFactory(DjangoModelFactory):
    class Meta:
        model = FiscalYear
        django_get_or_create = ("label",)

    label = "2025/26"
    starts_on = date(2025, 7, 1)
    ends_on = date(2026, 6, 30)


class BudgetLineFactory(DjangoModelFactory):
    """A line with its allocation already in the ledger."""

    class Meta:
        model = BudgetLine
        skip_postgeneration_save = True

    fiscal_year = factory.SubFactory(FiscalYearFactory)
    name_ar = factory.Sequence(lambda n: f"بند المساعدات رقم {n}")
    name_en = factory.Sequence(lambda n: f"Assistance line {n}")
    source = Source.GOVERNMENT
    amount = Decimal("10000.00")

    @factory.post_generation
    def allocate(obj: BudgetLine, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            from django.utils import timezone

            from himaya.fund.actions import add_to_line_totals

            LedgerEntry.objects.create(
                budget_line=obj,
                kind=EntryKind.ALLOCATION,
                amount=obj.amount,
                occurred_at=timezone.now(),
            )
            add_to_line_totals(line_id=obj.pk, kind=EntryKind.ALLOCATION, amount=obj.amount)
            obj.refresh_from_db(fields=["total_allocation"])


class PaymentLimitFactory(DjangoModelFactory):
    class Meta:
        model = PaymentLimit

    fiscal_year = factory.SubFactory(FiscalYearFactory)
    purpose = Purpose.EMERGENCY_CASH
    per_request = Decimal("3000.00")
    per_survivor_year = Decimal("5000.00")


class PaymentRequestFactory(DjangoModelFactory):
    class Meta:
        model = PaymentRequest

    case = factory.LazyFunction(make_case)
    budget_line = factory.SubFactory(BudgetLineFactory)
    purpose = Purpose.MEDICAL
    amount = Decimal("1500.00")
    justification = "علاج عاجل في مستشفى عام"
    requested_by = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class: type[PaymentRequest], *args: Any, **kwargs: Any) -> Any:
        """Keep the limits in force on the request, as ``request_payment`` does."""
        if "limit_per_request" not in kwargs and "limit_per_survivor_year" not in kwargs:
            limit = limit_for(kwargs["budget_line"].fiscal_year, kwargs["purpose"])
            if limit is not None:
                kwargs["limit_per_request"] = limit.per_request
                kwargs["limit_per_survivor_year"] = limit.per_survivor_year
                if kwargs.get("approvals_required") is None and needs_second_approval(
                    amount=kwargs["amount"],
                    per_request=limit.per_request,
                    per_survivor_year=None,
                    survivor_year_total=Decimal(0),
                ):
                    kwargs["approvals_required"] = 2
        return super()._create(model_class, *args, **kwargs)


def version_of(record: Any) -> int:
    """The version a record has now in the database (what a user reading it would send)."""
    return int(type(record)._default_manager.get(pk=record.pk).version)


def limit_version(fiscal_year: FiscalYear, purpose: str) -> int:
    """The version of the limit of a purpose now, 0 when there is none."""
    limit = PaymentLimit.objects.filter(fiscal_year=fiscal_year, purpose=purpose).first()
    return limit.version if limit is not None else 0


def balances_now(line: BudgetLine) -> Balances:
    """The balances of ``line`` as stored now (the instance held may predate the writes)."""
    return balances_of(BudgetLine.objects.get(pk=line.pk))
