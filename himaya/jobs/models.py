"""Tables of the jobs app: what the task queue ran, and which days a daily job has done.

Both are infrastructure records written by the queue (``jobs.recording``), never by a
person: a run holds the task's name, how many arguments it had (never their values), its
times, its outcome and the start of its error, so that an administrator sees failures
without reading any personal data.
"""

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.jobs.registry import label_of

# The start of an error is kept, not its whole traceback (the consumer's log has that).
ERROR_TEXT_LENGTH = 2000


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    OK = "ok", _("Succeeded")
    RETRYING = "retrying", _("Failed, will be retried")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One task of the queue, from its first attempt to its outcome (retries included)."""

    task_id = models.CharField(_("task identifier"), max_length=64, unique=True)
    task_name = models.CharField(_("task"), max_length=200)
    args_summary = models.CharField(_("arguments"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    retries_left = models.PositiveIntegerField(_("retries left"), default=0)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="jobs_run_recent"),
            models.Index(fields=["status", "-started_at"], name="jobs_run_status_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def label(self) -> str | Promise:
        """The job's name in the reader's language (registered by the app of the task)."""
        return label_of(self.task_name)


class JobDay(models.Model):
    """A day a daily job has done: the unique pair makes a second run that day a no-op."""

    task_name = models.CharField(_("task"), max_length=200)
    day = models.DateField(_("day"))
    done_at = models.DateTimeField(_("done"), auto_now_add=True)

    class Meta:
        verbose_name = _("job day")
        verbose_name_plural = _("job days")
        ordering = ["-day", "task_name"]
        constraints = [
            models.UniqueConstraint(fields=["task_name", "day"], name="jobs_day_once_per_task"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.day:%Y-%m-%d}"
