"""Scoped reads of grants, and what Himaya itself recorded of an NGO's work."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from himaya.agencies.models import Agency, AgencyKind
from himaya.agencies.selectors import agency_ids_for
from himaya.core.typing import AnyUser
from himaya.grants.models import Grant, GrantReport, Tranche
from himaya.grants.rules import tranche_periods
from himaya.referrals.models import Referral
from himaya.referrals.models import Status as ReferralStatus
from himaya.services.models import DeliveryStatus, ServiceDelivery

ZERO = Decimal("0.00")


def ngo_ids_for(user: AnyUser) -> set[int]:
    """NGOs in which the user holds any role."""
    ids = agency_ids_for(user)
    if not ids:
        return set()
    return set(Agency.objects.filter(pk__in=ids, kind=AgencyKind.NGO).values_list("pk", flat=True))


def may_manage(user: AnyUser) -> bool:
    """Grants officers make grants, release tranches and review reports."""
    return bool(user.has_perm("grants.manage_grants"))


def may_report_on(user: AnyUser, grant: Grant) -> bool:
    """Only the NGO's own staff report on its grant."""
    return grant.ngo_id in ngo_ids_for(user)


@dataclass(frozen=True)
class TrancheChoices:
    """What the user may do now with a tranche and its report (the actions check again)."""

    release: bool
    review: bool
    report: bool


def tranche_choices(user: AnyUser, grant: Grant) -> dict[int, TrancheChoices]:
    """By tranche number: a manager releases a pending tranche and reviews a submitted
    report; the NGO's staff report on a released tranche until the report is approved or
    while it waits for review."""
    manager, reporter = may_manage(user), may_report_on(user, grant)
    choices = {}
    for tranche in grant.tranches.all():
        report: GrantReport | None = getattr(tranche, "report", None)
        choices[tranche.sequence] = TrancheChoices(
            release=manager and tranche.is_pending,
            review=manager and report is not None and report.awaits_review,
            report=reporter
            and tranche.is_released
            and (report is None or report.may_be_submitted_again),
        )
    return choices


def may_see_grants(user: AnyUser) -> bool:
    return (
        user.has_perm("grants.manage_grants")
        or user.has_perm("grants.view_grants")
        or bool(ngo_ids_for(user))
    )


def grants_visible_to(user: AnyUser) -> QuerySet[Grant]:
    """Grants officers see every grant; NGO staff the grants of their own NGO only."""
    base = Grant.objects.select_related("ngo").prefetch_related(
        Prefetch("tranches", queryset=Tranche.objects.select_related("report")),
        "service_types",
    )
    if user.has_perm("grants.manage_grants"):
        return base
    ngos = ngo_ids_for(user)
    if not ngos:
        return Grant.objects.none()
    return base.filter(ngo_id__in=ngos)


def get_grant_or_404(user: AnyUser, code: str) -> Grant:
    grant = grants_visible_to(user).filter(code=code).first()
    if grant is None:
        raise Http404
    return grant


def get_tranche_or_404(user: AnyUser, code: str, sequence: int) -> Tranche:
    grant = get_grant_or_404(user, code)
    tranche = next((t for t in grant.tranches.all() if t.sequence == sequence), None)
    if tranche is None:
        raise Http404
    return tranche


def get_report_or_404(user: AnyUser, code: str) -> GrantReport:
    report = (
        GrantReport.objects.select_related("tranche", "tranche__grant", "tranche__grant__ngo")
        .filter(code=code, tranche__grant__in=grants_visible_to(user))
        .first()
    )
    if report is None:
        raise Http404
    return report


def period_of(tranche: Tranche) -> tuple[date, date]:
    tranches = list(tranche.grant.tranches.all())
    periods = tranche_periods([t.due_on for t in tranches], tranche.grant.ends_on)
    return periods[[t.sequence for t in tranches].index(tranche.sequence)]


def recorded_activity(ngo: Agency, start: date, end: date) -> dict[str, int]:
    """What Himaya itself recorded of the NGO's work in a period, beside what it declares:
    services it delivered (delivered on a day of the period), referrals addressed to it that
    it accepted (answered in the period, accepted or since completed) and that it completed
    (completed in the period)."""
    referrals = Referral.objects.filter(to_agency=ngo)
    return {
        "services_delivered": ServiceDelivery.objects.filter(
            provider=ngo, status=DeliveryStatus.DELIVERED, delivered_on__range=(start, end)
        ).count(),
        "referrals_accepted": referrals.filter(
            status__in=[ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED],
            answered_at__date__range=(start, end),
        ).count(),
        "referrals_completed": referrals.filter(
            status=ReferralStatus.COMPLETED, completed_at__date__range=(start, end)
        ).count(),
    }


def statement(user: AnyUser, *, start: date, end: date) -> list[dict[str, Any]]:
    """Per grant: tranches due and released in the period, reports, totals."""
    rows = []
    for grant in grants_visible_to(user).order_by("ngo__name_en", "starts_on"):
        tranches = list(grant.tranches.all())
        due = [t for t in tranches if start <= t.due_on <= end]
        released = [t for t in tranches if t.released_on and start <= t.released_on <= end]
        reports = [
            t.report
            for t in tranches
            if hasattr(t, "report") and start <= t.report.submitted_on <= end
        ]
        rows.append(
            {
                "grant": grant,
                "due": due,
                "released": released,
                "reports": reports,
                "due_total": sum((t.amount for t in due), ZERO),
                "released_total": sum((t.amount for t in released), ZERO),
                "released_to_date": sum(
                    (t.amount for t in tranches if t.released_on and t.released_on <= end), ZERO
                ),
            }
        )
    return rows
