"""Refusals of the cases app, kinds of the project's one error model (``core.errors``)."""

from himaya.core.errors import Conflict, Forbidden, Invalid


class CaseError(Invalid):
    """A rule of the cases app refused a change (the input or the case's state)."""


class CaseForbidden(Forbidden):
    """The user may not do this on this case."""


class FourEyesError(CaseForbidden):
    """The author of a request may not decide on it."""


class CaseConflict(Conflict):
    """The case's current state no longer allows this change."""
