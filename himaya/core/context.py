"""What the audit trail needs to know of the request being served, without actions
taking the request: the middleware ``RequestContextMiddleware`` sets it for the length
of each request, and ``client_address()`` reads it (``None`` outside a request: commands,
scheduled jobs, tests that call actions directly)."""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_client_address: ContextVar[str | None] = ContextVar("himaya_client_address", default=None)


def client_address() -> str | None:
    return _client_address.get()


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_address.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            _client_address.reset(token)
