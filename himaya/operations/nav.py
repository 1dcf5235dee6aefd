from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.audit.labels import register_actions
from himaya.core.nav import NavItem, register
from himaya.notifications.events import Event, register_event

register(
    NavItem(
        key="operations_board",
        label=_("Control and emergency centre"),
        url_name="operations:board",
        permission="operations.record_intake",
        description=_("Reports received, alerts, incidents and tasks, live"),
        order=85,
    ),
    NavItem(
        key="operations_alerts",
        label=_("Alerts"),
        url_name="operations:alerts",
        permission="operations.manage_alerts",
        description=_("The centre's alerts: acknowledge, assign, resolve"),
        order=86,
    ),
    NavItem(
        key="operations_tasks",
        label=_("Incident tasks"),
        url_name="operations:tasks",
        permission="operations.work_tasks",
        description=_("The tasks the centre assigned to your agency"),
        order=87,
    ),
    NavItem(
        key="operations_reports",
        label=_("Daily situation reports"),
        url_name="operations:reports",
        permission="operations.view_situation_report",
        description=_("The morning report for the national committee, as PDF"),
        order=88,
    ),
)

register_event(
    Event(
        code="operations.task_assigned",
        label=_("A task of an incident assigned to your agency"),
        subject=_("New task %(task_code)s"),
        body=_(
            "The control and emergency centre assigned task %(task_code)s of incident "
            "%(incident_code)s to your agency. Open it in Himaya to see what is asked and "
            "by when."
        ),
    ),
    Event(
        code="operations.alert_assigned",
        label=_("An alert of the centre assigned to you"),
        subject=_("Alert %(alert_code)s assigned to you"),
        body=_("Alert %(alert_code)s of the control and emergency centre is assigned to you."),
    ),
    Event(
        code="operations.alert_escalated",
        label=_("An alert waiting for acknowledgement (on call)"),
        subject=_("Alert %(alert_code)s is waiting"),
        body=_(
            "Alert %(alert_code)s has not been acknowledged: it was escalated to level "
            "%(level_number)s of the on-call roster."
        ),
    ),
)

register_actions(
    {
        "operations.intake_recorded": pgettext_lazy("audit trail", "Report received recorded"),
        "operations.intake_taken_up": pgettext_lazy("audit trail", "Report taken up"),
        "operations.intake_linked": pgettext_lazy("audit trail", "Report linked"),
        "operations.intake_closed": pgettext_lazy("audit trail", "Report closed"),
        "operations.intake_viewed": pgettext_lazy("audit trail", "Report received viewed"),
        "operations.alerts_raised": pgettext_lazy("audit trail", "Alerts raised"),
        "operations.alert_escalated": pgettext_lazy("audit trail", "Alert escalated"),
        "operations.alert_acknowledged": pgettext_lazy("audit trail", "Alert acknowledged"),
        "operations.alert_assigned": pgettext_lazy("audit trail", "Alert assigned"),
        "operations.alert_resolved": pgettext_lazy("audit trail", "Alert resolved"),
        "operations.incident_opened": pgettext_lazy("audit trail", "Incident opened"),
        "operations.incident_closed": pgettext_lazy("audit trail", "Incident closed"),
        "operations.incident_viewed": pgettext_lazy("audit trail", "Incident viewed"),
        "operations.task_assigned": pgettext_lazy("audit trail", "Incident task assigned"),
        "operations.task_updated": pgettext_lazy("audit trail", "Incident task updated"),
        "operations.communication_logged": pgettext_lazy("audit trail", "Communication logged"),
        "operations.situation_report_produced": pgettext_lazy(
            "audit trail", "Daily situation report produced"
        ),
        "operations.situation_report_downloaded": pgettext_lazy(
            "audit trail", "Daily situation report downloaded"
        ),
    }
)
