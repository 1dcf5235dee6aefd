"""The jobs app's own periodic task: old runs are pruned every night."""

from django.utils.translation import gettext_lazy as _

from himaya.jobs.actions import prune_runs
from himaya.jobs.queue import periodic_task
from himaya.jobs.registry import JobLabel, register_job
from himaya.jobs.schedule import local_crontab

PRUNE_RUNS = "prune_job_runs"

register_job(
    JobLabel(
        name=PRUNE_RUNS,
        label=_("Clearing old job records"),
        description=_("Every night at 03:00: successes older than two weeks, all after a year."),
    )
)


@periodic_task(local_crontab(minute="0", hour="3"), retries=3, retry_delay=60, name=PRUNE_RUNS)
def prune_job_runs() -> int:
    return prune_runs()
