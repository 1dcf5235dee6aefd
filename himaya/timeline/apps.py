from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimelineConfig(AppConfig):
    name = "himaya.timeline"
    label = "timeline"
    verbose_name = _("Case timeline")

    def ready(self) -> None:
        from himaya.audit.labels import register_actions
        from himaya.timeline.models import EventKind

        register_actions({kind.value: kind.label for kind in EventKind})
