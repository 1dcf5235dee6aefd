"""The monitoring indicators, kept up to date by the task queue (``manage.py run_huey``).

Two periodic tasks: every night at 01:00 Cairo time the indicators of the day before are
computed, once per day whatever the number of consumers or retries (``jobs.JobDay``);
every minute the days that a change marked dirty are computed again. A failed attempt is
retried three times, a minute apart, and every attempt is recorded in ``jobs.JobRun``.
After a computation that made a new edition of the values, the dashboard's opening view
and cards are drawn for its first readers (``figures.warm``) when the pages cache is one for
every process of the service; in a process's own memory it would serve no page.
The monitoring actions are imported inside the tasks, so the queue loads this module
without the app's tables or indicators being read.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huey import crontab

from himaya.jobs.actions import run_once_per_day
from himaya.jobs.queue import periodic_task
from himaya.jobs.registry import JobLabel, register_job
from himaya.jobs.schedule import local_crontab

DAILY_INDICATORS = "compute_daily_indicators"
REFRESH_DIRTY_DAYS = "refresh_dirty_days"
RETRIES = 3
RETRY_DELAY = 60  # seconds

register_job(
    JobLabel(
        name=DAILY_INDICATORS,
        label=_("Daily indicators"),
        description=_("Every night at 01:00 Cairo time: the indicators of the day before."),
        daily=True,
    ),
    JobLabel(
        name=REFRESH_DIRTY_DAYS,
        label=_("Refresh of changed days"),
        description=_("Every minute: the indicators of the days that a change touched."),
    ),
)


Done = TypeVar("Done")


def drawn_for_first_readers(work: Callable[[], Done]) -> Done:
    """Run ``work``; if it made a new edition of the values, draw the dashboard's opening
    view and cards for the edition's first readers (a shared pages cache only)."""
    from himaya.monitoring import figures, selectors

    before = selectors.edition()
    done = work()
    if figures.kept_for_every_process() and selectors.edition() != before:
        figures.warm()
    return done


def compute_day(day: date) -> bool:
    """Compute the indicators of one day, unless done already; answer whether it ran."""
    from himaya.monitoring.actions import compute_indicators

    return drawn_for_first_readers(
        lambda: run_once_per_day(
            task_name=DAILY_INDICATORS,
            day=day,
            work=lambda: compute_indicators(start=day, end=day),
        )
    )


@periodic_task(
    local_crontab(minute="0", hour="1"),
    retries=RETRIES,
    retry_delay=RETRY_DELAY,
    name=DAILY_INDICATORS,
)
def compute_daily_indicators() -> bool:
    """Yesterday, on Cairo's calendar (``settings.TIME_ZONE``)."""
    return compute_day(timezone.localdate() - timedelta(days=1))


@periodic_task(crontab(), retries=RETRIES, retry_delay=RETRY_DELAY, name=REFRESH_DIRTY_DAYS)
def refresh_dirty_days() -> int:
    """Compute again the days marked dirty (a bounded batch a minute); answer how many."""
    from himaya.monitoring.actions import process_dirty_days

    return len(drawn_for_first_readers(process_dirty_days))
