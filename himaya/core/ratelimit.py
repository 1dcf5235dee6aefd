"""How many requests of one kind one person may make in a window: searches and exports.

The API has its own limit (Django REST framework's throttles, ``REST_FRAMEWORK`` in the
settings); sign-in has the lockout and duplicate checks their hourly allowance. The pages
that read many survivors at once, a search and an export, are counted here: per person
(per address when signed out), per window of the rate, in the default cache: in Redis
when ``HIMAYA_REDIS_URL`` is set, so that every worker process and server shares one count.
Over the rate, the request does nothing and the person reads a 429 page saying when to try
again.

A rate is written ``<count>/<second|minute|hour|day>``; an empty one turns the limit off
(as the test settings do, except in the tests of the limit itself).
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str | None) -> Rate | None:
    """``"60/minute"`` as a rate; None for an empty or malformed one (no limit)."""
    count, _, unit = (text or "").partition("/")
    if not count.strip().isdigit() or unit.strip() not in _UNITS:
        return None
    return Rate(int(count), _UNITS[unit.strip()])


def _who(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{request.META.get('REMOTE_ADDR', '')}"


def spend(request: HttpRequest, scope: str, setting: str) -> int | None:
    """Count one request of ``scope``; the seconds to wait when it is over the rate named by
    the setting ``setting``, else None."""
    rate = parse_rate(getattr(settings, setting, ""))
    if rate is None:
        return None
    now = time.time()
    window = int(now // rate.seconds)
    key = f"himaya:rate:{scope}:{_who(request)}:{window}"
    if cache.add(key, 1, timeout=rate.seconds):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between the two calls
            cache.add(key, 1, timeout=rate.seconds)
            count = 1
    if count <= rate.count:
        return None
    return max(1, rate.seconds - int(now % rate.seconds))


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    """The 429 page: nothing was done, and when to try again."""
    response = render(request, "core/too_many.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response
