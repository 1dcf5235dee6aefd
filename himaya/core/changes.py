"""Word that the records of a day changed, for the apps above that keep figures by day.

The daily indicators are computed from the records of the work; an app below them cannot
import them. Every audited write says which action it was (``audit.actions.record_event``
calls ``records_changed`` with today's date), and an action that writes a record dated
another day (a decision recorded after the fact) says that day too. The monitoring app
subscribes and marks the days to compute again; no domain rule runs here.
"""

import datetime
from collections.abc import Callable

Listener = Callable[[str, datetime.date], None]

_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Call ``listener(action, day)`` after every change; subscribing twice is once."""
    if listener not in _listeners:
        _listeners.append(listener)


def records_changed(*, action: str, day: datetime.date) -> None:
    """Tell the subscribers that ``action`` changed records of ``day`` (inside the
    writer's transaction, so that a write rolled back leaves no trace)."""
    for listener in _listeners:
        listener(action, day)
