"""Blind indexes of the survivors app: one family per kind of value.

Both Arabic and Latin names share one family, so that a single typed name finds a
survivor registered under either script's spelling of that exact string. Search tokens
(``SurvivorSearchToken``) are keyed digests too, one family per kind of term. The access
rows (``SurvivorAccess``) are the scope kept as an index: ``fill_survivor_access``
derives them from the survivors and their cases.
"""

from collections.abc import Iterable
from typing import Any

from himaya.core.crypto import blind_index, normalise
from himaya.survivors.rules import compact_document_number, match_keys, survivor_terms

NAME = "survivor.name"
DOCUMENT = "survivor.document"
BATCH = 1000


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


SEARCH = "survivor.search"
# Tokens are cut to 128 bits: as unlikely to collide as the full digest for this use,
# and half the size in the table and its index.
TOKEN_LENGTH = 32


def search_token(kind: str, text: str) -> str:
    """The keyed token of one search term: its own family per kind of term."""
    return blind_index(text, purpose=f"{SEARCH}.{kind}")[:TOKEN_LENGTH]


def survivor_search_tokens(survivor: Any) -> set[tuple[str, str]]:
    """(kind, token) for every term the survivor is found by (``rules.survivor_terms``)."""
    terms = survivor_terms(
        names=[survivor.name_ar or "", survivor.name_latin or "", survivor.aliases or ""],
        phone=survivor.phone or "",
        code=survivor.code or "",
    )
    return {(kind, search_token(kind, text)) for kind, text in terms}


def rebuild_search_tokens(
    survivor_model: Any, token_model: Any, *, survivor_ids: Iterable[int] | None = None
) -> int:
    """Write the search tokens of the survivors (all of them, or ``survivor_ids``) afresh
    from their decrypted names, phone and code; returns how many tokens were written.

    Used by the actions for one survivor, and by a migration, the demo and ``manage.py
    reindex_survivors`` for many. The models are passed in so that a migration can give
    its historical ones.
    """
    rows = survivor_model._base_manager.only(
        "pk", "code", "name_ar", "name_latin", "aliases", "phone"
    ).order_by("pk")
    tokens = token_model._base_manager
    if survivor_ids is not None:
        ids = list(survivor_ids)
        rows = rows.filter(pk__in=ids)
        tokens.filter(survivor_id__in=ids).delete()
    else:
        tokens.all().delete()
    written = 0
    last = 0
    while True:
        # A chunk is read whole before it is written: SQLite does not isolate a write from
        # a read in progress on the same connection.
        chunk = list(rows.filter(pk__gt=last)[:BATCH])
        if not chunk:
            return written
        batch = [
            token_model(survivor_id=survivor.pk, kind=kind, token=token)
            for survivor in chunk
            for kind, token in survivor_search_tokens(survivor)
        ]
        token_model._base_manager.bulk_create(batch, batch_size=BATCH)
        written += len(batch)
        last = chunk[-1].pk


def fill_survivor_access(
    survivor_model: Any,
    access_model: Any,
    case_model: Any,
    *,
    survivor_ids: Iterable[int] | None = None,
) -> int:
    """Write the access rows of the survivors (all, or ``survivor_ids``) afresh from the
    truth: the lead agency of each of a survivor's cases, or, for a survivor without any
    case, the agency that registered it. Returns how many rows were written."""
    survivors = survivor_model._base_manager.all()
    cases = case_model._base_manager.all()
    access = access_model._base_manager.all()
    if survivor_ids is not None:
        ids = list(survivor_ids)
        survivors = survivors.filter(pk__in=ids)
        cases = cases.filter(survivor_id__in=ids)
        access = access.filter(survivor_id__in=ids)
    pairs = set(cases.values_list("survivor_id", "lead_agency_id"))
    with_case = {survivor_id for survivor_id, _agency in pairs}
    for survivor_id, agency_id in survivors.values_list("pk", "registered_by_agency_id"):
        if survivor_id not in with_case:
            pairs.add((survivor_id, agency_id))
    access.delete()
    rows = [access_model(survivor_id=s, agency_id=a) for s, a in sorted(pairs)]
    access_model._base_manager.bulk_create(rows, batch_size=BATCH)
    return len(rows)


MATCH = "survivor.match"


def match_token(text: str) -> str:
    """The keyed digest of one blocking key (``rules.match_keys``)."""
    return blind_index(text, purpose=MATCH)[:TOKEN_LENGTH]


def survivor_match_tokens(survivor: Any, document_numbers: Iterable[str]) -> set[str]:
    """The keyed blocking keys of a survivor, from its decrypted names, year of birth,
    documents and phone."""
    keys = match_keys(
        names=[survivor.name_ar or "", survivor.name_latin or "", survivor.aliases or ""],
        birth_year=survivor.birth_year,
        document_numbers=list(document_numbers),
        phones=survivor.phone or "",
    )
    return {match_token(key) for key in keys}


def rebuild_match_keys(
    survivor_model: Any,
    key_model: Any,
    document_model: Any,
    *,
    survivor_ids: Iterable[int] | None = None,
    progress: Any = None,
) -> int:
    """Write the blocking keys of the survivors (all, or ``survivor_ids``) afresh; returns
    how many were written. ``progress`` (optional) is called with each chunk's size."""
    rows = survivor_model._base_manager.only(
        "pk", "name_ar", "name_latin", "aliases", "phone", "birth_year"
    ).order_by("pk")
    keys = key_model._base_manager
    if survivor_ids is not None:
        ids = list(survivor_ids)
        rows = rows.filter(pk__in=ids)
        keys.filter(survivor_id__in=ids).delete()
    else:
        keys.all().delete()
    written = 0
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:BATCH])
        if not chunk:
            return written
        numbers: dict[int, list[str]] = {}
        documents = document_model._base_manager.filter(
            survivor_id__in=[s.pk for s in chunk], is_active=True
        ).only("survivor_id", "number")
        for document in documents:
            numbers.setdefault(document.survivor_id, []).append(document.number or "")
        batch = [
            key_model(survivor_id=survivor.pk, key=token)
            for survivor in chunk
            for token in survivor_match_tokens(survivor, numbers.get(survivor.pk, []))
        ]
        key_model._base_manager.bulk_create(batch, batch_size=BATCH)
        written += len(batch)
        last = chunk[-1].pk
        if progress is not None:
            progress(len(chunk))
