"""Pure rules of memberships: who may change whose roles, and which roles need four eyes."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import MembershipStatus, Role

# Roles whose capabilities reach survivors, their cases or what is shared about them:
# identity, registration and consent, case work and supervision, referrals received,
# shelter stays, assistance payments for cases, empowerment enrolments and projects,
# services delivered for cases, and the command centre that takes emergencies and
# places people in shelters. A test holds this set to the capability declarations.
SURVIVOR_DATA_ROLES = frozenset(
    {
        Role.CASE_WORKER.value,
        Role.SUPERVISOR.value,
        Role.SHELTER_STAFF.value,
        Role.FUND_OFFICER.value,
        Role.FUND_APPROVER.value,
        Role.EMPOWERMENT_OFFICER.value,
        Role.PARTNER_STAFF.value,
        Role.OPERATOR.value,
    }
)

# The administrator role reaches no survivor data, but it carries the power to approve
# memberships: if one administrator could make another account an administrator alone,
# they could approve their own proposals through it. So it needs four eyes as well.
APPROVAL_ROLES = SURVIVOR_DATA_ROLES | {Role.ADMINISTRATOR.value}


def needs_second_approval(role: str) -> bool:
    """A membership with this role becomes active only when a second administrator approves."""
    return role in APPROVAL_ROLES


def refusal_to_manage(*, by_id: int, member_id: int) -> Promise | None:
    """Nobody creates, changes, approves, rejects or deactivates their own memberships."""
    if by_id == member_id:
        return _("You cannot create or change your own memberships; another administrator must.")
    return None


def refusal_to_approve(
    *, by_id: int, member_id: int, proposer_id: int | None, status: str
) -> Promise | None:
    """The reason an approval is refused, or None when it may go ahead."""
    if status != MembershipStatus.PENDING:
        return _("This membership is not waiting for approval.")
    if by_id == member_id:
        return _("You cannot approve your own membership.")
    if proposer_id is None or by_id == proposer_id:
        return _(
            "A membership must be approved by another administrator than the one who proposed it."
        )
    return None


# The statuses from which each change may start.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "reject": frozenset({MembershipStatus.PENDING.value}),
    "deactivate": frozenset({MembershipStatus.ACTIVE.value}),
    "reactivate": frozenset({MembershipStatus.INACTIVE.value, MembershipStatus.REJECTED.value}),
    "change_role": frozenset({MembershipStatus.ACTIVE.value, MembershipStatus.PENDING.value}),
}


def status_after_grant(role: str) -> str:
    """The status of a membership that is proposed, reactivated or given ``role``."""
    return MembershipStatus.PENDING if needs_second_approval(role) else MembershipStatus.ACTIVE
