from django.utils.translation import gettext_lazy as _

from himaya.cases.panels import CasePanel, register_panel
from himaya.core.nav import NavItem, register

register(
    NavItem(
        key="cases.queue",
        label=_("My work queue"),
        url_name="cases:queue",
        permission="cases.work_cases",
        description=_("Your open cases, the services planned this week and what is overdue."),
        order=20,
    ),
    NavItem(
        key="cases.list",
        label=_("Cases"),
        url_name="cases:list",
        permission="cases.work_cases",
        description=_("Search the agency's cases by code, phase, governorate and exploitation."),
        order=21,
    ),
    NavItem(
        key="cases.approvals",
        label=_("Approvals"),
        url_name="cases:approvals",
        permission="cases.supervise",
        description=_("Care plans and closures waiting for a supervisor's decision."),
        order=22,
    ),
)

# The survivor's panel on the case page: the view belongs to survivors, which sits below
# cases and so cannot register it itself.
register_panel(
    CasePanel(
        key="survivor",
        label=_("Survivor and consent"),
        url_name="survivors:case_panel",
        permission="survivors.register",
        order=5,
    )
)
