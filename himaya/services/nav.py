from django.utils.translation import gettext_lazy as _

from himaya.cases.panels import CasePanel, QueueSection, register_panel, register_queue_section
from himaya.core.nav import NavItem, register

register(
    NavItem(
        key="services.catalogue",
        label=_("Services"),
        url_name="services:catalogue",
        permission="core.use_himaya",
        description=_("The catalogue of services offered to survivors."),
        order=40,
    ),
    NavItem(
        key="services.provided",
        label=_("Services to provide"),
        url_name="services:provided",
        permission="services.deliver",
        description=_("Services other agencies planned with your agency, to confirm."),
        order=42,
    ),
    NavItem(
        key="services.feedback",
        label=_("Service feedback"),
        url_name="services:feedback_report",
        permission="services.view_feedback_report",
        description=_("Survivors' ratings of services, per service and provider, anonymously."),
        order=41,
    ),
)

register_panel(
    CasePanel(
        key="services",
        label=_("Services"),
        url_name="services:case_panel",
        permission="cases.work_cases",
        order=20,
    )
)

register_queue_section(
    QueueSection(
        key="services_week",
        label=_("Services planned this week"),
        url_name="services:queue_week",
        permission="cases.work_cases",
        order=10,
    )
)
