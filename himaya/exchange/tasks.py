"""The exchange app's periodic task: the monthly national report of the month before,
on the first day of each month at 07:00 Cairo time (after the night's indicators of the
last day and the morning's situation report), once whatever the number of consumers or
retries (``jobs.JobDay``, claimed for the first day of the month reported)."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.jobs.actions import run_once_per_day
from himaya.jobs.queue import periodic_task
from himaya.jobs.registry import JobLabel, register_job
from himaya.jobs.schedule import local_crontab

MONTHLY_REPORT = "monthly_national_report"
RETRIES = 3
RETRY_DELAY = 60  # seconds

register_job(
    JobLabel(
        name=MONTHLY_REPORT,
        label=_("Monthly national report"),
        description=_(
            "On the first day of each month at 07:00 Cairo time: the report of the month before."
        ),
        daily=True,
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
