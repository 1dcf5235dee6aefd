from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "himaya.agencies"
    label = "agencies"
    verbose_name = _("Agencies")

    def ready(self) -> None:
        from himaya.agencies import permissions  # noqa: F401
