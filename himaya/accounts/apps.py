from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "himaya.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from himaya.accounts import auth_events  # noqa: F401
