from django.utils.functional import Promise


class ScreeningError(Exception):
    """A screening rule refused the action; ``message`` is shown to the user."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message
