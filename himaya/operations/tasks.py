"""The centre's periodic tasks: the alert rules every two minutes, escalation every
minute, and the situation report of the day before every morning at 06:00 Cairo time
(once per day whatever the number of consumers or retries, ``jobs.JobDay``)."""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huey import crontab

from himaya.jobs.actions import run_once_per_day
from himaya.jobs.queue import periodic_task
from himaya.jobs.registry import JobLabel, register_job
from himaya.jobs.schedule import local_crontab

EVALUATE_ALERTS = "evaluate_operations_alerts"
ESCALATE_ALERTS = "escalate_operations_alerts"
SITUATION_REPORT = "daily_situation_report"
RETRIES = 3
RETRY_DELAY = 60  # seconds

register_job(
    JobLabel(
        name=EVALUATE_ALERTS,
        label=_("Alert rules"),
        description=_("Every two minutes: the centre's alert rules, each alert once."),
    ),
    JobLabel(
        name=ESCALATE_ALERTS,
        label=_("Escalation of alerts"),
        description=_("Every minute: unacknowledged alerts move up the on-call roster."),
    ),
    JobLabel(
        name=SITUATION_REPORT,
        label=_("Daily situation report"),
        description=_("Every morning at 06:00 Cairo time: the report of the day before."),
        daily=True,
    ),
)


@periodic_task(
    crontab(minute="*/2"), retries=RETRIES, retry_delay=RETRY_DELAY, name=EVALUATE_ALERTS
)
def evaluate_operations_alerts() -> int:
    from himaya.operations.actions import evaluate_alerts

    return evaluate_alerts()


@periodic_task(crontab(), retries=RETRIES, retry_delay=RETRY_DELAY, name=ESCALATE_ALERTS)
def escalate_operations_alerts() -> int:
    from himaya.operations.actions import escalate_alerts

    return escalate_alerts()


def report_day(day: date) -> bool:
    """Produce and send the report of ``day``, unless done already."""
    from himaya.operations.report import daily_report

    return run_once_per_day(task_name=SITUATION_REPORT, day=day, work=lambda: daily_report(day))


@periodic_task(
    local_crontab(minute="0", hour="6"),
    retries=RETRIES,
    retry_delay=RETRY_DELAY,
    name=SITUATION_REPORT,
)
def daily_situation_report() -> bool:
    return report_day(timezone.localdate() - timedelta(days=1))
