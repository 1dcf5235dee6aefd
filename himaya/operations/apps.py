from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "himaya.operations"
    label = "operations"
    verbose_name = _("Control and emergency centre")

    def ready(self) -> None:
        from himaya.operations import nav  # noqa: F401
