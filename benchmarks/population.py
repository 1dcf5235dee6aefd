"""Bulk builders shared by the benchmarks: agencies, people with roles, survivors and cases.

Records are made with ``bulk_create`` (thousands in a second) and given their public
codes here, since ``bulk_create`` does not call ``save()``.
"""

from collections.abc import Sequence
from datetime import date, timedelta
from random import Random

from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind, Governorate, Membership
from himaya.cases.models import Case, ClosureReason, Phase
from himaya.survivors.models import Survivor

BATCH = 1000


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
    return Survivor.objects.bulk_create(rows, batch_size=BATCH)


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
    return Case.objects.bulk_create(rows, batch_size=BATCH)
