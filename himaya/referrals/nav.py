from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from himaya.core.counts import CountProvider, register_count
from himaya.core.nav import NavItem, register
from himaya.core.typing import AnyUser

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
