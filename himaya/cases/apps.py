from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "himaya.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from himaya.cases import nav  # noqa: F401
