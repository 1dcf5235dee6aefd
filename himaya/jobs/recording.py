"""The queue's signal receivers: every attempt of every task leaves a ``JobRun``.

Huey reports what its consumer does only through its signals (executing, complete, error,
retrying, interrupted). These receivers are infrastructure, like those that record
authentication events: they write what happened and carry no domain logic. A receiver
that fails is logged by Huey and never fails the task.
"""

import logging
from typing import Any

from django.db import close_old_connections
from huey import signals

from himaya.jobs import actions
from himaya.jobs.models import RunStatus

logger = logging.getLogger(__name__)

_connected: set[int] = set()


def connect(huey: Any) -> None:
    """Record the runs of this Huey instance (once, however often it is called)."""
    if id(huey) in _connected:
        return
    _connected.add(id(huey))

    def fresh_connection() -> None:
        # The consumer is a long-running process: drop a connection that the database
        # closed or that outlived CONN_MAX_AGE, as a request would. In immediate mode the
        # task runs inside the caller's connection, which stays untouched.
        if not huey.immediate:
            close_old_connections()

    def executing(signal: str, task: Any, *args: Any) -> None:
        fresh_connection()
        actions.record_started(
            task_id=task.id,
            task_name=task.name,
            args_summary=actions.summarise_arguments(task.args, task.kwargs),
            retries_left=task.retries,
        )

    def complete(signal: str, task: Any, *args: Any) -> None:
        fresh_connection()
        actions.record_outcome(
            task_id=task.id, task_name=task.name, status=RunStatus.OK, retries_left=task.retries
        )

    def error(signal: str, task: Any, exception: BaseException | None = None, *args: Any) -> None:
        # Sent for every failed attempt; "retrying" follows when a retry is left.
        fresh_connection()
        actions.record_outcome(
            task_id=task.id,
            task_name=task.name,
            status=RunStatus.FAILED,
            retries_left=task.retries,
            error=actions.error_text(exception),
        )

    def retrying(signal: str, task: Any, *args: Any) -> None:
        fresh_connection()
        actions.record_outcome(
            task_id=task.id,
            task_name=task.name,
            status=RunStatus.RETRYING,
            # The consumer takes one retry off as it schedules the next attempt.
            retries_left=max(task.retries - 1, 0),
        )

    def interrupted(signal: str, task: Any, *args: Any) -> None:
        fresh_connection()
        actions.record_outcome(
            task_id=task.id,
            task_name=task.name,
            status=RunStatus.FAILED,
            retries_left=task.retries,
            error="Interrupted: the consumer stopped before the task finished",
        )

    def timed_out(signal: str, task: Any, *args: Any) -> None:
        fresh_connection()
        actions.record_outcome(
            task_id=task.id,
            task_name=task.name,
            status=RunStatus.FAILED,
            retries_left=task.retries,
            error=f"Timeout: the task ran longer than {task.timeout} seconds",
        )

    huey.signal(signals.SIGNAL_EXECUTING)(executing)
    huey.signal(signals.SIGNAL_COMPLETE)(complete)
    huey.signal(signals.SIGNAL_ERROR)(error)
    huey.signal(signals.SIGNAL_RETRYING)(retrying)
    huey.signal(signals.SIGNAL_INTERRUPTED)(interrupted)
    huey.signal(signals.SIGNAL_TIMEOUT)(timed_out)
