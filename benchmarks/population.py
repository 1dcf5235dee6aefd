"""Bulk builders shared by the benchmarks: agencies, people with roles, survivors and cases.

Records are made with ``bulk_create`` (thousands in a second) and given their public
codes here, since ``bulk_create`` does not call ``save()``: always from ``fresh_codes``
(``coded``), distinct within the batch and from every stored row, never one by one.
"""

from collections.abc import Sequence
from datetime import date, timedelta
from random import Random
from typing import TypeVar

from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind, Governorate, Membership
from himaya.cases.models import Case, ClosureReason, Phase
from himaya.core.models import PublicCodeModel
from himaya.survivors.models import Survivor, SurvivorAccess

BATCH = 1000

Coded = TypeVar("Coded", bound=PublicCodeModel)


def coded(rows: list[Coded]) -> list[Coded]:
    """The rows, each given a public code distinct from the others' and the stored ones'."""
    if rows:
        for row, code in zip(rows, type(rows[0]).fresh_codes(len(rows)), strict=True):
            row.code = code
    return rows


def agency(name: str, kind: str = AgencyKind.DIRECTORATE, governorate: str = "EG-C") -> Agency:
    return Agency.objects.create(
        name_ar=f"جهة {name}",
        name_en=name,
        kind=kind,
        governorate=Governorate.objects.get(code=governorate),
    )


def person(username: str, role: str | None = None, of: Agency | None = None) -> User:
    """A user (no password: nobody signs in here), with a role in the agency when given."""
    user = User.objects.create(username=username)
    if role is not None and of is not None:
        Membership.objects.create(user=user, agency=of, role=role)
    return user


def survivors(count: int, *, agency: Agency, by: User, rng: Random) -> list[Survivor]:
    """``count`` survivors registered by the agency; sexes and ages vary."""
    sexes = ["female"] * 6 + ["male"] * 3 + ["unknown"]
    codes = Survivor.fresh_codes(count)
    rows = [
        Survivor(
            code=codes[n],
            name_ar=f"ناجية رقم {n}",
            sex=rng.choice(sexes),
            birth_year=rng.randint(1970, 2016),
            nationality=rng.choice(["EG", "EG", "EG", "SD", "ER", "ET", "SY"]),
            registered_by_agency=agency,
            registered_by=by,
        )
        for n in range(count)
    ]
    made = Survivor.objects.bulk_create(rows, batch_size=BATCH)
    access(made)
    return made


def access(of: Sequence[Survivor], agency_of: Sequence[int] | None = None) -> None:
    """The survivors' access rows, as registration (``agency_of`` not given: the
    registering agency) or opening a case (``agency_of``: each one's lead agency) keeps
    them; one row per survivor, written in bulk."""
    for start in range(0, len(of), BATCH):
        chunk = of[start : start + BATCH]
        SurvivorAccess.objects.filter(survivor__in=chunk).delete()
        agencies = (
            agency_of[start : start + BATCH]
            if agency_of is not None
            else [survivor.registered_by_agency_id for survivor in chunk]
        )
        SurvivorAccess.objects.bulk_create(
            SurvivorAccess(survivor=survivor, agency_id=agency_id)
            for survivor, agency_id in zip(chunk, agencies, strict=True)
        )


def cases(
    of: Sequence[Survivor],
    *,
    lead: Agency,
    workers: Sequence[User],
    rng: Random,
    phases: Sequence[str] = ("identification", "protection", "assistance", "reintegration"),
    governorates: Sequence[Governorate] = (),
) -> list[Case]:
    """One case per survivor, led by ``lead``, spread over the workers, phases and dates."""
    rows = []
    codes = iter(Case.fresh_codes(len(of)))
    for survivor in of:
        first = date(2023, 1, 1) + timedelta(days=rng.randint(0, 1000))
        phase = rng.choice(phases)
        closed = phase == Phase.CLOSED
        rows.append(
            Case(
                code=next(codes),
                survivor=survivor,
                lead_agency=lead,
                case_worker=rng.choice(workers),
                phase=phase,
                first_contact_on=first,
                identified_on=first + timedelta(days=rng.randint(0, 10)),
                governorate_of_exploitation=rng.choice(governorates) if governorates else None,
                closed_on=first + timedelta(days=rng.randint(30, 400)) if closed else None,
                closure_reason=ClosureReason.REINTEGRATED if closed else "",
            )
        )
    made = Case.objects.bulk_create(rows, batch_size=BATCH)
    access(of, [lead.pk] * len(of))
    return made
