"""Pure rules of the audit chain: how an event is hashed and how a chain is checked."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_code",
    "purpose",
    "ip_address",
    "details",
    "previous_hash",
)


def event_hash(event: Mapping[str, Any]) -> str:
    payload = {name: event.get(name) for name in HASHED_FIELDS}
    payload["occurred_at"] = str(payload["occurred_at"])
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str


def first_break(
    events: Iterable[Mapping[str, Any]], *, head_sequence: int, head_hash: str
) -> ChainBreak | None:
    """Walk events in sequence order; name the first one that does not follow the chain.

    ``head_sequence`` and ``head_hash`` are the chain head: they reveal deleted events at
    the end of the chain.
    """
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    for event in events:
        sequence = int(event["sequence"])
        if sequence != expected_sequence:
            return ChainBreak(expected_sequence, "missing")
        if event["previous_hash"] != previous_hash:
            return ChainBreak(sequence, "previous hash does not match")
        if event_hash(event) != event["hash"]:
            return ChainBreak(sequence, "content changed")
        previous_hash = event["hash"]
        expected_sequence += 1
    if expected_sequence - 1 != head_sequence or previous_hash != head_hash:
        return ChainBreak(expected_sequence, "missing")
    return None
