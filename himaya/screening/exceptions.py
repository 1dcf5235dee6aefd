"""Refusals of the screening app, a kind of the project's one error model."""

from himaya.core.errors import Invalid


class ScreeningError(Invalid):
    """A screening rule refused the action; ``message`` says why."""
