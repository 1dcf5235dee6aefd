from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurvivorsConfig(AppConfig):
    name = "himaya.survivors"
    label = "survivors"
    verbose_name = _("Survivors")

    def ready(self) -> None:
        from himaya.survivors import nav  # noqa: F401
