from typing import Any

from django.core.management.base import BaseCommand, CommandError

from himaya.audit.selectors import verify_chain


class Command(BaseCommand):
    help = "Walk the audit chain and name the first broken link, if any."

    def handle(self, *args: Any, **options: Any) -> None:
        count, broken = verify_chain()
        if broken is not None:
            raise CommandError(f"audit chain broken at event #{broken.sequence}: {broken.reason}")
        self.stdout.write(f"audit chain intact: {count} events")
