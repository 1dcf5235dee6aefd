from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaya.integrity.rules import CHECKS
from himaya.integrity.selectors import check_invariants


class Command(BaseCommand):
    help = (
        "Check the invariants of the stored data: the fund's ledger balances, one open "
        "shelter stay per bed and per person, the audit chain, every case's phase history. "
        "Exits with an error when any check finds a broken record."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="append", choices=CHECKS, help="Run only this check (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = check_invariants(options["check"] or CHECKS)
        broken = 0
        for name, findings in results.items():
            if findings:
                broken += len(findings)
                self.stdout.write(f"{name}: {len(findings)} broken")
                for finding in findings:
                    self.stdout.write(f"  {finding}")
            else:
                self.stdout.write(f"{name}: intact")
        if broken:
            raise CommandError(f"{broken} invariant finding(s)")
        self.stdout.write("every invariant holds")
