"""Generate a synthetic national dataset: ``manage.py generate_national --cases 100000``.

Refused when the settings say production. See ``himaya.monitoring.generate``.
"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaya.monitoring.generate import POOL_SIZE, GenerationRefused, generate


class Command(BaseCommand):
    help = (
        "Write a synthetic national dataset (agencies in every governorate, survivors, cases "
        "and everything around them) in bulk. Never in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="How many cases.")
        parser.add_argument("--seed", type=int, default=1, help="The random seed (default 1).")
        parser.add_argument("--years", type=int, default=3, help="Years covered (default 3).")
        parser.add_argument(
            "--batch", type=int, default=2000, help="Rows per insert statement (default 2000)."
        )
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=None,
            help="Last day of the period, YYYY-MM-DD (default today).",
        )
        parser.add_argument(
            "--pool",
            type=int,
            default=POOL_SIZE,
            help=f"Synthetic identities encrypted once and reused (default {POOL_SIZE}).",
        )
        parser.add_argument(
            "--no-match-keys",
            action="store_true",
            help="Skip the survivors' blocking keys for duplicate detection "
            "(manage.py reindex_survivors writes them).",
        )
        parser.add_argument(
            "--no-search-tokens",
            action="store_true",
            help="Skip the survivors' search tokens (manage.py reindex_survivors writes them).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if (
            options["cases"] < 1
            or options["years"] < 1
            or options["batch"] < 1
            or options["pool"] < 2
        ):
            raise CommandError("--cases, --years and --batch must be positive, --pool at least 2")
        try:
            generate(
                cases=options["cases"],
                seed=options["seed"],
                years=options["years"],
                batch=options["batch"],
                until=options["until"],
                search_tokens=not options["no_search_tokens"],
                match_keys=not options["no_match_keys"],
                pool_size=options["pool"],
                report=self.stdout.write,
            )
        except GenerationRefused as exc:
            raise CommandError(str(exc)) from exc
