"""The names of the jobs, in the reader's language: each app registers its own.

A task is known to the queue by its function's name, a code that no page shows; the app
that defines the task registers a label (and a sentence saying what it does) under that
name, and the jobs page shows the label. Jobs imports none of the apps that register.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class JobLabel:
    name: str
    label: str | Promise
    description: str | Promise = ""
    daily: bool = False


_jobs: dict[str, JobLabel] = {}

UNKNOWN = _("Other background job")


def register_job(*jobs: JobLabel) -> None:
    for job in jobs:
        _jobs[job.name] = job


def registered_jobs() -> list[JobLabel]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def label_of(name: str) -> str | Promise:
    job = _jobs.get(name)
    return job.label if job else UNKNOWN
