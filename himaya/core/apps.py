from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "himaya.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from himaya.core import nav_items  # noqa: F401
        from himaya.core.reference import restore_reference_data

        post_migrate.connect(restore_reference_data, dispatch_uid="himaya-reference-data")
