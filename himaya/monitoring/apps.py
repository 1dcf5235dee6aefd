from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "himaya.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from himaya.core import changes
        from himaya.monitoring import actions, nav  # noqa: F401

        changes.subscribe(actions.note_change)
