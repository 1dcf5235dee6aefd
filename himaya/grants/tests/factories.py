from datetime import date
from decimal import Decimal
from typing import Any

from himaya.agencies.models import Agency, AgencyKind
from himaya.agencies.tests.factories import AgencyFactory
from himaya.grants.models import Grant, Tranche


def ngo(name: str = "جمعية الأمل") -> Agency:
    return AgencyFactory(kind=AgencyKind.NGO, name_ar=name, name_en=f"NGO {name}")


def make_grant(
    ngo_agency: Agency | None = None,
    by: Any = None,
    tranches: tuple[tuple[date, str], ...] = (
        (date(2025, 7, 1), "100000.00"),
        (date(2025, 10, 1), "100000.00"),
        (date(2026, 1, 1), "100000.00"),
    ),
) -> Grant:
    """A grant written straight to the tables (the actions are tested on their own)."""
    from himaya.accounts.tests.factories import UserFactory

    grant = Grant.objects.create(
        ngo=ngo_agency or ngo(),
        title="برنامج حماية ضحايا الاتجار",
        amount=sum((Decimal(value) for _due, value in tranches), Decimal(0)),
        starts_on=date(2025, 7, 1),
        ends_on=date(2026, 6, 30),
        phases=["protection", "rehabilitation"],
        services="دعم نفسي\nمساعدة قانونية",
        created_by=by or UserFactory(),
    )
    for sequence, (due_on, value) in enumerate(tranches, start=1):
        Tranche.objects.create(grant=grant, sequence=sequence, due_on=due_on, amount=Decimal(value))
    return grant
