"""Exact search by blind index against decrypt-and-scan; the cost of the audit chain."""

from collections.abc import Callable

from django.db import transaction

from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind, Governorate
from himaya.audit.actions import record_event
from himaya.core.crypto import blind_index, normalise
from himaya.survivors.models import Survivor

FIRST = ["فاطمة", "مريم", "سلمى", "هدى", "نور", "آمنة", "زينب", "خديجة"]
LAST = ["أحمد", "محمود", "حسن", "علي", "إبراهيم", "يوسف", "عمر", "سعيد"]

Compare = Callable[[str, Callable[[], object], Callable[[], object], int], None]


def _population(count: int) -> None:
    governorate = Governorate.objects.get(code="EG-C")
    agency = Agency.objects.create(
        name_ar="مديرية",
        name_en="Directorate",
        kind=AgencyKind.DIRECTORATE,
        governorate=governorate,
    )
    user = User.objects.create(username="bench")
    first = FIRST
    last = LAST
    survivors = []
    for n in range(count):
        name = f"{first[n % 8]} {last[(n // 8) % 8]} {n}"
        survivors.append(
            Survivor(
                name_ar=name,
                name_ar_index=blind_index(name, purpose="name"),
                registered_by_agency=agency,
                registered_by=user,
            )
        )
    with transaction.atomic():
        for survivor in survivors:
            survivor.save()


def run(survivors: int, rounds: int, compare: Compare, compare_cost: Compare) -> None:
    _population(survivors)
    n = survivors - 8
    # Spelled without hamza and with heh for teh marbuta: the stored form differs.
    wanted = f"{FIRST[n % 8]} {LAST[(n // 8) % 8]} {n}".replace("ة", "ه").replace("أ", "ا")

    def scan() -> list[str]:
        target = normalise(wanted)
        return [
            s.code
            for s in Survivor.objects.only("code", "name_ar")
            if normalise(s.name_ar) == target
        ]

    def indexed() -> list[str]:
        index = blind_index(wanted, purpose="name")
        return list(Survivor.objects.filter(name_ar_index=index).values_list("code", flat=True))

    assert scan() == indexed() and len(indexed()) == 1
    compare(
        f"exact name search among {survivors} survivors: blind index vs decrypt-and-scan",
        scan,
        indexed,
        rounds,
    )

    user = User.objects.get(username="bench")
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    def plain_inserts() -> None:
        with transaction.atomic():
            for n in range(200):
                Session.objects.create(
                    session_key=f"k{timezone.now().timestamp()}{n}",
                    session_data="x",
                    expire_date=timezone.now(),
                )

    def chained_events() -> None:
        with transaction.atomic():
            for n in range(200):
                record_event(action="bench.event", actor=user, object_code=str(n))

    compare_cost(
        "200 audit events with hash chain vs 200 plain inserts",
        plain_inserts,
        chained_events,
        rounds,
    )
