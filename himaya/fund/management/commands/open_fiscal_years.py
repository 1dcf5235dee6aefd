"""Open the current and the next fiscal year (the years a budget line may be opened on).

Scheduled daily; idempotent. Pages never open fiscal years."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from himaya.fund.actions import open_fiscal_years


class Command(BaseCommand):
    help = "Open the current and the next fiscal year of the fund (run it every day)."

    def handle(self, *args: Any, **options: Any) -> None:
        years = open_fiscal_years(today=timezone.localdate())
        self.stdout.write("open: " + ", ".join(year.label for year in years))
