"""The anchor file: signed checkpoints of the audit chain, kept outside the database.

``manage.py anchor_audit`` appends one line per run (hourly), a JSON object with the head's
sequence and hash, the time and an HMAC of the three under the audit key. Someone who can
rewrite the database cannot rewind the chain behind an anchor nor forge an anchor without
the key. Keep the file where the database's administrators cannot write (another host,
append-only storage) and back it up with the logs.
"""

import json
import os
from pathlib import Path

from django.conf import settings

from himaya.audit.rules import Anchor, anchor_is_signed, anchor_mac


class AnchorFileError(Exception):
    """The anchor file cannot be trusted: a line is malformed, unsigned or out of order."""


def audit_key() -> bytes:
    return str(settings.AUDIT_KEY).encode("utf-8")


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_PATH)


def sign_anchor(*, sequence: int, hash: str, anchored_at: str) -> Anchor:
    mac = anchor_mac(sequence=sequence, hash=hash, anchored_at=anchored_at, key=audit_key())
    return Anchor(sequence=sequence, hash=hash, anchored_at=anchored_at, mac=mac)


def read_anchors(path: Path | None = None) -> list[Anchor]:
    """Every anchor in the file, oldest first; an absent file holds none."""
    path = path or anchor_path()
    if not path.exists():
        return []
    key = audit_key()
    anchors: list[Anchor] = []
    seen: dict[int, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchor = Anchor(
                sequence=int(data["sequence"]),
                hash=str(data["hash"]),
                anchored_at=str(data["anchored_at"]),
                mac=str(data["mac"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorFileError(f"anchor line {number} of {path} is malformed") from exc
        if not anchor_is_signed(anchor, key=key):
            raise AnchorFileError(f"anchor line {number} of {path} is not signed by the audit key")
        if anchors and anchor.sequence < anchors[-1].sequence:
            raise AnchorFileError(
                f"anchor line {number} of {path} goes back to event #{anchor.sequence}"
            )
        if seen.get(anchor.sequence, anchor.hash) != anchor.hash:
            raise AnchorFileError(
                f"anchor line {number} of {path} disagrees with an earlier anchor "
                f"of event #{anchor.sequence}"
            )
        seen[anchor.sequence] = anchor.hash
        anchors.append(anchor)
    return anchors


def append_anchor(anchor: Anchor, path: Path | None = None) -> Path:
    """Append one signed line and flush it to disk."""
    path = path or anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "sequence": anchor.sequence,
            "hash": anchor.hash,
            "anchored_at": anchor.anchored_at,
            "mac": anchor.mac,
        },
        separators=(",", ":"),
    )
    with path.open("a", encoding="utf-8") as anchor_file:
        anchor_file.write(line + "\n")
        anchor_file.flush()
        os.fsync(anchor_file.fileno())
    return path
