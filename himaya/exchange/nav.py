from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.audit.labels import register_actions
from himaya.cases.panels import CasePanel, register_panel
from himaya.core.nav import NavItem, register
from himaya.monitoring.panels import DashboardPanel, register_dashboard_panel

register(
    NavItem(
        key="exchange_tables",
        label=_("International tables"),
        url_name="exchange:tables",
        permission="exchange.view_tables",
        description=_("SDG 16.2.2 and the UNODC Global Report, from Himaya and CTDC data"),
        order=92,
    ),
    NavItem(
        key="exchange_export",
        label=_("Statistical export"),
        url_name="exchange:export",
        permission="exchange.export_statistics",
        description=_("k-anonymous records in the CTDC and HTCDS layouts"),
        order=93,
    ),
)

register_panel(
    CasePanel(
        key="trafficking_details",
        label=_("Trafficking details"),
        url_name="exchange:details_panel",
        permission="cases.work_cases",
        order=15,
    )
)

register_actions(
    {
        "exchange.trafficking_details_updated": pgettext_lazy(
            "audit trail", "Trafficking details updated"
        ),
        "exchange.statistics_imported": pgettext_lazy("audit trail", "CTDC data imported"),
        "exchange.statistics_exported": pgettext_lazy(
            "audit trail", "k-anonymous statistics exported"
        ),
        "exchange.table_exported": pgettext_lazy("audit trail", "International table exported"),
    }
)

# The monthly national reports: a page of their own and a panel of the dashboard.
register(
    NavItem(
        key="exchange_monthly_reports",
        label=_("Monthly national reports"),
        url_name="exchange:monthly_reports",
        permission="monitoring.view_dashboard",
        description=_(
            "Each month's figures in Arabic and English, with the change from the month before"
        ),
        order=91,
    ),
)
register_dashboard_panel(
    DashboardPanel(
        key="monthly_reports",
        label=_("Monthly national reports"),
        url_name="exchange:monthly_panel",
        permission="monitoring.view_dashboard",
    )
)
register_actions(
    {
        "exchange.monthly_report_produced": pgettext_lazy(
            "audit trail", "Monthly national report made"
        ),
        "exchange.monthly_report_downloaded": pgettext_lazy(
            "audit trail", "Monthly national report downloaded"
        ),
    }
)
