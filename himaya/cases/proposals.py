"""What a screening proposes for the identification decision, from the app that owns it.

The screening app sits above cases, so cases never imports it: the screening app
registers a function that answers the outcome of a screening, in the reader's language,
from its code (``None`` for a code it does not know). The case page shows that outcome
beside the decision form as the proposal; a person decides.
"""

from collections.abc import Callable

ScreeningOutcome = Callable[[str], str | None]

_outcome_of: list[ScreeningOutcome] = []


def register_screening_outcome(function: ScreeningOutcome) -> None:
    """Set the function that tells a screening's outcome from its code."""
    _outcome_of[:] = [function]


def screening_outcome(code: str) -> str | None:
    """The outcome of the screening with this code, if an app knows it."""
    if not code:
        return None
    for function in _outcome_of:
        outcome = function(code)
        if outcome is not None:
            return outcome
    return None


def clear_screening_outcome() -> None:
    """Forget the registered function (tests)."""
    _outcome_of.clear()
