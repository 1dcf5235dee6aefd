"""Scoped reads of grants, and what Himaya itself recorded of an NGO's work."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Prefetch, Q, QuerySet
from django.http import Http404

from himaya.agencies.models import Agency, AgencyKind
from himaya.agencies.selectors import agency_ids_for
from himaya.core.typing import AnyUser
from himaya.grants.models import Grant, GrantReport, Tranche
from himaya.grants.rules import tranche_periods

ZERO = Decimal("0.00")


def ngo_ids_for(user: AnyUser) -> set[int]:
    """NGOs in which the user holds any role."""
    ids = agency_ids_for(user)
    if not ids:
        return set()
    return set(Agency.objects.filter(pk__in=ids, kind=AgencyKind.NGO).values_list("pk", flat=True))


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


def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[Model], *names: str) -> str | None:
    for name in names:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return name
    return None


def _count_in_period(
    model: type[Model],
    agency_field: str,
    date_field: str,
    ngo: Agency,
    start: date,
    end: date,
    extra: Q | None = None,
) -> int:
    field = model._meta.get_field(date_field)
    is_datetime = getattr(field, "get_internal_type", lambda: "")() == "DateTimeField"
    lookup = "__date" if is_datetime else ""
    return model._default_manager.filter(
        Q(**{agency_field: ngo, f"{date_field}{lookup}__range": (start, end)}) & (extra or Q())
    ).count()


def _status_filter(model: type[Model], *values: str) -> Q | None:
    return Q(status__in=values) if _field(model, "status") else None


def recorded_activity(ngo: Agency, start: date, end: date) -> dict[str, Any]:
    """What Himaya itself recorded of the NGO's work in a period, beside what it declares.

    Read defensively, without importing the other apps: services delivered by the NGO
    (``services.ServiceDelivery`` with status delivered, ``provider`` the NGO,
    ``delivered_on`` in the period) and referrals addressed to it (``referrals.Referral``,
    ``to_agency`` the NGO) that it accepted (``answered_at`` in the period, status accepted
    or completed) and completed (``completed_at`` in the period). A figure is ``None`` when
    the model, or a field it needs, is not there (shown as "not recorded in Himaya").
    """
    found: dict[str, Any] = {
        "services_delivered": None,
        "referrals_accepted": None,
        "referrals_completed": None,
    }
    delivery = _model("services.ServiceDelivery")
    if delivery is not None:
        agency_field = _field(delivery, "provider", "provider_agency", "agency")
        date_field = _field(delivery, "delivered_on", "delivered_at")
        if agency_field and date_field:
            found["services_delivered"] = _count_in_period(
                delivery,
                agency_field,
                date_field,
                ngo,
                start,
                end,
                _status_filter(delivery, "delivered"),
            )
    referral = _model("referrals.Referral")
    if referral is not None:
        to_field = _field(referral, "to_agency", "receiving_agency")
        accepted = _field(referral, "answered_at", "accepted_at", "accepted_on")
        completed = _field(referral, "completed_at", "completed_on")
        if to_field and accepted:
            found["referrals_accepted"] = _count_in_period(
                referral,
                to_field,
                accepted,
                ngo,
                start,
                end,
                _status_filter(referral, "accepted", "completed"),
            )
        if to_field and completed:
            found["referrals_completed"] = _count_in_period(
                referral,
                to_field,
                completed,
                ngo,
                start,
                end,
                _status_filter(referral, "completed"),
            )
    return found


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
