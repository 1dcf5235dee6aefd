"""The events a user can be notified of, each registered by the app that emits it.

An event has a code (``"referrals.received"``), a label shown in the preferences, and a
subject and body with ``%(name)s`` placeholders filled from the notification's params at
delivery time, in the recipient's language. Params are restricted to safe values: public
codes, counts, dates and agency names, never a survivor's name, phone or document.
"""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Event:
    code: str  # e.g. "referrals.received"
    label: Promise  # gettext_lazy, shown in preferences
    subject: Promise  # gettext_lazy with %(name)s placeholders from params
    body: Promise  # gettext_lazy with %(name)s placeholders from params


_events: dict[str, Event] = {}


class UnknownEvent(LookupError):
    pass


def register_event(*events: Event) -> None:
    for event in events:
        _events[event.code] = event


def get_event(code: str) -> Event:
    try:
        return _events[code]
    except KeyError:
        raise UnknownEvent(code) from None


def registered_events() -> list[Event]:
    return sorted(_events.values(), key=lambda event: event.code)
