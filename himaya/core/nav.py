"""The navigation registry: each app declares its entries, each guarded by a permission."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.functional import Promise

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
        return reverse(self.url_name)


_items: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    for item in items:
        _items[item.key] = item


def all_items() -> list[NavItem]:
    return sorted(_items.values(), key=lambda item: (item.order, item.key))


def items_for(user: AnyUser | AnonymousUser) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in all_items() if user.has_perm(item.permission)]
