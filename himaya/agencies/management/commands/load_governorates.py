from typing import Any

from django.core.management.base import BaseCommand

from himaya.agencies.models import Governorate
from himaya.agencies.reference import load_governorates


class Command(BaseCommand):
    help = "Create or update the governorates from the project's data file."

    def handle(self, *args: Any, **options: Any) -> None:
        count = load_governorates(Governorate)
        self.stdout.write(f"{count} governorates loaded")
