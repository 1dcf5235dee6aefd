"""Nationalities and issuing countries (ISO 3166-1 alpha-2), named by ``core.countries``.

The stored value is the two-letter code; ``XX`` stands for a stateless person or an unknown
nationality. Forms offer ``core.countries.choices()``, the frequent countries first.
"""

from himaya.core.countries import ALL, CODES, STATELESS, country_name

COUNTRIES = ALL
COUNTRY_CODES = CODES

__all__ = ["COUNTRIES", "COUNTRY_CODES", "STATELESS", "country_name"]
