"""Load the synthetic demo: every app that has a ``demo`` module contributes its part.

Apps are seeded in the order of INSTALLED_APPS, so that lower apps (agencies, accounts)
exist before the apps that build on them. Each part is idempotent: running the command
twice does not duplicate anything.
"""

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from himaya.accounts.demo import login_table


class Command(BaseCommand):
    help = "Load the synthetic demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        for config in apps.get_app_configs():
            if not config.name.startswith("himaya."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic():
                summary = module.seed()
            self.stdout.write(f"{config.label}: {summary}")
        if not options["quiet_logins"]:
            self.stdout.write(login_table())
