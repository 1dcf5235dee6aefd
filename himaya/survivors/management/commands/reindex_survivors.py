"""Recompute survivors' name and document blind indexes.

Run after a change of HIMAYA_BLIND_INDEX_KEY (or of the normalisation): every stored
index is recomputed from the decrypted value, and only the rows that change are written.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from himaya.survivors.indexes import recompute_blind_indexes
from himaya.survivors.models import Survivor, SurvivorDocument


class Command(BaseCommand):
    help = "Recompute the blind indexes of survivors' names and document numbers."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            survivors, documents = recompute_blind_indexes(Survivor, SurvivorDocument)
        self.stdout.write(f"{survivors} survivors and {documents} documents re-indexed")
