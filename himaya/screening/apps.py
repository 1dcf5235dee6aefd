from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "himaya.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from himaya.screening import nav  # noqa: F401
