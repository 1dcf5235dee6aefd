"""Random public codes: the only identifiers that travel outside the database.

A code is a prefix, eight random characters from an alphabet without the look-alikes
0/O, 1/I/L and U/V, and one check character, e.g. ``SV-7K3M-9QXP-R``. The codes are not
sequential, so they reveal neither how many records exist nor their order.
"""

import secrets

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


def is_valid_code(code: str, prefix: str) -> bool:
    parts = code.strip().upper().split("-")
    if len(parts) != 4 or parts[0] != prefix:
        return False
    body, check = parts[1] + parts[2], parts[3]
    if len(body) != _BODY_LENGTH or any(char not in ALPHABET for char in body):
        return False
    return check == check_character(body)
