"""The writes of the jobs app: the record of each run, and the once-a-day guard.

Runs are written by the queue's signal receivers (``jobs.recording``), which is
infrastructure like the receivers of authentication events: they record what the queue
did and decide nothing. No person writes here, so there is no audit row.
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from himaya.jobs.models import ERROR_TEXT_LENGTH, JobDay, JobRun, RunStatus

ARGS_SUMMARY_LENGTH = 200
# Successful runs (one a minute for the incremental refresh) are kept two weeks; failures
# a year, for whoever looks into a recurring one.
KEEP_SUCCEEDED_DAYS = 14
KEEP_FAILED_DAYS = 365


def summarise_arguments(args: Sequence[Any], kwargs: dict[str, Any]) -> str:
    """How many arguments a task had and the names of its keywords, never their values."""
    parts = []
    if args:
        parts.append(f"{len(args)} positional")
    if kwargs:
        parts.append("keywords: " + ", ".join(sorted(str(name) for name in kwargs)))
    return "; ".join(parts)[:ARGS_SUMMARY_LENGTH]


def error_text(exception: BaseException | None) -> str:
    """The class and message of an error, cut to the length the table keeps."""
    if exception is None:
        return ""
    message = str(exception).strip()
    text = f"{type(exception).__name__}: {message}" if message else type(exception).__name__
    return text[:ERROR_TEXT_LENGTH]


def record_started(*, task_id: str, task_name: str, args_summary: str, retries_left: int) -> JobRun:
    """An attempt of a task begins: the first creates its run, a retry counts one more."""
    now = timezone.now()
    with transaction.atomic():
        updated = JobRun.objects.filter(task_id=task_id).update(
            attempts=F("attempts") + 1,
            status=RunStatus.RUNNING,
            retries_left=retries_left,
            finished_at=None,
        )
        if not updated:
            JobRun.objects.create(
                task_id=task_id,
                task_name=task_name[:200],
                args_summary=args_summary[:ARGS_SUMMARY_LENGTH],
                status=RunStatus.RUNNING,
                attempts=1,
                retries_left=retries_left,
                started_at=now,
            )
        return JobRun.objects.get(task_id=task_id)


def record_outcome(
    *,
    task_id: str,
    task_name: str,
    status: RunStatus,
    retries_left: int,
    error: str = "",
) -> JobRun:
    """An attempt ended: succeeded, failed for good, or failed with retries left.

    The error of a failed attempt stays on the run when a retry then succeeds, so that an
    administrator sees that it needed one.
    """
    now = timezone.now()
    with transaction.atomic():
        run, _created = JobRun.objects.select_for_update(no_key=True).get_or_create(
            task_id=task_id,
            defaults={"task_name": task_name[:200], "started_at": now, "attempts": 1},
        )
        run.status = status
        run.retries_left = retries_left
        run.finished_at = now
        if error:
            run.error = error[:ERROR_TEXT_LENGTH]
        run.save(update_fields=["status", "retries_left", "finished_at", "error"])
        return run


def run_once_per_day(*, task_name: str, day: date, work: Callable[[], object]) -> bool:
    """Do ``work`` for ``day`` unless it was done already; answer whether it ran.

    The day is claimed and the work done in one transaction: a second run for the same day
    (a second consumer, a retry after success, a manual run) finds the claim and does
    nothing, and a run that fails leaves no claim, so its retry does the work.
    """
    with transaction.atomic():
        _claim, created = JobDay.objects.get_or_create(task_name=task_name, day=day)
        if not created:
            return False
        work()
    return True


def prune_runs(
    *,
    now: datetime | None = None,
    keep_succeeded_days: int = KEEP_SUCCEEDED_DAYS,
    keep_failed_days: int = KEEP_FAILED_DAYS,
) -> int:
    """Delete old runs: successes after two weeks, everything after a year."""
    now = now or timezone.now()
    succeeded, _ = JobRun.objects.filter(
        status=RunStatus.OK, started_at__lt=now - timedelta(days=keep_succeeded_days)
    ).delete()
    older, _ = JobRun.objects.filter(started_at__lt=now - timedelta(days=keep_failed_days)).delete()
    return succeeded + older
