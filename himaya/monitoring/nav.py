from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.audit.labels import register_actions
from himaya.core.nav import NavItem, register

register(
    NavItem(
        key="monitoring_dashboard",
        label=_("Daily indicators"),
        url_name="monitoring:dashboard",
        permission="monitoring.view_dashboard",
        description=_("Identification, protection, services, fund and SDG 16.2.2, day by day"),
        order=90,
    ),
)

register_actions(
    {
        "monitoring.indicator_setting_changed": pgettext_lazy(
            "audit trail", "Target and thresholds of an indicator changed"
        ),
        "monitoring.synthetic_data_generated": pgettext_lazy(
            "audit trail", "Synthetic national data generated"
        ),
    }
)
