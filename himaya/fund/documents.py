"""Supporting documents are encrypted at rest.

A file is stored as a Fernet token (the keys of ``core.crypto``, newest first), never as
the PDF or image itself: whoever reads the disk or a backup sees no document. It is
decrypted only when served to a user allowed to see it.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import models

from himaya.core import crypto
from himaya.fund.rules import sniff_document


def seal(content: bytes) -> bytes:
    """The content encrypted under the newest key."""
    return crypto._cipher().encrypt(content)


def unseal(token: bytes) -> bytes:
    """The content of a stored file; raises ``crypto.DecryptionError`` if no key reads it."""
    try:
        return crypto._cipher().decrypt(token)
    except InvalidToken as exc:
        raise crypto.DecryptionError("a stored document cannot be decrypted") from exc


def read(document: models.Model) -> bytes:
    """The decrypted content of a ``SupportingDocument``."""
    with document.file.open("rb") as stored:  # type: ignore[attr-defined]
        return unseal(stored.read())


def _replace(storage: Storage, name: str, content: bytes) -> None:
    storage.delete(name)
    saved = storage.save(name, ContentFile(content))
    if saved != name:  # pragma: no cover - the name was just freed
        raise RuntimeError(f"{name} was stored as {saved}")


@dataclass
class SealReport:
    encrypted: int = 0
    rotated: int = 0
    missing: int = 0
    unreadable: int = 0


def seal_stored(
    documents: Iterator[models.Model], *, rotate: bool = False, storage: Storage | None = None
) -> SealReport:
    """Encrypt the documents still stored in clear (from before encryption at rest) and,
    with ``rotate``, re-encrypt the others under the newest key. Idempotent; a file that
    is neither a readable token nor a recognised document is counted, never touched."""
    storage = storage or default_storage
    report = SealReport()
    for document in documents:
        name = document.file.name  # type: ignore[attr-defined]
        if not name or not storage.exists(name):
            report.missing += 1
            continue
        with storage.open(name, "rb") as stored:
            content = stored.read()
        try:
            plain = unseal(content)
        except crypto.DecryptionError:
            if sniff_document(content[:16]) is None:
                report.unreadable += 1
                continue
            _replace(storage, name, seal(content))
            report.encrypted += 1
            continue
        if rotate:
            _replace(storage, name, seal(plain))
            report.rotated += 1
    return report
