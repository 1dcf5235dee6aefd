"""The refusals of the empowerment app, kinds of the project's one error model."""

from django.utils.functional import Promise

from himaya.core.errors import Forbidden, Invalid
from himaya.empowerment.rules import Decision, Reason


class EmpowermentError(Invalid):
    """A rule of the empowerment app refused the action; ``message`` is shown to the user.

    When eligibility refused it, ``decision`` is the whole eligibility decision and
    ``reasons`` the rules that failed; each failed rule is also an error under its name
    (``sex``, ``age``, ``household_role``, ``phase``), in the user's language.
    """

    def __init__(self, message: str | Promise, *, decision: Decision | None = None) -> None:
        reasons: tuple[Reason, ...] = decision.failed if decision is not None else ()
        super().__init__(
            message, errors={reason.rule: [reason.text()] for reason in reasons} or None
        )
        self.decision = decision
        self.reasons = reasons


class EmpowermentForbidden(Forbidden):
    """Only an empowerment officer of the programme's managing agency (or, for a referral,
    the case's own agency) may do this."""
