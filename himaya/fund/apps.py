from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    name = "himaya.fund"
    label = "fund"
    verbose_name = _("Fund")

    def ready(self) -> None:
        from himaya.fund import admin, nav  # noqa: F401
