"""The refusals of the services app, kinds of the project's one error model."""

from himaya.core.errors import Forbidden, Invalid


class ServiceError(Invalid):
    """A rule of the services app refused a change (400)."""


class ServiceForbidden(Forbidden):
    """The user may see the service but not do this to it (403)."""
