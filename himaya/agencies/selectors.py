"""Scoped reads of agencies and memberships.

Almost every request asks which agencies the user works in, often several times (the
scope of a list, a capability, an action's re-check). ``memberships_held`` reads the
user's active memberships once per request and keeps them in the request's memo
(``core.context.request_memo``), keyed by user; outside a request it reads them every
time. Every action that changes a membership calls ``forget_memberships`` (through
``permissions.forget_roles``), so that a membership ended or granted while a request is
served is read afresh by whatever that request checks afterwards. A membership ended by
another request meanwhile is seen from the next request on.
"""

from django.db.models import QuerySet

from himaya.agencies.models import Membership
from himaya.core.context import request_memo
from himaya.core.typing import AnyUser

_MEMO_KEY = "agencies.memberships"


def active_memberships(user: AnyUser) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
        .select_related("agency", "agency__governorate")
        .order_by("agency__name_en", "role")
    )


def memberships_held(user: AnyUser) -> frozenset[tuple[int, str]]:
    """``(agency id, role)`` of each active membership of the user in an active agency."""
    if not user.is_authenticated or user.pk is None:
        return frozenset()
    memo = request_memo()
    held: dict[int, frozenset[tuple[int, str]]] | None = None
    if memo is not None:
        held = memo.setdefault(_MEMO_KEY, {})
        if user.pk in held:
            return held[user.pk]
    rows = Membership.objects.filter(
        user_id=user.pk, is_active=True, agency__is_active=True
    ).values_list("agency_id", "role")
    answer = frozenset(rows)
    if held is not None:
        held[user.pk] = answer
    return answer


def forget_memberships() -> None:
    """Drop the memberships this request has read (a membership has just changed)."""
    memo = request_memo()
    if memo is not None:
        memo.pop(_MEMO_KEY, None)


def agency_ids_for(user: AnyUser, *roles: str) -> set[int]:
    """Agencies in which the user holds any of ``roles`` (any role when none given)."""
    return {agency for agency, role in memberships_held(user) if not roles or role in roles}
