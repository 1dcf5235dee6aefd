from django.utils.translation import gettext_lazy as _

from himaya.core.nav import NavItem, register

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
