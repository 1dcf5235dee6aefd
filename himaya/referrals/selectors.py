"""Scoped reads of referrals. Every read starts from ``referrals_visible_to``.

Two kinds of people see a referral: the case workers and supervisors of the referring
agency (their cases' referrals), and the staff of the receiving agency who hold
``referrals.receive`` (the referrals addressed to their agency). Nobody else.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from himaya.agencies.models import Role
from himaya.agencies.permissions import CAPABILITIES
from himaya.agencies.selectors import agency_ids_for
from himaya.core.typing import AnyUser
from himaya.referrals import rules
from himaya.referrals.models import Referral, ReferralQuerySet
from himaya.survivors.selectors import consent_on_file

SENDER_ROLES = (Role.CASE_WORKER, Role.SUPERVISOR)


def sending_agency_ids(user: AnyUser) -> set[int]:
    """Agencies whose referrals the user follows as a case worker or supervisor."""
    if not user.has_perm("cases.work_cases"):
        return set()
    return agency_ids_for(user, *SENDER_ROLES)


def receiving_agency_ids(user: AnyUser) -> set[int]:
    """Agencies whose incoming referrals the user answers."""
    if not user.has_perm("referrals.receive"):
        return set()
    return agency_ids_for(user, *CAPABILITIES["referrals.receive"].roles)


def supervising_agency_ids(user: AnyUser) -> set[int]:
    if not user.has_perm("cases.supervise"):
        return set()
    return agency_ids_for(user, Role.SUPERVISOR)


def _with_relations(referrals: QuerySet[Referral]) -> ReferralQuerySet:
    return referrals.select_related(  # type: ignore[return-value]
        "case", "from_agency", "to_agency", "service_type"
    )


def referrals_visible_to(user: AnyUser) -> ReferralQuerySet:
    senders = sending_agency_ids(user)
    receivers = receiving_agency_ids(user)
    if not senders and not receivers:
        return Referral.objects.none()
    return _with_relations(
        Referral.objects.filter(
            Q(from_agency_id__in=senders)
            | Q(case__lead_agency_id__in=senders)
            | Q(to_agency_id__in=receivers)
        )
    )


def incoming_referrals(user: AnyUser) -> ReferralQuerySet:
    receivers = receiving_agency_ids(user)
    if not receivers:
        return Referral.objects.none()
    return _with_relations(Referral.objects.filter(to_agency_id__in=receivers))


def outgoing_referrals(user: AnyUser) -> ReferralQuerySet:
    senders = sending_agency_ids(user)
    if not senders:
        return Referral.objects.none()
    return _with_relations(
        Referral.objects.filter(Q(from_agency_id__in=senders) | Q(case__lead_agency_id__in=senders))
    )


def overdue_referrals(user: AnyUser) -> ReferralQuerySet:
    """Referrals sent by the user's agencies that nobody answered in time."""
    return outgoing_referrals(user).overdue(timezone.now())


def referrals_of_case(user: AnyUser, case_id: int) -> ReferralQuerySet:
    return referrals_visible_to(user).filter(case_id=case_id)


def get_referral_or_404(user: AnyUser, code: str) -> Referral:
    """The referral with this code if the user may see it; 404 for missing and forbidden."""
    referral = (
        referrals_visible_to(user).select_related("case__survivor", "sent_by").filter(code=code)
    ).first()
    if referral is None:
        raise Http404
    return referral


def is_recipient(user: AnyUser, referral: Referral) -> bool:
    return referral.to_agency_id in receiving_agency_ids(user)


def is_sender(user: AnyUser, referral: Referral) -> bool:
    senders = sending_agency_ids(user)
    return referral.from_agency_id in senders or referral.case.lead_agency_id in senders


def consent_stands(referral: Referral) -> bool:
    """Whether the survivor's consent for this referral's recipient is on file today."""
    return consent_on_file(
        referral.case.survivor, purpose=referral.consent_purpose, recipient=referral.to_agency
    )


def sharing_allowed(referral: Referral) -> bool:
    """Whether the shared fields may be shown to the partner right now."""
    if not referral.is_open:
        return False
    overridden = referral.consent_basis == "override"
    return rules.shows_shared_fields(
        is_open=True,
        consent_stands=overridden or consent_stands(referral),
        overridden=overridden,
    )
