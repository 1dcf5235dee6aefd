"""Scoped reads of referrals. Every read starts from ``referrals_visible_to``.

Two kinds of people see a referral: the case workers and supervisors of the referring
agency (their cases' referrals), and the staff of the receiving agency who hold
``referrals.receive`` (the referrals addressed to their agency). Nobody else.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from himaya.agencies.models import Agency, Role
from himaya.agencies.permissions import CAPABILITIES
from himaya.agencies.selectors import agency_ids_for
from himaya.cases.models import Case
from himaya.core.typing import AnyUser
from himaya.referrals import rules
from himaya.referrals.models import Referral, ReferralQuerySet
from himaya.survivors.models import ConsentPurpose, Survivor
from himaya.survivors.rules import is_under_international_protection
from himaya.survivors.selectors import consent_on_file, standing_consents

EMBASSY_PURPOSE = ConsentPurpose.EMBASSY.value

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


def may_override_consent(user: AnyUser, case: Case) -> bool:
    """Only a supervisor of the referring (lead) agency overrides a missing consent."""
    return case.lead_agency_id in supervising_agency_ids(user)


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


def recipient_consent_stands(survivor: Survivor, agency: Agency) -> bool:
    """Whether the survivor's consent to share with this agency stands today."""
    return consent_on_file(
        survivor, purpose=rules.consent_purpose_for(agency.kind), recipient=agency
    )


def embassy_consent_stands(survivor: Survivor, embassy: Agency) -> bool:
    """Whether the survivor's own consent for purpose "embassy", naming this very embassy,
    stands today. A consent without a named recipient does not count for an embassy."""
    return standing_consents(survivor, purpose=EMBASSY_PURPOSE, recipient=embassy).exists()


def embassy_refusal(survivor: Survivor, agency: Agency) -> str | None:
    """Why this agency, as an embassy, may not receive this survivor's referral or read
    its shared fields now (``rules.embassy_refusal``); ``None`` when it may, or when the
    agency is not an embassy."""
    if not rules.is_embassy(agency.kind):
        return None
    return rules.embassy_refusal(
        embassy_country=agency.country,
        survivor_nationality=survivor.nationality,
        consent_for_this_embassy=embassy_consent_stands(survivor, agency),
        survivor_protected=is_under_international_protection(
            migration_status=survivor.migration_status,
            unhcr_registered=survivor.unhcr_registered,
        ),
    )


def sharing_allowed(referral: Referral) -> bool:
    """Whether the shared fields may be shown to the partner right now. Checked at every
    read: for an embassy the embassy rule must hold today (a withdrawn consent, a changed
    nationality or country, or an override all show nothing)."""
    if not referral.is_open:
        return False
    survivor = referral.case.survivor
    to_embassy = rules.is_embassy(referral.to_agency.kind)
    overridden = referral.consent_basis == "override"
    return rules.shows_shared_fields(
        is_open=True,
        to_embassy=to_embassy,
        consent_stands=not to_embassy
        and not overridden
        and recipient_consent_stands(survivor, referral.to_agency),
        overridden=overridden,
        embassy_refusal=embassy_refusal(survivor, referral.to_agency) if to_embassy else None,
    )
