"""Shared builders for the centre's tests."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from himaya.cases.models import Case, IdentificationDecision
from himaya.cases.tests.factories import CaseFactory
from himaya.monitoring.models import DailyValue

CAIRO = ZoneInfo("Africa/Cairo")
# A Monday in June, ten in the morning in Cairo.
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=CAIRO)
TODAY = NOW.date()


@contextmanager
def frozen(at: datetime.datetime = NOW) -> Iterator[None]:
    with time_machine.travel(at, tick=False):
        yield


def decide(case: Case, day: datetime.date, status: str = "possible") -> IdentificationDecision:
    return IdentificationDecision.objects.create(
        case=case,
        status=status,
        decided_on=day,
        deciding_agency=case.lead_agency,
        decided_by=case.case_worker,
        grounds="أسباب معقولة",
    )


def child_case(**kwargs: object) -> Case:
    case: Case = CaseFactory(
        survivor__birth_year=2014, survivor__date_of_birth="2014-02-01", **kwargs
    )
    return case


def adult_case(**kwargs: object) -> Case:
    case: Case = CaseFactory(**kwargs)
    return case


def daily_value(indicator: str, day: datetime.date, value: str) -> DailyValue:
    return DailyValue.objects.create(
        indicator=indicator, day=day, cell="", numerator=Decimal(value), value=Decimal(value)
    )
