"""The refusals of the returns app, kinds of the project's one error model."""

from himaya.core.errors import Forbidden, Invalid


class ReturnError(Invalid):
    """A rule of the returns app refused the change (400)."""


class ReturnForbidden(Forbidden):
    """The user may see the case but not do this (403)."""
