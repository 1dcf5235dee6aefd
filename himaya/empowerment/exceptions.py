from django.utils.functional import Promise

from himaya.empowerment.rules import Reason


class EmpowermentError(Exception):
    """A rule of the empowerment app refused the action; ``message`` is shown to the user.

    ``reasons`` holds the eligibility rules that failed, when eligibility refused it.
    """

    def __init__(self, message: str | Promise, reasons: tuple[Reason, ...] = ()) -> None:
        super().__init__(str(message))
        self.message = message
        self.reasons = reasons
