"""The registry searched for duplicates by the task queue (``manage.py run_huey``): every
night at 02:00 Cairo time, once per day (``jobs.JobDay``). The actions are imported inside
the task, so the queue loads this module without reading any table."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.jobs.actions import run_once_per_day
from himaya.jobs.queue import periodic_task
from himaya.jobs.registry import JobLabel, register_job
from himaya.jobs.schedule import local_crontab

FIND_DUPLICATES = "find_duplicates"
RETRIES = 2
RETRY_DELAY = 300  # seconds

register_job(
    JobLabel(
        name=FIND_DUPLICATES,
        label=_("Search for duplicate survivors"),
        description=_("Every night at 02:00 Cairo time: likely duplicates for review."),
        daily=True,
    ),
)


@periodic_task(
    local_crontab(minute="0", hour="2"),
    retries=RETRIES,
    retry_delay=RETRY_DELAY,
    name=FIND_DUPLICATES,
)
def find_duplicates_nightly() -> bool:
    """Score the whole registry once today; answer whether it ran."""
    from himaya.duplicates.actions import find_duplicates

    return run_once_per_day(
        task_name=FIND_DUPLICATES,
        day=timezone.localdate(),
        work=lambda: find_duplicates(),
    )
