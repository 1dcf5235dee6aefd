"""Blind indexes of the survivors app: one family per kind of value.

Both Arabic and Latin names share one family, so that a single typed name finds a
survivor registered under either script's spelling of that exact string.
"""

from typing import Any

from himaya.core.crypto import blind_index, normalise
from himaya.survivors.rules import compact_document_number

NAME = "survivor.name"
DOCUMENT = "survivor.document"


def name_index(value: str) -> str:
    """The blind index of a name; empty for a name with nothing left once normalised
    (empty, only spaces, invisible characters or punctuation): empty names never match."""
    return blind_index(value, purpose=NAME) if value and normalise(value) else ""


def document_index(number: str) -> str:
    compact = compact_document_number(number or "")
    return blind_index(compact, purpose=DOCUMENT) if normalise(compact) else ""


def recompute_blind_indexes(survivor_model: Any, document_model: Any) -> tuple[int, int]:
    """Recompute every stored name and document index under today's normalisation and key.

    Only rows whose index changes are written, with a plain update (no new version: the
    record's content is unchanged). Returns how many survivors and documents changed.
    Run by a migration when the normalisation changes, and by ``manage.py
    reindex_survivors`` after a change of the blind index key. The models are passed in so
    that a migration can give its historical ones.
    """
    # The changes are gathered first and written after the reading is done: SQLite does
    # not isolate a write from a read in progress on the same connection.
    survivor_changes: list[tuple[int, dict[str, str]]] = []
    rows = survivor_model._base_manager.only(
        "pk", "name_ar", "name_latin", "name_ar_index", "name_latin_index"
    )
    for survivor in rows.order_by("pk").iterator(chunk_size=500):
        fresh = {
            "name_ar_index": name_index(survivor.name_ar or ""),
            "name_latin_index": name_index(survivor.name_latin or ""),
        }
        if any(getattr(survivor, field) != value for field, value in fresh.items()):
            survivor_changes.append((survivor.pk, fresh))
    document_changes: list[tuple[int, str]] = []
    numbers = document_model._base_manager.only("pk", "number", "number_index")
    for document in numbers.order_by("pk").iterator(chunk_size=500):
        fresh_index = document_index(document.number or "")
        # A number with nothing left to compare keeps its index: the column is never empty.
        if fresh_index and fresh_index != document.number_index:
            document_changes.append((document.pk, fresh_index))
    for pk, fresh in survivor_changes:
        survivor_model._base_manager.filter(pk=pk).update(**fresh)
    for pk, fresh_index in document_changes:
        document_model._base_manager.filter(pk=pk).update(number_index=fresh_index)
    return len(survivor_changes), len(document_changes)
