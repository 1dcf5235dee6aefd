"""Writes of memberships: the only way a person gains, changes or loses a role.

An administrator proposes a membership for someone else. A role that reaches survivors'
data (or the administrator role, which approves) waits, inactive, until a second
administrator approves it; the approver is neither the proposer nor the member. Nobody
creates, changes or deactivates their own memberships. Every change, and every refused
attempt, is an event of the audit trail.

Each action checks its rules inside one transaction; a refusal raises
``MembershipRefused`` with the reason in the user's language, rolls the transaction back,
and is then written to the audit trail on its own, so that the attempt is kept although
nothing changed.

``bootstrap_membership`` is the one exception: it grants a role at once, for the demo
and the command line that set up a new installation. No page and no API calls it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.agencies import rules
from himaya.agencies.models import Agency, Membership, MembershipStatus, Role
from himaya.agencies.permissions import forget_roles
from himaya.audit.actions import record_event
from himaya.core.errors import Forbidden, Message
from himaya.core.locking import save_with_version

if TYPE_CHECKING:
    from himaya.accounts.models import User


class MembershipRefused(Forbidden):
    """A rule of memberships refused the change; nothing was written but the audit event.

    ``reason`` is a short code, kept in the audit row of the refused attempt.
    """

    def __init__(self, message: Message, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _details(membership: Membership | None = None, **extra: Any) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if membership is not None:
        details = {
            "member": membership.user.get_username(),
            "agency": membership.agency.code,
            "role": membership.role,
            "status": membership.status,
        }
    details.update({key: value for key, value in extra.items() if value not in (None, "")})
    return details


@contextmanager
def _refusals_audited(
    attempt: str,
    *,
    by: "User",
    membership: Membership | None = None,
    **target: str,
) -> Iterator[None]:
    """Run the body in a transaction; a refusal is audited after that transaction rolled back."""
    try:
        with transaction.atomic():
            yield
    except MembershipRefused as refusal:
        record_event(
            action="agencies.membership_refused",
            actor=by,
            obj=membership,
            object_type="agencies.membership",
            details={
                "attempt": attempt,
                "reason": refusal.reason,
                **_details(membership, **target),
            },
        )
        raise


def _require_administrator(by: "User | None") -> None:
    if by is None or not by.has_perm("accounts.manage_users"):
        raise MembershipRefused(
            _("Only a system administrator can manage memberships."), reason="not_administrator"
        )


def _require_not_self(by: "User", member_id: int) -> None:
    refusal = rules.refusal_to_manage(by_id=by.pk, member_id=member_id)
    if refusal is not None:
        raise MembershipRefused(refusal, reason="own_membership")


def _require_role(role: str) -> None:
    if role not in Role.values:
        raise MembershipRefused(_("Unknown role."), reason="unknown_role")


def _require_from(change: str, membership: Membership) -> None:
    if membership.status not in rules.ALLOWED_FROM[change]:
        messages = {
            "reject": _("Only a membership waiting for approval can be rejected."),
            "deactivate": _("Only an active membership can be deactivated."),
            "reactivate": _("Only a deactivated or rejected membership can be reactivated."),
            "change_role": _("Reactivate this membership before giving it another role."),
        }
        raise MembershipRefused(messages[change], reason=f"not_{change}able")


def _locked(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update(no_key=True)
        .select_related("user", "agency")
        .get(pk=membership.pk)
    )


def _save(membership: Membership, fields: list[str]) -> None:
    save_with_version(membership, expected_version=membership.version, fields=fields)
    forget_roles(membership.user)


def _grant(membership: Membership, *, by: "User", role: str) -> None:
    """Set the membership to ``role``: active at once, or waiting for a second administrator."""
    membership.role = role
    membership.status = rules.status_after_grant(role)
    membership.is_active = membership.status == MembershipStatus.ACTIVE
    membership.proposed_by = by
    membership.proposed_at = timezone.now()
    membership.approved_by = None
    membership.approved_at = None


_GRANT_FIELDS = [
    "role",
    "status",
    "is_active",
    "proposed_by",
    "proposed_at",
    "approved_by",
    "approved_at",
]


def _check_proposal(*, by: "User", user: "User", agency: Agency, role: str) -> None:
    _require_administrator(by)
    _require_not_self(by, user.pk)
    _require_role(role)
    if not user.is_active:
        raise MembershipRefused(_("This user account is inactive."), reason="inactive_user")
    if not agency.is_active:
        raise MembershipRefused(_("This agency is inactive."), reason="inactive_agency")
    if Membership.objects.filter(user=user, agency=agency, role=role).exists():
        raise MembershipRefused(
            _(
                "This user already has this role in this agency. Reactivate the existing "
                "membership instead."
            ),
            reason="duplicate",
        )


def check_proposal(
    *,
    by: "User",
    user: "User",
    agency: Agency,
    role: str,
) -> None:
    """Raise ``MembershipRefused`` (and audit it) when ``propose_membership`` would refuse."""
    with _refusals_audited(
        "propose", by=by, member=user.get_username(), agency=agency.code, role=role
    ):
        _check_proposal(by=by, user=user, agency=agency, role=role)


def propose_membership(
    *,
    by: "User",
    user: "User",
    agency: Agency,
    role: str,
) -> Membership:
    """Give ``user`` a role in ``agency``: pending a second administrator when the role needs it."""
    with _refusals_audited(
        "propose", by=by, member=user.get_username(), agency=agency.code, role=role
    ):
        _check_proposal(by=by, user=user, agency=agency, role=role)
        membership = Membership(user=user, agency=agency)
        _grant(membership, by=by, role=role)
        membership.save()
        forget_roles(user)
        pending = membership.status == MembershipStatus.PENDING
        record_event(
            action="agencies.membership_proposed" if pending else "agencies.membership_granted",
            actor=by,
            obj=membership,
            details=_details(membership),
        )
    return membership


def approve_membership(
    *,
    membership: Membership,
    by: "User",
) -> Membership:
    """A second administrator, neither the proposer nor the member, activates the membership."""
    with _refusals_audited("approve", by=by, membership=membership):
        _require_administrator(by)
        membership = _locked(membership)
        refusal = rules.refusal_to_approve(
            by_id=by.pk,
            member_id=membership.user_id,
            proposer_id=membership.proposed_by_id,
            status=membership.status,
        )
        if refusal is not None:
            raise MembershipRefused(refusal, reason="four_eyes")
        if not membership.agency.is_active or not membership.user.is_active:
            raise MembershipRefused(
                _("The user or the agency of this membership is inactive."), reason="inactive"
            )
        membership.status = MembershipStatus.ACTIVE
        membership.is_active = True
        membership.approved_by = by
        membership.approved_at = timezone.now()
        _save(membership, ["status", "is_active", "approved_by", "approved_at"])
        record_event(
            action="agencies.membership_approved",
            actor=by,
            obj=membership,
            details=_details(
                membership,
                proposed_by=membership.proposed_by.get_username() if membership.proposed_by else "",
            ),
        )
    return membership


def _end_membership(
    membership: Membership, *, by: "User", operation: str, status: str, action: str
) -> Membership:
    """Move someone else's membership to a state that gives no role, audited."""
    with _refusals_audited(operation, by=by, membership=membership):
        _require_administrator(by)
        membership = _locked(membership)
        _require_not_self(by, membership.user_id)
        _require_from(operation, membership)
        membership.status = status
        membership.is_active = False
        _save(membership, ["status", "is_active"])
        record_event(action=action, actor=by, obj=membership, details=_details(membership))
    return membership


def reject_membership(*, membership: Membership, by: "User") -> Membership:
    """Refuse a proposed membership (the proposer may withdraw it; the member may not)."""
    return _end_membership(
        membership,
        by=by,
        operation="reject",
        status=MembershipStatus.REJECTED,
        action="agencies.membership_rejected",
    )


def deactivate_membership(*, membership: Membership, by: "User") -> Membership:
    """Withdraw an active role from someone else (it takes effect on their next request)."""
    return _end_membership(
        membership,
        by=by,
        operation="deactivate",
        status=MembershipStatus.INACTIVE,
        action="agencies.membership_deactivated",
    )


def reactivate_membership(
    *,
    membership: Membership,
    by: "User",
) -> Membership:
    """Give a deactivated or rejected role back: again pending when the role needs four eyes."""
    with _refusals_audited("reactivate", by=by, membership=membership):
        _require_administrator(by)
        membership = _locked(membership)
        _require_not_self(by, membership.user_id)
        _require_from("reactivate", membership)
        if not membership.agency.is_active or not membership.user.is_active:
            raise MembershipRefused(
                _("The user or the agency of this membership is inactive."), reason="inactive"
            )
        _grant(membership, by=by, role=membership.role)
        _save(membership, _GRANT_FIELDS)
        record_event(
            action="agencies.membership_reactivated",
            actor=by,
            obj=membership,
            details=_details(membership),
        )
    return membership


def change_membership_role(
    *,
    membership: Membership,
    by: "User",
    role: str,
) -> Membership:
    """Give the membership another role: pending again when the new role needs four eyes."""
    with _refusals_audited("change_role", by=by, membership=membership, new_role=role):
        _require_administrator(by)
        membership = _locked(membership)
        _require_not_self(by, membership.user_id)
        _require_role(role)
        _require_from("change_role", membership)
        if role == membership.role:
            raise MembershipRefused(_("The membership already has this role."), reason="same_role")
        if (
            Membership.objects.filter(user_id=membership.user_id, agency_id=membership.agency_id)
            .filter(role=role)
            .exists()
        ):
            raise MembershipRefused(
                _("This user already has this role in this agency."), reason="duplicate"
            )
        previous = membership.role
        _grant(membership, by=by, role=role)
        _save(membership, _GRANT_FIELDS)
        record_event(
            action="agencies.membership_role_changed",
            actor=by,
            obj=membership,
            details=_details(membership, previous_role=previous),
        )
    return membership


@transaction.atomic
def bootstrap_membership(*, user: "User", agency: Agency, role: str) -> Membership:
    """Grant a role at once, without a second administrator: the demo's and the command
    line's way to set up an installation. No page and no API calls it. Idempotent."""
    membership, created = Membership.objects.get_or_create(
        user=user,
        agency=agency,
        role=role,
        defaults={"status": MembershipStatus.ACTIVE, "is_active": True},
    )
    if created:
        record_event(
            action="agencies.membership_bootstrapped",
            obj=membership,
            details=_details(membership),
        )
    forget_roles(user)
    return membership
