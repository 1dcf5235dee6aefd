"""Dates, amounts, countries and codes written the same way on every page.

A right-to-left page reorders a run of digits, dashes and Latin letters unless it is
isolated: every value these filters write is wrapped in ``<bdi>``, so that a code, a date or
an amount reads the same in Arabic and in English. One date format per language: the day,
the name of the month in the active language, the year (``29 نوفمبر 2026``, ``29 November
2026``). Amounts carry two decimals, thousands separators and the translated unit.
"""

import datetime
import functools
import html
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import numberformat, timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from himaya.core.countries import country_name
from himaya.core.languages import language_names

register = template.Library()


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def day_text(value: datetime.date | datetime.datetime | str | None) -> str:
    """The day as words and digits in the active language, without markup; a stored ISO
    date (an encrypted field holds text) is read first, other text is shown as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    return _day_words(value, get_language())


@functools.lru_cache(maxsize=4096)
def _day_words(value: datetime.date, language: str | None) -> str:
    # Django's "j F Y", written once per day and language: a list shows the same few days
    # on many rows, and Django's formatter is slow for one value.
    return f"{value.day} {MONTHS[value.month]} {value.year}"


@register.filter(is_safe=True)
def day(value: datetime.date | datetime.datetime | str | None) -> SafeString | str:
    """``{{ case.first_contact_on|day }}``: the day, isolated; nothing for no date."""
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    if isinstance(value, datetime.date):
        return _day_isolated(value, get_language())
    text = day_text(value)
    if not text:
        return ""
    return format_html('<bdi class="date text-nowrap">{}</bdi>', text)


@functools.lru_cache(maxsize=4096)
def _day_isolated(value: datetime.date, language: str | None) -> SafeString:
    return format_html('<bdi class="date text-nowrap">{}</bdi>', _day_words(value, language))


@register.filter(is_safe=True)
def moment(value: datetime.datetime | None, precision: str = "") -> SafeString | str:
    """``{{ event.occurred_at|moment }}``: the day and the local time, isolated;
    ``|moment:"seconds"`` adds the seconds (the audit trail)."""
    if value is None or value == "":
        return ""
    local = _local(value)
    return format_html(
        '<bdi class="date text-nowrap">{} {}</bdi>',
        _day_words(local.date(), get_language()),
        f"{local:%H:%M:%S}" if precision == "seconds" else f"{local:%H:%M}",
    )


def money_text(value: Decimal | int | float | str | None) -> str:
    """The amount with two decimals and thousands separators, without the unit."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    return numberformat.format(
        amount, ".", decimal_pos=2, grouping=3, thousand_sep=",", force_grouping=True
    )


@register.filter(is_safe=True)
def money(value: Decimal | int | float | str | None) -> SafeString | str:
    """``{{ line.amount|money }}``: 1,234.50 and the currency unit in the active language."""
    if value is None or value == "":
        return ""
    return format_html(
        '<bdi class="money text-nowrap"><bdi dir="ltr">{}</bdi> {}</bdi>',
        money_text(value),
        gettext("EGP"),
    )


@register.filter(is_safe=True)
def amount(value: Decimal | int | float | str | None) -> SafeString | str:
    """``{{ total|amount }}``: like ``money`` without the unit, for columns headed by it."""
    if value is None or value == "":
        return ""
    return format_html('<bdi dir="ltr" class="text-nowrap">{}</bdi>', money_text(value))


@register.filter
def country(code: str | None) -> str:
    """``{{ survivor.nationality|country }}``: the country's name in the active language."""
    return country_name(code)


@register.filter(is_safe=True)
def code(value: object) -> SafeString | str:
    """``{{ case.code|code }}``: a public code or a reference, isolated left to right."""
    if value is None or value == "":
        return ""
    return format_html('<bdi class="code text-nowrap" dir="ltr">{}</bdi>', value)


@register.filter
def person(user: object) -> str:
    """``{{ alert.assigned_to|person }}``: a user by their full name, or by their username
    when no name is held; nothing for no one (also the lists' exported columns)."""
    if user is None or user == "":
        return ""
    full: str = user.get_full_name()  # type: ignore[attr-defined]
    return full or user.get_username()  # type: ignore[attr-defined]


@register.filter
def languages(codes: str | None) -> str:
    """``{{ unit.languages|languages }}``: ``"ar,en"`` as the languages' names."""
    return language_names(codes or "")


@register.filter(is_safe=True)
def options(choices: Iterable[tuple[object, object]], chosen: object = "") -> SafeString:
    """``{{ governorates|options:params.governorate }}``: the ``<option>`` elements of a
    filter's ``<select>``, the chosen value marked; values and labels are escaped. Written
    in one pass, which a list of thirty governorates makes worth it on every page view."""
    wanted = "" if chosen is None else str(chosen)
    written = []
    for value, label in choices:
        text = str(value)
        mark = " selected" if text == wanted else ""
        written.append(
            f'<option value="{html.escape(text)}"{mark}>{html.escape(str(label))}</option>'
        )
    # Every value and label is escaped just above.
    return mark_safe("".join(written))  # noqa: S308  # nosec B308 B703
