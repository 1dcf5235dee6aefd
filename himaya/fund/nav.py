from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from himaya.cases.panels import CasePanel, register_panel
from himaya.core.counts import CountProvider, register_count
from himaya.core.nav import NavItem, register
from himaya.core.typing import AnyUser
from himaya.notifications.events import Event, register_event

register(
    NavItem(
        key="fund_payments",
        label=_("Assistance payments"),
        url_name="fund:payments",
        permission="fund.view_payments",
        description=_("Request, approve and pay assistance from the victims' fund"),
        order=60,
    ),
    NavItem(
        key="fund_lines",
        label=_("Budget lines"),
        url_name="fund:lines",
        permission="fund.view_payments",
        description=_("Balances of the fund's budget lines and the fund statement"),
        order=61,
    ),
    NavItem(
        key="fund_totals",
        label=_("Fund totals"),
        url_name="fund:totals",
        permission="fund.view_totals",
        description=_("Allocated, committed and paid amounts, without any case"),
        order=62,
    ),
)
register_panel(
    CasePanel(
        key="fund",
        label=_("Assistance payments"),
        url_name="fund:case_panel",
        permission="fund.view_case_payments",
        order=60,
    )
)


def _payments_to_approve(user: AnyUser) -> int:
    """Requests the user may decide: requested by someone else, and for a second approval
    first approved by someone else (four eyes)."""
    from django.db.models import Q

    from himaya.fund.models import PaymentRequest, Status

    return (
        PaymentRequest.objects.filter(
            Q(status=Status.REQUESTED)
            | (Q(status=Status.SECOND_APPROVAL_NEEDED) & ~Q(approved_by_id=user.pk))
        )
        .exclude(requested_by_id=user.pk)
        .count()
    )


register_count(
    CountProvider(
        key="fund.to_approve",
        permission="fund.approve_payment",
        label=ngettext_lazy(
            "%(count)s payment awaits your approval",
            "%(count)s payments await your approval",
            "count",
        ),
        url_name="fund:payments",
        count=_payments_to_approve,
        order=40,
    )
)


register_event(
    Event(
        code="fund.approval_waiting",
        label=_("An assistance payment waits for your approval"),
        subject=_("Payment %(payment_code)s waits for approval"),
        body=_(
            "Assistance payment %(payment_code)s of %(amount)s EGP waits for the approval "
            "of a fund approver other than the person who requested it."
        ),
    ),
)
