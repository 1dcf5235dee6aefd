"""Two people saving the same survivor at once: one edit wins, the other is refused."""

import threading

import pytest
from django.db import connection, connections

from himaya.core.locking import ConcurrentEditError
from himaya.survivors import actions
from himaya.survivors.models import Survivor

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_concurrent_identity_edits_from_one_version_save_exactly_one(
    case_worker, supervisor, world
) -> None:
    code = world.registered_by_a.code
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(user, phone: str) -> None:
        try:
            survivor = Survivor.objects.get(code=code)
            barrier.wait()
            actions.update_identity(
                survivor=survivor,
                by=user,
                expected_version=1,
                identity={"phone": phone},
                clear={},
            )
            outcomes.append(phone)
        except ConcurrentEditError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=edit, args=(case_worker, "+20 10 0000 0001")),
        threading.Thread(target=edit, args=(supervisor, "+20 10 0000 0002")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "refused" and len(outcomes) == 2
    saved = Survivor.objects.get(code=code)
    assert saved.version == 2
    assert saved.phone in outcomes
