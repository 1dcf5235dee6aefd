"""The real queue in tests: Huey's SQLite or Redis storage in place of the immediate mode.

The project's Huey instance (with the recording receivers and every task registered) gets
a real storage for the test; ``drive`` then does, in the test's thread, what the consumer
does each minute: enqueue the periodic tasks due and the retries whose time has come, and
execute what the queue holds.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage, SqliteStorage

REDIS_URL = os.environ.get("HIMAYA_REDIS_URL") or "redis://127.0.0.1:6379/15"


def drive(huey: Any, *, periodic: bool = True) -> int:
    """One pass of the consumer at the (frozen) current time: answers the tasks executed.

    The consumer enqueues the periodic tasks once a minute: a second pass in the same
    minute says ``periodic=False``, unless it stands for a second consumer.
    """
    now = huey._get_timestamp()
    if periodic:
        for task in huey.read_periodic(now):
            huey.enqueue(task)
    for task in huey.read_schedule(now):
        huey.enqueue(task)
    executed = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task, now)
        executed += 1
    return executed


@pytest.fixture
def real_storage() -> Iterator[Callable[[Any], Any]]:
    """Give the project's Huey a real storage (not immediate) until the test ends."""
    saved = (HUEY._immediate, HUEY.storage)

    def use(storage: Any) -> Any:
        HUEY._immediate = False
        HUEY.storage = storage
        return HUEY

    yield use
    try:
        HUEY.storage.flush_all()
    finally:
        HUEY._immediate, HUEY.storage = saved


@pytest.fixture
def sqlite_queue(real_storage: Callable[[Any], Any], tmp_path: Any) -> Any:
    return real_storage(SqliteStorage(HUEY.name, filename=str(tmp_path / "queue.sqlite3")))


@pytest.fixture
def redis_queue(real_storage: Callable[[Any], Any]) -> Any:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        if os.environ.get("HIMAYA_REDIS_REQUIRED"):  # continuous integration starts one
            raise
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    # A queue of its own, so that parallel test runs never share one.
    storage = RedisStorage(f"himaya-test-{uuid.uuid4().hex[:12]}", url=REDIS_URL)
    storage.flush_all()
    return real_storage(storage)


class Indicators:
    """Stands in for the monitoring actions: records the periods asked, can fail."""

    def __init__(self) -> None:
        self.computed: list[tuple[date, date]] = []
        self.failures_left = 0

    def compute_indicators(self, *, start: date, end: date, codes: Any = None) -> int:
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("the indicator store is unavailable")
        self.computed.append((start, end))
        return 1

    def process_dirty_days(self, *, limit: int = 31) -> list[date]:
        return []


@pytest.fixture
def indicators(monkeypatch: pytest.MonkeyPatch) -> Indicators:
    from himaya.monitoring import actions

    fake = Indicators()
    monkeypatch.setattr(actions, "compute_indicators", fake.compute_indicators)
    monkeypatch.setattr(actions, "process_dirty_days", fake.process_dirty_days)
    return fake
