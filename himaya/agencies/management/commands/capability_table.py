from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from himaya.agencies.permissions import capability_table


class Command(BaseCommand):
    help = "Print the role × capability table (Markdown) declared in code."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            self.stdout.write(capability_table())
