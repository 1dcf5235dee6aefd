from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "himaya.exchange"
    label = "exchange"
    verbose_name = _("Data exchange and national reporting")

    def ready(self) -> None:
        from himaya.exchange import nav, sheet_nav  # noqa: F401
