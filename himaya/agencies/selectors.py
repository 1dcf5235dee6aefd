"""Scoped reads of agencies and memberships."""

from django.db.models import QuerySet

from himaya.agencies.models import Membership
from himaya.core.typing import AnyUser


def active_memberships(user: AnyUser) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
        .select_related("agency", "agency__governorate")
        .order_by("agency__name_en", "role")
    )


def agency_ids_for(user: AnyUser, *roles: str) -> set[int]:
    """Agencies in which the user holds any of ``roles`` (any role when none given)."""
    memberships = active_memberships(user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return set(memberships.values_list("agency_id", flat=True))
