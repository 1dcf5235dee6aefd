"""Periodic checks that notify of what is about to fall due, each registered by its app.

The app that owns the records (referrals, empowerment) registers a function that, given
the present moment, calls ``notify`` for what falls due soon and answers how many
notifications it created. The task queue runs every check every fifteen minutes
(``tasks.run_notification_checks``); ``notify`` never creates the same notification twice,
so a check may find the same record again and again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[datetime], int]


_checks: dict[str, Check] = {}


def register_check(name: str, run: Callable[[datetime], int]) -> None:
    _checks[name] = Check(name=name, run=run)


def registered_checks() -> list[Check]:
    return sorted(_checks.values(), key=lambda check: check.name)
