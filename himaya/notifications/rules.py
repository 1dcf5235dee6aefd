"""Pure rules of the notifications app: safe params, rendering and default preferences."""

import re
from collections.abc import Mapping

from django.utils import translation

from himaya.notifications.events import Event
from himaya.notifications.models import Channel

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")

# A param may hold a public code, a count, a date, a time, a number of days or hours, the
# name of an agency, governorate, service or programme, a severity or a kind: its name ends
# with one of these words, and may end with ``_ar`` or ``_en`` for a name in both languages
# (``from_agency_ar`` and ``from_agency_en`` fill ``%(from_agency)s`` in each language).
SAFE_PARAM_NAMES = re.compile(
    r"^(\w+_)?(code|count|number|date|time|deadline|days|hours|agency|governorate|service"
    r"|programme|severity|kind|amount)(_ar|_en)?$"
)
LANGUAGE_SUFFIX = re.compile(r"^(\w+)_(ar|en)$")
MAX_PARAM_LENGTH = 200

# Without a stored choice, in-app and e-mail are on; SMS and WhatsApp are off.
DEFAULT_CHANNELS = frozenset({Channel.IN_APP, Channel.EMAIL})
SENT_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)


def placeholders(event: Event) -> set[str]:
    """The names of the params that the event's subject and body use."""
    with translation.override("en"):
        text = f"{event.subject}\n{event.body}"
    return set(PLACEHOLDER.findall(text))


def unsafe_param_names(names: Mapping[str, object] | set[str]) -> list[str]:
    return sorted(name for name in names if not SAFE_PARAM_NAMES.match(name))


def param_problems(event: Event, params: Mapping[str, object]) -> list[str]:
    """What is wrong with the params of a notification (empty when nothing is)."""
    problems = [f"unsafe param name: {name}" for name in unsafe_param_names(params)]
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            problems.append(f"param {name} must be a text or a whole number")
        elif isinstance(value, str) and len(value) > MAX_PARAM_LENGTH:
            problems.append(f"param {name} is too long")
    given = set(_localised(params, "ar")) & set(_localised(params, "en"))
    missing = placeholders(event) - given
    problems.extend(f"missing param: {name}" for name in sorted(missing))
    return problems


def _localised(params: Mapping[str, object], language: str) -> dict[str, object]:
    """The params with each ``name_<language>`` also given as ``name``."""
    values = dict(params)
    for name, value in params.items():
        match = LANGUAGE_SUFFIX.match(name)
        if match and match.group(2) == language:
            values[match.group(1)] = value
    return values


def bilingual(name: str, record: object) -> dict[str, str]:
    """The params ``<name>_ar`` and ``<name>_en`` from a record named in both languages."""
    return {
        f"{name}_ar": str(getattr(record, "name_ar", "")),
        f"{name}_en": str(getattr(record, "name_en", "")),
    }


def render(event: Event, params: Mapping[str, object], language: str) -> tuple[str, str]:
    """The subject and body of the event in ``language``, filled from ``params``."""
    language = "en" if (language or "").startswith("en") else "ar"
    values = _localised(params, language)
    with translation.override(language):
        subject = str(event.subject) % values
        body = str(event.body) % values
    return subject, body


def channel_enabled(channel: str, stored: Mapping[str, bool]) -> bool:
    """Whether a channel is on, given the stored choices of one person for one event."""
    if channel in stored:
        return stored[channel]
    return channel in DEFAULT_CHANNELS
