from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from himaya.core.counts import CountProvider, register_count
from himaya.core.nav import NavItem, register
from himaya.core.typing import AnyUser
from himaya.notifications.checks import register_check
from himaya.notifications.events import Event, register_event

register(
    NavItem(
        key="empowerment_queue",
        label=_("Empowerment work"),
        url_name="empowerment:queue",
        permission="empowerment.manage_enrolments",
        description=_("Referrals awaiting your decision and overdue follow-up visits."),
        order=60,
    ),
    NavItem(
        key="empowerment_enrolments",
        label=_("Enrolments"),
        url_name="empowerment:enrolments",
        permission="empowerment.manage_enrolments",
        description=_("Survivors enrolled in the programmes your agency manages."),
        order=61,
    ),
    NavItem(
        key="empowerment_programmes",
        label=_("Empowerment programmes"),
        url_name="empowerment:programmes",
        permission="cases.work_cases",
        description=_("Programmes survivors can be referred to, and who may join them."),
        order=62,
    ),
    NavItem(
        key="empowerment_outcomes",
        label=_("Empowerment outcomes"),
        url_name="empowerment:outcomes",
        permission="empowerment.view_outcomes",
        description=_("Projects still running, income change and training completion."),
        order=63,
    ),
)


def _enrolments_to_decide(user: AnyUser) -> int:
    from himaya.empowerment.selectors import pending_referrals_for

    return pending_referrals_for(user).count()


def _overdue_visits(user: AnyUser) -> int:
    from himaya.empowerment.selectors import overdue_visits_for

    return overdue_visits_for(user, timezone.localdate()).count()


register_count(
    CountProvider(
        key="empowerment.to_decide",
        permission="empowerment.manage_enrolments",
        label=ngettext_lazy(
            "%(count)s referral to a programme awaits your decision",
            "%(count)s referrals to programmes await your decision",
            "count",
        ),
        url_name="empowerment:queue",
        count=_enrolments_to_decide,
        order=60,
    ),
    CountProvider(
        key="empowerment.overdue_visits",
        permission="empowerment.manage_enrolments",
        label=ngettext_lazy(
            "%(count)s follow-up visit is overdue",
            "%(count)s follow-up visits are overdue",
            "count",
        ),
        url_name="empowerment:queue",
        count=_overdue_visits,
        order=61,
    ),
)


register_event(
    Event(
        code="empowerment.visit_due",
        label=_("A follow-up visit is due"),
        subject=_("Follow-up visit %(visit_number)s of project %(project_code)s is due"),
        body=_(
            "Follow-up visit %(visit_number)s of project %(project_code)s (%(programme)s) is "
            "due on %(due_date)s."
        ),
    ),
)


def _visits_due(now: datetime) -> int:
    from himaya.empowerment.actions import notify_visits_due

    return notify_visits_due(now)


register_check("empowerment.visit_due", _visits_due)
