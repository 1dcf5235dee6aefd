"""Scoped reads of the justice record. Every read starts from ``cases_with_justice_for``.

Two kinds of people read a case's justice record: the lead agency's case team (case
workers and supervisors, who also edit it), and the staff of a partner agency (police,
prosecution, an NGO…) holding an accepted referral of the case that shares "justice",
while the survivor's consent for that referral stands. An embassy never does. Anyone else
gets 404, exactly as for a case that does not exist.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from himaya.cases.models import Case
from himaya.cases.selectors import cases_visible_to, works_on
from himaya.core.typing import AnyUser
from himaya.justice import rules
from himaya.justice.models import ChargeAgainstSurvivor, CriminalProceeding, Hearing
from himaya.referrals.models import Referral, Status
from himaya.referrals.selectors import receiving_agency_ids, sharing_allowed

EDIT = "cases.work_cases"
RECEIVE = "referrals.receive"


def shared_case_ids(user: AnyUser) -> set[int]:
    """Cases whose justice record reaches the user through an accepted referral to one of
    their agencies that shares "justice", the survivor's consent standing today."""
    receivers = receiving_agency_ids(user)
    if not receivers:
        return set()
    referrals = (
        Referral.objects.filter(to_agency_id__in=receivers, status=Status.ACCEPTED)
        .exclude(to_agency__kind=rules.EMBASSY_KIND)
        .select_related("case__survivor", "to_agency")
        .order_by("pk")
    )
    found: set[int] = set()
    for referral in referrals:
        if referral.case_id in found or rules.JUSTICE not in (referral.shared_fields or []):
            continue
        if rules.partner_sees_justice(
            agency_kind=referral.to_agency.kind,
            referral_status=referral.status,
            shared_fields=referral.shared_fields,
            sharing_allowed=sharing_allowed(referral),
        ):
            found.add(referral.case_id)
    return found


def cases_with_justice_for(user: AnyUser) -> QuerySet[Case]:
    """Cases whose justice record the user may read: the team's own cases and the cases
    shared with the user's agency for justice."""
    own = cases_visible_to(user)
    shared = shared_case_ids(user)
    if not shared:
        return own
    return Case.objects.filter(pk__in=own.values("pk")) | Case.objects.filter(pk__in=shared)


def get_justice_case_or_404(user: AnyUser, code: str) -> Case:
    """The case with this code if the user may read its justice record; 404 otherwise."""
    case = (
        cases_with_justice_for(user)
        .select_related("survivor", "lead_agency")
        .filter(code=code)
        .first()
    )
    if case is None:
        raise Http404
    return case


def may_edit(user: AnyUser, case: Case) -> bool:
    """Only the lead agency's case team records and edits the justice record."""
    return works_on(user, case)


def proceedings_visible_to(user: AnyUser) -> QuerySet[CriminalProceeding]:
    if not (user.has_perm(EDIT) or user.has_perm(RECEIVE)):
        return CriminalProceeding.objects.none()
    return CriminalProceeding.objects.filter(case__in=cases_with_justice_for(user)).select_related(
        "case", "case__lead_agency"
    )


def charges_visible_to(user: AnyUser) -> QuerySet[ChargeAgainstSurvivor]:
    if not (user.has_perm(EDIT) or user.has_perm(RECEIVE)):
        return ChargeAgainstSurvivor.objects.none()
    return ChargeAgainstSurvivor.objects.filter(
        case__in=cases_with_justice_for(user)
    ).select_related("case", "case__lead_agency")


def hearings_visible_to(user: AnyUser) -> QuerySet[Hearing]:
    return Hearing.objects.filter(proceeding__in=proceedings_visible_to(user)).select_related(
        "proceeding", "proceeding__case"
    )


def get_proceeding_or_404(user: AnyUser, code: str) -> CriminalProceeding:
    proceeding = proceedings_visible_to(user).prefetch_related("hearings").filter(code=code).first()
    if proceeding is None:
        raise Http404
    return proceeding


def get_charge_or_404(user: AnyUser, code: str) -> ChargeAgainstSurvivor:
    charge = charges_visible_to(user).filter(code=code).first()
    if charge is None:
        raise Http404
    return charge


def get_hearing_or_404(user: AnyUser, code: str) -> Hearing:
    hearing = hearings_visible_to(user).filter(code=code).first()
    if hearing is None:
        raise Http404
    return hearing


def justice_of_case(
    user: AnyUser, case: Case
) -> tuple[list[CriminalProceeding], list[ChargeAgainstSurvivor]]:
    """The proceedings (with their hearings) and the charges of one visible case."""
    proceedings = list(proceedings_visible_to(user).filter(case=case).prefetch_related("hearings"))
    charges = list(charges_visible_to(user).filter(case=case))
    return proceedings, charges


@dataclass(frozen=True)
class CompensationTotals:
    """Court compensation in a period, national, without any case: claimed (by the date
    of the claim) and received (by the date it was received)."""

    claimed: Decimal
    claims: int
    received: Decimal
    receipts: int


def compensation_totals(*, start: date, end: date) -> CompensationTotals:
    """Totals of compensation claimed and received between ``start`` and ``end`` (both
    days included). Aggregates only: no case, no survivor; two bounded queries."""
    claimed = CriminalProceeding.objects.filter(
        claimed_on__gte=start, claimed_on__lte=end, compensation_claimed__isnull=False
    ).aggregate(total=Sum("compensation_claimed"), count=Count("pk"))
    received = CriminalProceeding.objects.filter(
        received_on__gte=start, received_on__lte=end, compensation_received__isnull=False
    ).aggregate(total=Sum("compensation_received"), count=Count("pk"))
    return CompensationTotals(
        claimed=(claimed["total"] or Decimal("0")).quantize(rules.CENT),
        claims=claimed["count"],
        received=(received["total"] or Decimal("0")).quantize(rules.CENT),
        receipts=received["count"],
    )
