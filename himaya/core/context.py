"""What the audit trail needs to know of the request being served, without actions
taking the request: the middleware ``RequestContextMiddleware`` sets it for the length
of each request, and ``client_address()`` reads it (``None`` outside a request: commands,
scheduled jobs, tests that call actions directly).

The same middleware gives each request an empty ``request_memo()``: answers read once
and reused until the request ends (the memberships of the user, for instance). Outside a
request there is none, and every read goes to the database.
"""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_client_address: ContextVar[str | None] = ContextVar("himaya_client_address", default=None)
_memo: ContextVar[dict[Any, Any] | None] = ContextVar("himaya_request_memo", default=None)


def client_address() -> str | None:
    return _client_address.get()


def request_memo() -> dict[Any, Any] | None:
    """The memo of the request being served (``None`` outside a request)."""
    return _memo.get()


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_address.set(request.META.get("REMOTE_ADDR") or None)
        memo = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(memo)
            _client_address.reset(token)
