"""Languages spoken (ISO 639-1 codes), named in the active language.

The codes are stored (a shelter unit keeps ``"ar,en,am"``); pages and choosers show the
names. The list holds the languages most often needed in Egypt's caseload.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LANGUAGES = [
    ("ar", _("Arabic")),
    ("en", _("English")),
    ("fr", _("French")),
    ("am", _("Amharic")),
    ("ti", _("Tigrinya")),
    ("om", _("Oromo")),
    ("so", _("Somali")),
    ("ha", _("Hausa")),
    ("sw", _("Swahili")),
    ("tl", _("Filipino (Tagalog)")),
    ("id", _("Indonesian")),
    ("bn", _("Bengali")),
    ("si", _("Sinhala")),
    ("ne", _("Nepali")),
    ("ur", _("Urdu")),
]
_NAMES = dict(LANGUAGES)


def language_name(code: str) -> str:
    """The language's name in the active language; an unknown code is shown as given."""
    value = code.strip().lower()
    return str(_NAMES[value]) if value in _NAMES else value


def language_names(codes: str) -> str:
    """``"ar,en"`` → ``"العربية، الإنجليزية"`` (or ``"Arabic, English"``)."""
    names = [language_name(part) for part in codes.replace("،", ",").split(",") if part.strip()]
    return gettext(", ").join(names)


class LanguagesField(forms.MultipleChoiceField):
    """Languages chosen by name, cleaned to the stored ``"ar,en"``; codes sent as one text
    separated by commas (an older client, a test) are read too."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.SelectMultiple(attrs={"size": 6}))
        super().__init__(choices=LANGUAGES, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        codes: list[str] = []
        for item in super().to_python(value):
            for part in item.replace("،", ",").split(","):
                code = part.strip().lower()
                if code and code not in codes:
                    codes.append(code)
        return codes

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def clean(self, value: Any) -> str:
        return ",".join(super().clean(value))
