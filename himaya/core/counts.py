"""The counts on the home page: each app registers what waits for its users.

A provider names a capability, a label with its plural forms (``ngettext_lazy`` with the
number named ``count``), the page that lists the items and a function counting them for a
user in one bounded query. The home page shows the providers the user may use whose count
is above zero, each as a link; core imports none of the apps that register them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from himaya.core.typing import AnyUser


@dataclass(frozen=True)
class CountProvider:
    key: str
    permission: str
    label: Promise  # ngettext_lazy(singular, plural, "count"): "%(count)s payments await…"
    url_name: str
    count: Callable[[AnyUser], int]
    order: int = 100


@dataclass(frozen=True)
class HomeCount:
    key: str
    count: int
    text: str
    url: str


_providers: dict[str, CountProvider] = {}


def register_count(*providers: CountProvider) -> None:
    for provider in providers:
        _providers[provider.key] = provider


def all_providers() -> list[CountProvider]:
    return sorted(_providers.values(), key=lambda provider: (provider.order, provider.key))


def counts_for(user: AnyUser | AnonymousUser) -> list[HomeCount]:
    """The counts above zero of the providers the user may use, in their order."""
    if not user.is_authenticated:
        return []
    shown = []
    for provider in all_providers():
        if not user.has_perm(provider.permission):
            continue
        number = provider.count(user)
        if number <= 0:
            continue
        try:
            url = reverse(provider.url_name)
        except NoReverseMatch:
            continue
        shown.append(
            HomeCount(
                key=provider.key,
                count=number,
                text=str(provider.label % {"count": number}),
                url=url,
            )
        )
    return shown
