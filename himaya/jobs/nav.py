from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from himaya.core.counts import CountProvider, register_count
from himaya.core.nav import NavItem, register
from himaya.core.typing import AnyUser

register(
    NavItem(
        key="jobs",
        label=_("Scheduled jobs"),
        url_name="jobs:runs",
        permission="accounts.manage_users",
        description=_("See when the background jobs last ran and which of them failed."),
        order=960,
    )
)


def _failed_jobs(user: AnyUser) -> int:
    from himaya.jobs.selectors import failures_since

    return failures_since(user)


register_count(
    CountProvider(
        key="jobs.failed",
        permission="accounts.manage_users",
        label=ngettext_lazy(
            "%(count)s background job failed in the last day",
            "%(count)s background jobs failed in the last day",
            "count",
        ),
        url_name="jobs:runs",
        count=_failed_jobs,
        order=90,
    )
)
