"""The sending of notifications by the task queue (``manage.py run_huey``).

``notify`` queues one ``deliver_notifications`` task after its transaction commits; the
task sends every delivery of those notifications that is still waiting. Each delivery is
claimed before it is sent (an update from "waiting" to "being sent" that only one run can
make), so a retried or doubled task never sends the same message twice. A failed send is
retried three times, a minute apart. Every five minutes ``send_waiting_deliveries`` sends
what a lost task left waiting. The actions are imported inside the tasks, so the queue
loads this module without the app's tables being read.
"""

import logging
from typing import Any

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_task

from himaya.jobs.queue import periodic_task
from himaya.jobs.registry import JobLabel, register_job

DELIVER = "deliver_notifications"
SEND_WAITING = "send_waiting_deliveries"
CHECKS = "run_notification_checks"
logger = logging.getLogger("himaya.notifications")
RETRIES = 3
RETRY_DELAY = 60  # seconds

register_job(
    JobLabel(
        name=DELIVER,
        label=_("Sending of notifications"),
        description=_("After each event: the e-mails and messages of its notifications."),
    ),
    JobLabel(
        name=SEND_WAITING,
        label=_("Notifications still waiting"),
        description=_("Every five minutes: the notifications whose sending was not queued."),
    ),
    JobLabel(
        name=CHECKS,
        label=_("Notifications of what falls due"),
        description=_(
            "Every fifteen minutes: referrals about to be overdue, follow-up visits due."
        ),
    ),
)


class ChecksFailed(Exception):
    """Some checks failed (the queue retries the task; the others have run)."""


class DeliveriesFailed(Exception):
    """Some deliveries failed and will be tried again (the queue retries the task)."""


def _deliver(notification_ids: list[int]) -> int:
    from himaya.notifications.actions import send_deliveries

    sent, retry = send_deliveries(notification_ids=notification_ids)
    if retry:
        raise DeliveriesFailed(f"{retry} deliveries will be tried again")
    return sent


deliver_notifications: Any = db_task(retries=RETRIES, retry_delay=RETRY_DELAY, name=DELIVER)(
    _deliver
)


def queue_deliveries(notification_ids: list[int]) -> None:
    """Queue the sending of these notifications (called after the transaction commits).

    If the queue cannot be reached, the write that notified has happened all the same:
    the failure is logged and ``send_waiting_deliveries`` sends them later.
    """
    try:
        deliver_notifications(list(notification_ids))
    except Exception:  # the queue's storage is down: the sweep sends them later
        logger.exception("could not queue %d notifications", len(notification_ids))


@periodic_task(crontab(minute="*/5"), retries=RETRIES, retry_delay=RETRY_DELAY, name=SEND_WAITING)
def send_waiting_deliveries() -> int:
    from himaya.notifications.actions import send_deliveries

    sent, _retry = send_deliveries(notification_ids=None)
    return sent


@periodic_task(crontab(minute="*/15"), retries=RETRIES, retry_delay=RETRY_DELAY, name=CHECKS)
def run_notification_checks() -> int:
    """Every registered check; one that fails does not stop the others."""
    from django.utils import timezone

    from himaya.notifications.checks import registered_checks

    now = timezone.now()
    created = 0
    failed: list[str] = []
    for check in registered_checks():
        try:
            created += check.run(now)
        except Exception:  # any failure is retried with the task; the others have run
            logger.exception("notification check %s failed", check.name)
            failed.append(check.name)
    if failed:
        raise ChecksFailed(", ".join(failed))
    return created
