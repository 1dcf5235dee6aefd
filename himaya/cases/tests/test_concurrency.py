"""Two people change the same case at the same moment: exactly one change counts."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.models import Governorate, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases import actions
from himaya.cases.exceptions import CaseError
from himaya.cases.models import Case, ClosureReason, ClosureRequest, Phase, PhaseChange
from himaya.cases.tests.factories import CaseFactory
from himaya.core.locking import ConcurrentEditError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*moves: Callable[[], object]) -> list[str]:
    barrier = threading.Barrier(len(moves))
    outcomes: list[str] = []

    def run(move: Callable[[], object]) -> None:
        try:
            barrier.wait()
            move()
            outcomes.append("done")
        except (CaseError, ConcurrentEditError):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(move,)) for move in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def team() -> tuple[Case, list[object]]:
    cairo, _ = Governorate.objects.get_or_create(
        code="EG-C", defaults={"name_ar": "القاهرة", "name_en": "Cairo"}
    )
    agency = AgencyFactory(governorate=cairo)
    workers = [UserFactory(), UserFactory()]
    for user in workers:
        Membership.objects.create(user=user, agency=agency, role=Role.CASE_WORKER)
    case = CaseFactory(
        lead_agency=agency,
        case_worker=workers[0],
        survivor__registered_by_agency=agency,
        survivor__governorate_of_origin=None,
    )
    return case, workers


def test_simultaneous_phase_moves_leave_exactly_one_move() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and real concurrency")
    case, workers = team()

    def move(index: int, phase: str) -> Callable[[], object]:
        return lambda: actions.move_case(
            case=Case.objects.get(pk=case.pk),
            to_phase=phase,
            by=workers[index],
            expected_version=1,
        )

    assert race(move(0, Phase.PROTECTION), move(1, Phase.ASSISTANCE)) == ["done", "refused"]
    case.refresh_from_db()
    assert case.version == 2
    assert case.phase in {Phase.PROTECTION, Phase.ASSISTANCE}
    assert PhaseChange.objects.filter(case=case).count() == 1
    assert case.events.count() == 1


def test_simultaneous_closure_requests_leave_exactly_one_request() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and real concurrency")
    case, workers = team()

    def ask(index: int) -> Callable[[], object]:
        return lambda: actions.request_closure(
            case=Case.objects.get(pk=case.pk), by=workers[index], reason=ClosureReason.REPATRIATED
        )

    assert race(ask(0), ask(1)) == ["done", "refused"]
    assert ClosureRequest.objects.filter(case=case).count() == 1
