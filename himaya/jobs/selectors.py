"""The reads of the jobs app: runs are shown to administrators only.

Runs hold no personal data, but they tell how the system is doing: the administrator
capability (``accounts.manage_users``) reaches them, nobody else.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from himaya.core.typing import AnyUser
from himaya.jobs.models import JobRun, RunStatus
from himaya.jobs.registry import registered_jobs

VIEW_RUNS = "accounts.manage_users"
FAILED = (RunStatus.FAILED, RunStatus.RETRYING)


def runs_visible_to(user: AnyUser) -> QuerySet[JobRun]:
    if not user.is_authenticated or not user.has_perm(VIEW_RUNS):
        return JobRun.objects.none()
    return JobRun.objects.all()


def recent_runs(user: AnyUser, *, limit: int = 50) -> list[JobRun]:
    return list(runs_visible_to(user).order_by("-started_at", "-id")[:limit])


def recent_failures(user: AnyUser, *, limit: int = 20) -> list[JobRun]:
    return list(
        runs_visible_to(user).filter(status__in=FAILED).order_by("-started_at", "-id")[:limit]
    )


def failures_since(user: AnyUser, *, hours: int = 24) -> int:
    """Runs that failed (or wait for a retry) in the last hours: one bounded count."""
    since = timezone.now() - timedelta(hours=hours)
    return runs_visible_to(user).filter(status__in=FAILED, started_at__gte=since).count()


@dataclass(frozen=True)
class JobState:
    """Each registered job with its last success and last failure."""

    name: str
    label: str | Promise
    description: str | Promise
    last_success: datetime | None
    last_failure: datetime | None


def job_states(user: AnyUser) -> list[JobState]:
    """Two index reads per registered job (a handful), none for a user who may not see."""
    runs = runs_visible_to(user)
    if not user.is_authenticated or not user.has_perm(VIEW_RUNS):
        return []
    states = []
    for job in registered_jobs():
        of_job = runs.filter(task_name=job.name)
        success = of_job.filter(status=RunStatus.OK).order_by("-started_at").first()
        failure = of_job.filter(status__in=FAILED).order_by("-started_at").first()
        states.append(
            JobState(
                name=job.name,
                label=job.label,
                description=job.description,
                last_success=success.finished_at if success else None,
                last_failure=failure.started_at if failure else None,
            )
        )
    return states
