from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "himaya.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from himaya.audit import nav  # noqa: F401
