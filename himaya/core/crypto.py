"""Authenticated encryption of identifying values and keyed blind indexes.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256) under a list of keys,
newest first: new values use the newest key, any listed key can read, and ``rotate``
re-encrypts a token under the newest key. Blind indexes are HMAC-SHA256 digests of a
normalised value under a separate key, so that equal values can be found without
decrypting anything.
"""

import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from pyarabic import araby


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=1)
def _cipher() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise DecryptionError("no field encryption keys are configured")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


@receiver(setting_changed)
def _forget_keys(*, setting: str, **_: object) -> None:
    if setting in {"FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"}:
        _cipher.cache_clear()


def encrypt(value: str) -> str:
    return _cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise DecryptionError(
            "a stored value cannot be decrypted with the configured keys"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key (reading it with any listed key)."""
    try:
        return _cipher().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionError("a stored value cannot be rotated: no key reads it") from exc


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


_SPACES = re.compile(r"\s+")


def strip_invisible(value: str) -> str:
    """The text without its invisible format characters (Unicode category Cf).

    Zero-width spaces and joiners, the word joiner, the byte order mark, the soft hyphen
    and the bidirectional marks, embeddings and isolates change nothing a reader sees, so
    they must change nothing that is compared either.
    """
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cf")


def ascii_digits(value: str) -> str:
    """Every decimal digit of any script (Arabic-Indic, Persian, Devanagari…) as 0-9."""
    return "".join(
        str(digit) if (digit := unicodedata.digit(ch, None)) is not None else ch for ch in value
    )


def normalise(value: str) -> str:
    """The form under which two spellings of one name or number count as equal.

    Invisible format characters are removed and the digits of every script become ASCII
    digits; case and Unicode compatibility forms are folded; Arabic diacritics and tatweel
    are removed and the hamza-bearing alef forms, alef maqsura and teh marbuta are unified;
    punctuation is dropped and spaces collapsed. Word order is kept: in Arabic names it
    carries meaning.
    """
    text = unicodedata.normalize("NFKC", strip_invisible(value)).casefold()
    text = ascii_digits(text)
    text = araby.strip_tashkeel(araby.strip_tatweel(text))
    text = text.replace("ى", "ي").replace("ی", "ي").replace("ة", "ه")
    text = araby.normalize_hamza(araby.normalize_alef(text), method="tasheel")
    text = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text)
    return _SPACES.sub(" ", text).strip()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed digest of the normalised value; ``purpose`` separates the index families."""
    key = settings.BLIND_INDEX_KEY.encode("utf-8")
    message = f"{purpose}\x1f{normalise(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
