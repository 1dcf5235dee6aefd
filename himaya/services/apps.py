from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "himaya.services"
    label = "services"
    verbose_name = _("Services")

    def ready(self) -> None:
        from himaya.services import nav  # noqa: F401
