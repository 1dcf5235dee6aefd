import datetime

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from himaya.core.crypto import ascii_digits, strip_invisible
from himaya.survivors.models import Survivor
from himaya.survivors.rules import phone_digits

MAX_VERSION = 2_147_483_647


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION, widget=forms.HiddenInput)


class MergeForm(VersionForm):
    keep = forms.CharField(label=_("Survivor to keep"), max_length=20)


class SettingsForm(VersionForm):
    review_threshold = forms.FloatField(
        label=_("Review threshold"),
        min_value=0.01,
        max_value=0.99,
        help_text=_("Pairs scoring at or above it wait for a supervisor's review."),
    )
    auto_merge_enabled = forms.BooleanField(label=_("Merge automatically"), required=False)
    auto_merge_threshold = forms.FloatField(
        label=_("Automatic merge threshold"),
        min_value=0.99,
        max_value=1,
        help_text=_("Pairs scoring at or above it are merged without review, when switched on."),
    )


def unsaved_survivor(data: QueryDict) -> tuple[Survivor, list[str]]:
    """A survivor as typed in the registration form (never saved), and its document."""

    def text(name: str, limit: int = 300) -> str:
        return str(data.get(name, "") or "")[:limit].strip()

    year: int | None = None
    # Digits of any script, as the registration form reads them; nothing invisible.
    raw_year = ascii_digits(strip_invisible(text("birth_year", 8)))
    if raw_year.isascii() and raw_year.isdigit() and 1900 <= int(raw_year) <= 2100:
        year = int(raw_year)
    date_of_birth = ascii_digits(strip_invisible(text("date_of_birth", 12)))
    try:
        parsed = datetime.date.fromisoformat(date_of_birth) if date_of_birth else None
    except ValueError:
        parsed = None
    if parsed is not None and year is None:
        year = parsed.year
    survivor = Survivor(
        name_ar=text("name_ar"),
        name_latin=text("name_latin"),
        aliases=text("aliases"),
        birth_year=year,
        date_of_birth=parsed.isoformat() if parsed else "",
        sex=text("sex", 10) or "unknown",
        nationality=text("nationality", 2).upper(),
        phone=text("phone", 100) if phone_digits(text("phone", 100)) else "",
    )
    number = text("document_number", 60)
    return survivor, [number] if number else []
