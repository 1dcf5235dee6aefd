from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "himaya.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from himaya.core import nav_items  # noqa: F401
