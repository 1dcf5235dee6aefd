"""Writes of grants: create a grant with its tranches, release tranches, report, review."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency, AgencyKind
from himaya.audit.actions import record_event
from himaya.core import bounds
from himaya.core.locking import ConcurrentEditError, save_with_version
from himaya.grants.models import (
    REPORT_TRANSITIONS,
    TRANCHE_TRANSITIONS,
    Grant,
    GrantReport,
    ReportStatus,
    Tranche,
    TrancheStatus,
)
from himaya.grants.rules import (
    grant_bound_errors,
    may_release,
    report_bound_errors,
    schedule_errors,
)
from himaya.grants.selectors import ngo_ids_for, period_of


class GrantError(Exception):
    """A grant rule refused the action; ``message`` is shown to the user."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


def _require_manager(user: Any) -> None:
    if not user.has_perm("grants.manage_grants"):
        raise GrantError(_("You are not allowed to do this."))


@transaction.atomic
def create_grant(
    *,
    ngo: Agency,
    title: str,
    amount: Decimal,
    starts_on: date,
    ends_on: date,
    phases: list[str],
    services: str,
    tranches: list[tuple[date, Decimal]],
    by: Any,
    service_types: list[Any] | None = None,
    request: HttpRequest | None = None,
) -> Grant:
    _require_manager(by)
    if ngo.kind != AgencyKind.NGO:
        raise GrantError(_("Grants are made to non-governmental organisations only."))
    errors = grant_bound_errors(
        title=title,
        services=services,
        starts_on=starts_on,
        ends_on=ends_on,
        tranches=tranches,
        today=timezone.localdate(),
    ) or schedule_errors(
        amount=amount, starts_on=starts_on, ends_on=ends_on, tranches=tranches, phases=phases
    )
    if errors:
        raise GrantError(errors[0])
    grant = Grant.objects.create(
        ngo=ngo,
        title=title.strip(),
        amount=amount,
        starts_on=starts_on,
        ends_on=ends_on,
        phases=list(phases),
        services=services.strip(),
        created_by=by,
    )
    if service_types:
        grant.service_types.set(service_types)
    for sequence, (due_on, value) in enumerate(tranches, start=1):
        Tranche.objects.create(grant=grant, sequence=sequence, due_on=due_on, amount=value)
    record_event(
        action="grants.grant_created",
        actor=by,
        obj=grant,
        request=request,
        details={"ngo": ngo.code, "amount": str(amount), "tranches": len(tranches)},
    )
    return grant


@transaction.atomic
def release_tranche(
    *,
    tranche: Tranche,
    by: Any,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Tranche:
    """Release a tranche: refused until the report on the previous period is approved."""
    _require_manager(by)
    locked = Tranche.objects.select_for_update().select_related("grant").get(pk=tranche.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    if TrancheStatus.RELEASED not in TRANCHE_TRANSITIONS[locked.status]:
        raise GrantError(_("This tranche has already been released."))
    previous = (
        Tranche.objects.filter(grant=locked.grant, sequence=locked.sequence - 1)
        .select_related("report")
        .first()
    )
    report = getattr(previous, "report", None) if previous else None
    if not may_release(
        sequence=locked.sequence,
        previous_released=bool(previous and previous.status == TrancheStatus.RELEASED),
        previous_report=report.status if report else None,
    ):
        raise GrantError(
            _("The NGO's report on the previous period must be approved before this release.")
        )
    locked.status = TrancheStatus.RELEASED
    locked.released_by = by
    locked.released_on = timezone.localdate()
    save_with_version(
        locked, expected_version=locked.version, fields=["status", "released_by", "released_on"]
    )
    record_event(
        action="grants.tranche_released",
        actor=by,
        obj=locked.grant,
        request=request,
        details={"tranche": locked.sequence, "amount": str(locked.amount)},
    )
    return locked


@transaction.atomic
def submit_report(
    *,
    tranche: Tranche,
    narrative: str,
    people_served: int,
    services_delivered: int,
    by: Any,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> GrantReport:
    """The NGO reports on the period funded by a released tranche (again, if returned)."""
    locked = Tranche.objects.select_for_update().select_related("grant").get(pk=tranche.pk)
    if locked.grant.ngo_id not in ngo_ids_for(by):
        raise GrantError(_("Only the NGO's own staff report on its grant."))
    if locked.status != TrancheStatus.RELEASED:
        raise GrantError(_("A report covers the period of a tranche already released."))
    if not narrative.strip():
        raise GrantError(_("Describe the work done in the period."))
    if people_served < 0 or services_delivered < 0:
        raise GrantError(_("Counts cannot be negative."))
    errors = report_bound_errors(
        narrative=narrative, people_served=people_served, services_delivered=services_delivered
    )
    if errors:
        raise GrantError(errors[0])
    report = GrantReport.objects.filter(tranche=locked).first()
    today = timezone.localdate()
    if report is None:
        start, end = period_of(locked)
        report = GrantReport.objects.create(
            tranche=locked,
            period_start=start,
            period_end=end,
            narrative=narrative.strip(),
            people_served=people_served,
            services_delivered=services_delivered,
            submitted_by=by,
            submitted_on=today,
        )
    else:
        if ReportStatus.SUBMITTED not in REPORT_TRANSITIONS[report.status]:
            raise GrantError(
                _("This report was already submitted and awaits review, or is approved.")
            )
        report.status = ReportStatus.SUBMITTED
        report.narrative = narrative.strip()
        report.people_served = people_served
        report.services_delivered = services_delivered
        report.submitted_by = by
        report.submitted_on = today
        save_with_version(
            report,
            expected_version=report.version if expected_version is None else expected_version,
            fields=[
                "status",
                "narrative",
                "people_served",
                "services_delivered",
                "submitted_by",
                "submitted_on",
            ],
        )
    record_event(
        action="grants.report_submitted",
        actor=by,
        obj=report,
        request=request,
        details={"grant": locked.grant.code, "tranche": locked.sequence},
    )
    return report


@transaction.atomic
def review_report(
    *,
    report: GrantReport,
    approve: bool,
    note: str,
    by: Any,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> GrantReport:
    _require_manager(by)
    locked = GrantReport.objects.select_for_update().get(pk=report.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    target = ReportStatus.APPROVED if approve else ReportStatus.RETURNED
    if target not in REPORT_TRANSITIONS[locked.status]:
        raise GrantError(_("This report is not awaiting review."))
    if not approve and not note.strip():
        raise GrantError(_("Say what the NGO must change."))
    problem = bounds.text_problem(note.strip(), what=_("The note"))
    if problem is not None:
        raise GrantError(problem)
    locked.status = target
    locked.reviewed_by = by
    locked.reviewed_on = timezone.localdate()
    locked.review_note = note.strip()
    save_with_version(
        locked,
        expected_version=locked.version,
        fields=["status", "reviewed_by", "reviewed_on", "review_note"],
    )
    record_event(
        action=f"grants.report_{target}",
        actor=by,
        obj=locked,
        request=request,
        details={"status": target},
    )
    return locked
