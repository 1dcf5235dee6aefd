"""Pure rules of signing in."""

from collections.abc import Callable, Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Role

SECOND_FACTOR_ROLES = frozenset(
    {
        Role.SUPERVISOR.value,
        Role.FUND_APPROVER.value,
        Role.AUDITOR.value,
        Role.OPERATOR.value,
        Role.ADMINISTRATOR.value,
    }
)


def needs_second_factor(roles: Iterable[str]) -> bool:
    return bool(SECOND_FACTOR_ROLES.intersection(roles))


def session_is_idle(*, last_seen: float | None, now: float, limit_seconds: int) -> bool:
    return last_seen is not None and now - last_seen > limit_seconds


# Enrolment codes: twelve characters without look-alikes (0/O, 1/I/L), about 60 bits,
# shown in three groups of four and read back whatever the case, spaces or dashes.
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ENROLMENT_CODE_LENGTH = 12


def new_enrolment_code(choose: Callable[[str], str]) -> str:
    """A new code, drawing each character with ``choose`` (``secrets.choice`` in use)."""
    characters = "".join(choose(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))
    return "-".join(characters[i : i + 4] for i in range(0, ENROLMENT_CODE_LENGTH, 4))


def normalise_enrolment_code(code: str) -> str:
    return "".join(c for c in code.upper() if c not in " -\t")


def looks_like_totp(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def enrolment_code_refusal(
    *, exists: bool, used: bool, revoked: bool, expired: bool
) -> Promise | None:
    """Why an enrolment code can no longer open or finish an enrolment, or None."""
    if not exists:
        return _("This enrolment code is not valid.")
    if used:
        return _("This enrolment code was already used. Ask your administrator for a new one.")
    if revoked:
        return _("This enrolment code was replaced by a newer one.")
    if expired:
        return _("This enrolment code has expired. Ask your administrator for a new one.")
    return None
