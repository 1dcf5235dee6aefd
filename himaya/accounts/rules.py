"""Pure rules of signing in."""

from collections.abc import Iterable

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
