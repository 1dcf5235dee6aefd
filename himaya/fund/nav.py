from django.utils.translation import gettext_lazy as _

from himaya.cases.panels import CasePanel, register_panel
from himaya.core.nav import NavItem, register

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
