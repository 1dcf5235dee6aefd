"""The one error model of Himaya.

Actions raise a ``DomainError`` (or one of its kinds) when a rule refuses a change. The
message is translatable and says why; ``field`` names the input at fault when there is
one, and ``errors`` carries messages per field. Pages turn an error into a form error or
a message (``himaya.core.views_errors``); the API answers it once, as problem details
(RFC 9457), in ``himaya.core.problems``. Nothing else maps errors to answers.
"""

from typing import ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Message = str | Promise


class DomainError(Exception):
    """A rule refused the change; nothing was written."""

    status: ClassVar[int] = 400
    title: ClassVar[Message] = _("The request was refused")

    def __init__(
        self,
        message: Message,
        *,
        field: str | None = None,
        errors: dict[str, list[Message]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})


class Invalid(DomainError):
    """The input breaks a rule (a bound, a format, a state that does not allow it)."""

    status = 400
    title = _("The input is not valid")


class Forbidden(DomainError):
    """The user may not do this, although they may see the record."""

    status = 403
    title = _("Not allowed")


class NotFound(DomainError):
    """Missing, or outside the user's scope: the two are never told apart."""

    status = 404
    title = _("Not found")


class Conflict(DomainError):
    """The record changed since it was read, or its state no longer allows the change."""

    status = 409
    title = _("Conflict")


class RateLimited(DomainError):
    """Too many attempts in a short time."""

    status = 429
    title = _("Too many requests")
