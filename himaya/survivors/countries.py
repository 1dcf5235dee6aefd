"""Nationalities and issuing countries offered in the forms (ISO 3166-1 alpha-2).

The list holds the countries of origin most often met in Egypt's caseload; ``XX``
stands for a stateless person or an unknown nationality.
"""

from django.utils.translation import gettext_lazy as _

COUNTRIES = [
    ("EG", _("Egypt")),
    ("SD", _("Sudan")),
    ("SS", _("South Sudan")),
    ("ER", _("Eritrea")),
    ("ET", _("Ethiopia")),
    ("SO", _("Somalia")),
    ("SY", _("Syria")),
    ("YE", _("Yemen")),
    ("IQ", _("Iraq")),
    ("PS", _("Palestine")),
    ("LY", _("Libya")),
    ("NG", _("Nigeria")),
    ("CM", _("Cameroon")),
    ("PH", _("Philippines")),
    ("ID", _("Indonesia")),
    ("BD", _("Bangladesh")),
    ("LK", _("Sri Lanka")),
    ("NP", _("Nepal")),
    ("SA", _("Saudi Arabia")),
    ("AE", _("United Arab Emirates")),
    ("JO", _("Jordan")),
    ("LB", _("Lebanon")),
    ("XX", _("Stateless or unknown")),
]

COUNTRY_CODES = frozenset(code for code, _label in COUNTRIES)


def country_name(code: str) -> str:
    return str(dict(COUNTRIES).get(code, code))
