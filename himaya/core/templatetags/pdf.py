"""Filters for printed documents (``core.pdf``).

WeasyPrint does not resolve ``dir="auto"`` (user text in a right-to-left document is laid
out right to left even when it is Latin or a phone number); ``direction`` gives the
direction of a value from its first strong character, as a browser does for ``dir="auto"``:
``<td dir="{{ value|direction }}">``.
"""

import unicodedata

from django import template

register = template.Library()


@register.filter
def direction(value: object) -> str:
    """``rtl`` when the first strong character is right to left, else ``ltr``."""
    for char in str(value or ""):
        kind = unicodedata.bidirectional(char)
        if kind in {"R", "AL"}:
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"
