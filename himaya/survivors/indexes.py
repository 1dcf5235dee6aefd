"""Blind indexes of the survivors app: one family per kind of value.

Both Arabic and Latin names share one family, so that a single typed name finds a
survivor registered under either script's spelling of that exact string.
"""

from himaya.core.crypto import blind_index
from himaya.survivors.rules import compact_document_number

NAME = "survivor.name"
DOCUMENT = "survivor.document"


def name_index(value: str) -> str:
    """The blind index of a name; empty for an empty name (empty names never match)."""
    return blind_index(value, purpose=NAME) if value and value.strip() else ""


def document_index(number: str) -> str:
    compact = compact_document_number(number or "")
    return blind_index(compact, purpose=DOCUMENT) if compact else ""
