from django.utils.functional import Promise


class ServiceError(Exception):
    """A rule of the services app refused a change."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message
