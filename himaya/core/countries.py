"""Countries by their ISO 3166-1 alpha-2 code, named in the active language.

The names and their Arabic translations come from django-countries. The database keeps the
two-letter code; pages and choosers show the name. ``XX`` stands for a stateless person or an
unknown nationality, which ISO 3166 does not name.
"""

import functools
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, gettext, gettext_lazy
from django_countries import countries

STATELESS = "XX"

# The countries most often met in Egypt's caseload, offered first in every chooser.
FREQUENT = (
    "EG",
    "SD",
    "SS",
    "ER",
    "ET",
    "SO",
    "SY",
    "YE",
    "IQ",
    "PS",
    "LY",
    "NG",
    "CM",
    "PH",
    "ID",
    "BD",
    "LK",
    "NP",
    "SA",
    "AE",
    "JO",
    "LB",
)


def country_name(code: str | None) -> str:
    """The name of the country in the active language; an unknown code is shown as given."""
    value = (code or "").strip().upper()
    if not value:
        return ""
    return _named(value, get_language())


@functools.lru_cache(maxsize=2048)
def _named(value: str, language: str | None) -> str:
    # Lists name the same few countries on every row: each name is looked up once per
    # language (``language`` is the key; the lookup itself reads the active language).
    if value == STATELESS:
        return gettext("Stateless or unknown")
    return str(countries.name(value) or value)


country_name_lazy = lazy(country_name, str)

CODES: frozenset[str] = frozenset({*countries.countries, STATELESS})

# Every code with its name (translated when shown), for the API's choices and schema.
ALL: list[tuple[str, str | Promise]] = [
    (code, country_name_lazy(code)) for code in countries.countries
]
ALL.append((STATELESS, gettext_lazy("Stateless or unknown")))


def is_country(code: str) -> bool:
    return code.strip().upper() in CODES


Choices = list[tuple[str, str] | tuple[str, Sequence[tuple[str, str]]]]


def choices(*, blank: str | None = None, stateless: bool = True) -> Choices:
    """A chooser's options in the active language: the frequent countries first, then all
    the others in the order of their names; ``blank`` adds an empty first option."""
    frequent = [(code, country_name(code)) for code in FREQUENT]
    if stateless:
        frequent.append((STATELESS, country_name(STATELESS)))
    others = sorted(
        ((code, str(name)) for code, name in countries if code not in FREQUENT),
        key=lambda pair: pair[1],
    )
    options: Choices = [] if blank is None else [("", blank)]
    options.append((gettext("Most frequent"), frequent))
    options.append((gettext("All countries"), others))
    return options


class CountryChoiceField(forms.ChoiceField):
    """A chooser of countries by name that stores the code; a code typed in either case (an
    older client, a test) is read as the upper-case code."""

    def __init__(self, *, blank: str | None = None, stateless: bool = True, **kwargs: Any) -> None:
        def options() -> Choices:
            return choices(blank=blank, stateless=stateless)

        super().__init__(choices=options, **kwargs)

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().upper()
