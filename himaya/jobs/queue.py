"""The project's task queue: Huey as configured by ``settings.HUEY`` (``djhuey``).

Apps declare their periodic tasks with ``periodic_task``, a typed front to djhuey's
``db_periodic_task`` (which closes stale database connections around each run in the
consumer); every run is recorded by ``jobs.recording``.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from huey.contrib.djhuey import HUEY, db_periodic_task

__all__ = ["HUEY", "periodic_task"]


def periodic_task(
    schedule: Callable[[datetime], bool], *, name: str, retries: int, retry_delay: int
) -> Callable[[Callable[[], Any]], Any]:
    """A task that the consumer enqueues whenever ``schedule`` matches the minute."""
    decorator: Callable[[Callable[[], Any]], Any] = db_periodic_task(
        schedule, retries=retries, retry_delay=retry_delay, name=name
    )
    return decorator
