"""Record the occupancy of every shelter and unit for a night or a range (idempotent)."""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from himaya.shelters.actions import record_occupancy


class Command(BaseCommand):
    help = "Record daily shelter occupancy: yesterday by default, --date, or --from/--to."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", type=date.fromisoformat, help="One night (YYYY-MM-DD).")
        parser.add_argument("--from", dest="since", type=date.fromisoformat, help="First night.")
        parser.add_argument("--to", dest="until", type=date.fromisoformat, help="Last night.")

    def handle(self, *args: Any, **options: Any) -> None:
        since, until, one = options["since"], options["until"], options["date"]
        if one and (since or until):
            raise CommandError("Give either --date or --from/--to, not both.")
        if one:
            since = until = one
        else:
            yesterday = timezone.localdate() - timedelta(days=1)
            since = since or until or yesterday
            until = until or (since if options["since"] else yesterday)
        if since > until:
            raise CommandError("--from is after --to.")
        night, written = since, 0
        while night <= until:
            written += record_occupancy(night=night)
            night += timedelta(days=1)
        days = (until - since).days + 1
        self.stdout.write(f"{days} nights recorded ({written} rows), {since} to {until}")
