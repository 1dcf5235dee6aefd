"""Pure rules of the audit chain: how an event is signed and how a chain is checked.

Each link is an HMAC-SHA256 under the audit key, which lives in the environment and never
in the database: whoever holds a copy of the database but not the key cannot write a link
that verifies. The chain starts from a keyed genesis value, so a chain hashed without the
key (plain SHA-256, the earlier form) or under another key fails at its first event.

Anchors are signed checkpoints (sequence, hash, time) kept outside the database: the chain
must still hold every anchored link, and its head must not stand before the last anchor.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

EVENT_CONTEXT = b"himaya.audit.event\x1f"
GENESIS_CONTEXT = b"himaya.audit.genesis"
ANCHOR_CONTEXT = b"himaya.audit.anchor\x1f"

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


def _mac(key: bytes, message: bytes) -> str:
    if not key:
        raise ValueError("the audit key is empty")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def genesis_hash(key: bytes) -> str:
    """The value the first event chains to: keyed, so no chain starts without the key."""
    return _mac(key, GENESIS_CONTEXT)


def event_hash(event: Mapping[str, Any], *, key: bytes) -> str:
    payload = {name: event.get(name) for name in HASHED_FIELDS}
    payload["occurred_at"] = str(payload["occurred_at"])
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return _mac(key, EVENT_CONTEXT + canonical.encode("utf-8"))


@dataclass(frozen=True)
class Anchor:
    sequence: int
    hash: str
    anchored_at: str
    mac: str


def anchor_mac(*, sequence: int, hash: str, anchored_at: str, key: bytes) -> str:
    message = f"{sequence}\x1f{hash}\x1f{anchored_at}".encode()
    return _mac(key, ANCHOR_CONTEXT + message)


def anchor_is_signed(anchor: Anchor, *, key: bytes) -> bool:
    expected = anchor_mac(
        sequence=anchor.sequence, hash=anchor.hash, anchored_at=anchor.anchored_at, key=key
    )
    return hmac.compare_digest(expected, anchor.mac)


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str


def first_break(
    events: Iterable[Mapping[str, Any]],
    *,
    key: bytes,
    head_sequence: int,
    head_hash: str,
    anchors: Mapping[int, str] | None = None,
    start_sequence: int = 0,
    start_hash: str | None = None,
) -> ChainBreak | None:
    """Walk events in sequence order; name the first one that does not follow the chain.

    ``head_sequence`` and ``head_hash`` are the chain head: they reveal deleted events at
    the end of the chain. ``anchors`` maps anchored sequences to their hashes: each must
    still be in the chain, and the head must not stand before the last of them. The walk
    may start after a trusted link (``start_sequence``, ``start_hash``) instead of the
    genesis.
    """
    anchors = anchors or {}
    expected_sequence = start_sequence + 1
    previous_hash = genesis_hash(key) if start_hash is None else start_hash
    for event in events:
        sequence = int(event["sequence"])
        if sequence != expected_sequence:
            return ChainBreak(expected_sequence, "missing")
        if event["previous_hash"] != previous_hash:
            return ChainBreak(sequence, "previous hash does not match")
        if not hmac.compare_digest(event_hash(event, key=key), str(event["hash"])):
            return ChainBreak(sequence, "content changed")
        if sequence in anchors and anchors[sequence] != event["hash"]:
            return ChainBreak(sequence, "does not match its anchor")
        previous_hash = event["hash"]
        expected_sequence += 1
    last_anchored = max(anchors, default=0)
    if head_sequence < last_anchored:
        return ChainBreak(
            last_anchored, f"chain head rewound to #{head_sequence}, before this anchored event"
        )
    if expected_sequence - 1 != head_sequence or previous_hash != head_hash:
        return ChainBreak(expected_sequence, "missing")
    return None
