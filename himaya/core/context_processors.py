import functools
from typing import Any

from django.http import HttpRequest

from himaya.core import nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Called by the template only where it shows the navigation (not by a partial).
    return {"navigation": functools.partial(nav.menu, request)}
