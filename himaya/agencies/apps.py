from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_governorates(sender: AppConfig, using: str = "default", **_: Any) -> None:
    """Reference data comes back after a flush (as Django's content types do)."""
    from himaya.agencies.models import Governorate
    from himaya.agencies.reference import load_governorates

    if not Governorate.objects.using(using).exists():
        load_governorates(Governorate)


class AgenciesConfig(AppConfig):
    name = "himaya.agencies"
    label = "agencies"
    verbose_name = _("Agencies")

    def ready(self) -> None:
        from himaya.agencies import permissions  # noqa: F401

        post_migrate.connect(_restore_governorates, sender=self)
