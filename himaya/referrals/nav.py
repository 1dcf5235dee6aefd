from datetime import datetime

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from himaya.core.counts import CountProvider, register_count
from himaya.core.nav import NavItem, register
from himaya.core.typing import AnyUser
from himaya.notifications.checks import register_check
from himaya.notifications.events import Event, register_event

register(
    NavItem(
        key="referrals_inbox",
        label=_("Incoming referrals"),
        url_name="referrals:inbox",
        permission="referrals.receive",
        description=_("Referrals addressed to your agency: accept, decline, complete."),
        order=300,
    ),
    NavItem(
        key="referrals_sent",
        label=_("Sent referrals"),
        url_name="referrals:sent",
        permission="cases.work_cases",
        description=_("Referrals your agency sent, with those waiting past their deadline."),
        order=310,
    ),
)


def _to_answer(user: AnyUser) -> int:
    from himaya.referrals.models import Status
    from himaya.referrals.selectors import incoming_referrals

    return incoming_referrals(user).filter(status=Status.SENT).count()


register_count(
    CountProvider(
        key="referrals.to_answer",
        permission="referrals.receive",
        label=ngettext_lazy(
            "%(count)s referral awaits your agency's answer",
            "%(count)s referrals await your agency's answer",
            "count",
        ),
        url_name="referrals:inbox",
        count=_to_answer,
        order=30,
    )
)


register_event(
    Event(
        code="referrals.received",
        label=_("A referral is received by your agency"),
        subject=_("New referral %(referral_code)s"),
        body=_(
            "Your agency received referral %(referral_code)s from %(from_agency)s for "
            "%(service)s. Please answer it by %(respond_by_time)s."
        ),
    ),
    Event(
        code="referrals.due_soon",
        label=_("A referral is about to be overdue"),
        subject=_("Referral %(referral_code)s is about to be overdue"),
        body=_(
            "Referral %(referral_code)s from %(from_agency)s for %(service)s is not answered "
            "yet. Its deadline is %(respond_by_time)s."
        ),
    ),
)


def _referrals_due_soon(now: datetime) -> int:
    from himaya.referrals.actions import notify_referrals_due_soon

    return notify_referrals_due_soon(now)


register_check("referrals.due_soon", _referrals_due_soon)
