from typing import Any

from django.http import HttpRequest

from himaya.core import nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_items": nav.items_for(request.user)}
