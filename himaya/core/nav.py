"""The navigation registry: each app declares its entries, each guarded by a permission."""

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from himaya.core.typing import AnyUser


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    permission: str
    description: str | Promise = ""
    order: int = 100
    extra_permissions: tuple[str, ...] = field(default=())

    @property
    def url(self) -> str:
        return _address(self.url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=512)
def _address(url_name: str, prefix: str, urlconf: str) -> str:
    # Every page writes the same few addresses in its navigation: each is reversed once
    # per prefix and URL configuration (the key; ``reverse`` reads them itself).
    return reverse(url_name, urlconf=urlconf)


_items: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    for item in items:
        _items[item.key] = item
    _menu.cache_clear()


def all_items() -> list[NavItem]:
    return sorted(_items.values(), key=lambda item: (item.order, item.key))


def items_for(user: AnyUser | AnonymousUser) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in all_items() if user.has_perm(item.permission)]


def menu(request: HttpRequest) -> SafeString:
    """The navigation's entries for the signed-in user, the current page's marked.

    The markup depends only on which entries the user may see, the current view, the
    language and the addresses: it is written once for each of these and kept, so that a
    page does not render the same two dozen links again (it names no person)."""
    keys = tuple(item.key for item in items_for(request.user))
    match = getattr(request, "resolver_match", None)
    return _menu(
        keys,
        match.view_name if match is not None else "",
        get_language(),
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
    )


@functools.lru_cache(maxsize=1024)
def _menu(
    keys: tuple[str, ...], view_name: str, language: str | None, prefix: str, urlconf: str
) -> SafeString:
    # The key holds what the markup depends on; rendering reads the active language and
    # addresses itself.
    return render_to_string(
        "core/menu.html", {"items": [_items[key] for key in keys], "view_name": view_name}
    )
