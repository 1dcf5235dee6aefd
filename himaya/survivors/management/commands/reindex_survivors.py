"""Recompute survivors' name and document blind indexes.

Run after a change of HIMAYA_BLIND_INDEX_KEY (or of the normalisation): every stored
index is recomputed from the decrypted value, and only the rows that change are written.
The search tokens and the blocking keys of duplicate detection, keyed under the same key,
are written afresh.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from himaya.survivors.indexes import (
    rebuild_match_keys,
    rebuild_search_tokens,
    recompute_blind_indexes,
)
from himaya.survivors.models import (
    Survivor,
    SurvivorDocument,
    SurvivorMatchKey,
    SurvivorSearchToken,
)


class Command(BaseCommand):
    help = "Recompute the blind indexes, search tokens and blocking keys of survivors."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            survivors, documents = recompute_blind_indexes(Survivor, SurvivorDocument)
            tokens = rebuild_search_tokens(Survivor, SurvivorSearchToken)
            keys = rebuild_match_keys(Survivor, SurvivorMatchKey, SurvivorDocument)
        self.stdout.write(f"{survivors} survivors and {documents} documents re-indexed")
        self.stdout.write(f"{tokens} search tokens written")
        self.stdout.write(f"{keys} blocking keys written")
