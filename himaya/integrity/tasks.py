"""The integrity app's nightly tasks (``manage.py run_huey``): the invariants are checked,
a backup is taken (the newest ``settings.BACKUP_KEEP`` are kept), expired idempotency keys
are deleted. Every run is recorded in ``jobs.JobRun``; a broken invariant fails its run,
so the jobs page shows it.
"""

import logging

from django.utils.translation import gettext_lazy as _

from himaya.jobs.queue import periodic_task
from himaya.jobs.registry import JobLabel, register_job
from himaya.jobs.schedule import local_crontab

logger = logging.getLogger(__name__)

CHECK_INVARIANTS = "check_invariants_nightly"
NIGHTLY_BACKUP = "nightly_backup"
PRUNE_KEYS = "prune_idempotency_keys"

register_job(
    JobLabel(
        name=CHECK_INVARIANTS,
        label=_("Integrity checks"),
        description=_(
            "Every night at 02:00: fund ledger balances, shelter stays, the audit chain and "
            "the phase history of every case."
        ),
    ),
    JobLabel(
        name=NIGHTLY_BACKUP,
        label=_("Encrypted backup"),
        description=_("Every night at 02:30: an encrypted backup of the database."),
    ),
    JobLabel(
        name=PRUNE_KEYS,
        label=_("Clearing expired idempotency keys"),
        description=_("Every night at 03:30: keys older than their time to live."),
    ),
)


class InvariantBroken(Exception):
    """A nightly check found broken records."""


def run_checks() -> int:
    """Check every invariant; raise (the run fails) when any finding is made."""
    from himaya.integrity.selectors import check_invariants

    findings = [finding for found in check_invariants().values() for finding in found]
    for finding in findings:
        logger.error("invariant broken: %s", finding)
    if findings:
        raise InvariantBroken(f"{len(findings)} invariant finding(s); first: {findings[0]}")
    return 0


@periodic_task(
    local_crontab(minute="0", hour="2"), retries=0, retry_delay=60, name=CHECK_INVARIANTS
)
def check_invariants_nightly() -> int:
    return run_checks()


@periodic_task(
    local_crontab(minute="30", hour="2"), retries=2, retry_delay=300, name=NIGHTLY_BACKUP
)
def nightly_backup() -> str:
    from himaya.integrity.backup import take_backup

    return str(take_backup().path)


@periodic_task(local_crontab(minute="30", hour="3"), retries=3, retry_delay=60, name=PRUNE_KEYS)
def prune_idempotency_keys() -> int:
    from himaya.integrity.idempotency import prune_keys

    return prune_keys()
