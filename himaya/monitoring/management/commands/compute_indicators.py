"""Compute the daily indicators for a day (yesterday by default) or a range of days."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from himaya.core.errors import DomainError
from himaya.monitoring.actions import compute_indicators


class Command(BaseCommand):
    help = "Compute the daily indicators (yesterday, --date D, or --from D --to D)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=datetime.date.fromisoformat)
        parser.add_argument("--from", dest="start", type=datetime.date.fromisoformat)
        parser.add_argument("--to", dest="end", type=datetime.date.fromisoformat)
        parser.add_argument("--indicator", action="append", dest="codes")

    def handle(self, *args: Any, **options: Any) -> None:
        day, start, end = options["date"], options["start"], options["end"]
        if day and (start or end):
            raise CommandError("Give either --date or --from and --to.")
        if day:
            start = end = day
        elif start or end:
            if not (start and end):
                raise CommandError("Give both --from and --to.")
        else:
            start = end = timezone.localdate() - datetime.timedelta(days=1)
        try:
            computed = compute_indicators(start=start, end=end, codes=options["codes"])
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            f"{computed.values} values from {start} to {end}, {computed.changed} written or removed"
        )
