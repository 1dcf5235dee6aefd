"""Random public codes: the only identifiers that travel outside the database.

A code is a prefix, eight random characters from an alphabet without the look-alikes
0/O, 1/I/L and U/V, and one check character, e.g. ``SV-7K3M-9QXP-R``. The codes are not
sequential, so they reveal neither how many records exist nor their order.
"""

import secrets
from collections.abc import Callable, Iterable

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
_BODY_LENGTH = 8


def check_character(body: str) -> str:
    total = 0
    for position, char in enumerate(body):
        total += (position + 1) * (ALPHABET.index(char) + 1)
    return ALPHABET[total % len(ALPHABET)]


def new_code(prefix: str) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(_BODY_LENGTH))
    return f"{prefix}-{body[:4]}-{body[4:]}-{check_character(body)}"


def new_codes(
    prefix: str, count: int, *, taken: Callable[[Iterable[str]], Iterable[str]] | None = None
) -> list[str]:
    """``count`` distinct new codes for a bulk insert, none of them already ``taken``.

    ``bulk_create`` does not call ``save()``, so a bulk builder takes its codes from here:
    they are distinct within the batch, and ``taken`` (given the candidates, it answers
    those already stored) removes any that the table holds already.
    """
    codes: set[str] = set()
    while len(codes) < count:
        candidates = {new_code(prefix) for _ in range(count - len(codes))} - codes
        if taken is not None:
            candidates -= set(taken(candidates))
        codes |= candidates
    return list(codes)


def is_valid_code(code: str, prefix: str) -> bool:
    parts = code.strip().upper().split("-")
    if len(parts) != 4 or parts[0] != prefix:
        return False
    body, check = parts[1] + parts[2], parts[3]
    if len(body) != _BODY_LENGTH or any(char not in ALPHABET for char in body):
        return False
    return check == check_character(body)
