from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "himaya.grants"
    label = "grants"
    verbose_name = _("Grants")

    def ready(self) -> None:
        from himaya.grants import admin, nav  # noqa: F401
