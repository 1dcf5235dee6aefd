"""The exchange app's tasks.

- The monthly national report of the month before, on the first day of each month at
  07:00 Cairo time (after the night's indicators of the last day and the morning's
  situation report), once whatever the number of consumers or retries (``jobs.JobDay``,
  claimed for the first day of the month reported).
- The work on an uploaded spreadsheet (its check, then its import), queued after the
  upload or the confirmation commits; every five minutes a sweep queues again the work
  that stopped moving and deletes the files of checked uploads never confirmed.

The actions are imported inside the tasks, so the queue loads this module without the
app's tables being read.
"""

import logging
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_task

from himaya.jobs.actions import run_once_per_day
from himaya.jobs.queue import periodic_task
from himaya.jobs.registry import JobLabel, register_job
from himaya.jobs.schedule import local_crontab

MONTHLY_REPORT = "monthly_national_report"
SHEET_WORK = "sheet_import_work"
SHEET_SWEEP = "sheet_import_sweep"
RETRIES = 3
RETRY_DELAY = 60  # seconds
logger = logging.getLogger("himaya.exchange")

register_job(
    JobLabel(
        name=MONTHLY_REPORT,
        label=_("Monthly national report"),
        description=_(
            "On the first day of each month at 07:00 Cairo time: the report of the month before."
        ),
        daily=True,
    ),
    JobLabel(
        name=SHEET_WORK,
        label=_("Spreadsheet checks and imports"),
        description=_("After each upload or confirmation: the rows of the spreadsheet."),
    ),
    JobLabel(
        name=SHEET_SWEEP,
        label=_("Spreadsheet imports to resume or expire"),
        description=_(
            "Every five minutes: imports that stopped moving are queued again; the files "
            "of checked uploads never confirmed are deleted."
        ),
    ),
)


def report_month(month: date) -> bool:
    """Make the report of ``month`` unless it was made by the scheduler already."""
    from himaya.exchange.monthly import produce_monthly_report

    return run_once_per_day(
        task_name=MONTHLY_REPORT,
        day=month,
        work=lambda: produce_monthly_report(month=month),
    )


@periodic_task(
    local_crontab(minute="0", hour="7", day="1"),
    retries=RETRIES,
    retry_delay=RETRY_DELAY,
    name=MONTHLY_REPORT,
)
def monthly_national_report() -> bool:
    from himaya.exchange.monthly import previous_month

    return report_month(previous_month(timezone.localdate()))


def _work_on_sheet(batch_id: int) -> str:
    from himaya.exchange.sheet_actions import work_on

    batch = work_on(batch_id)
    return batch.status if batch is not None else ""


# Two retries after a failure (three runs), then the upload is stopped by its count of
# attempts; each run goes on where the last one stopped.
work_on_sheet: Any = db_task(retries=2, retry_delay=30, name=SHEET_WORK)(_work_on_sheet)


def queue_sheet_work(batch_id: int, *, delay: timedelta | None = None) -> None:
    """Queue the work on an upload (now, or after ``delay``). If the queue cannot be
    reached the upload keeps its status and the sweep queues it again later."""
    try:
        if delay is None:
            work_on_sheet(batch_id)
        else:
            work_on_sheet.schedule(args=(batch_id,), delay=delay.total_seconds())
    except Exception:  # the queue's storage is down: the sweep queues it again
        logger.exception("could not queue the work on spreadsheet upload %s", batch_id)


@periodic_task(crontab(minute="*/5"), retries=RETRIES, retry_delay=RETRY_DELAY, name=SHEET_SWEEP)
def sweep_sheet_imports() -> int:
    from himaya.exchange.sheet_actions import sweep_sheet_imports as sweep

    queued, expired = sweep()
    return len(queued) + expired
