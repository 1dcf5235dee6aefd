from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuplicatesConfig(AppConfig):
    name = "himaya.duplicates"
    label = "duplicates"
    verbose_name = _("Duplicate records")

    def ready(self) -> None:
        from himaya.duplicates import nav  # noqa: F401
