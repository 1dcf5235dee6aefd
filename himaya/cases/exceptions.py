"""Domain exceptions of the cases app; each carries a translatable message."""

from django.utils.functional import Promise


class CaseError(Exception):
    """A rule of the cases app refused a change."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


class CaseForbidden(CaseError):
    """The user may not do this on this case (views answer 404 or 403)."""


class FourEyesError(CaseForbidden):
    """The author of a request may not decide on it."""
