"""Writes of grants: create a grant with its tranches, release tranches, report, review.

Money and what releases it change only on the version the user read: every change of a
tranche or a report takes ``expected_version``; a stale version, and a missing one, are
refused as conflicts.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind
from himaya.audit.actions import record_event
from himaya.core import bounds
from himaya.core.errors import Conflict, Forbidden, Invalid
from himaya.core.locking import ConcurrentEditError, save_with_version
from himaya.core.models import VersionedModel
from himaya.grants.models import Grant, GrantReport, ReportStatus, Tranche, TrancheStatus
from himaya.grants.rules import (
    grant_bound_errors,
    may_release,
    report_bound_errors,
    schedule_errors,
)
from himaya.grants.selectors import (
    may_manage,
    may_report_on,
    period_of,
)
from himaya.services.models import ServiceType


class GrantError(Invalid):
    """The input breaks a grant rule (400)."""


class GrantForbidden(Forbidden):
    """The user may not do this (403)."""


class GrantConflict(Conflict):
    """The state of the tranche or the report no longer allows it (409)."""


def _require_manager(user: User) -> None:
    if not may_manage(user):
        raise GrantForbidden(_("You are not allowed to do this."))


def _check_version(record: VersionedModel | None, expected_version: int | None) -> None:
    """The user acts on the version they read (0 for a record that does not exist yet): a
    missing or a stale version is refused."""
    if expected_version is None:
        raise GrantConflict(
            _("The version of the record you read is missing: reload it and try again."),
            field="version",
        )
    if (record.version if record is not None else 0) != expected_version:
        raise ConcurrentEditError(record)


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
    by: User,
    service_types: Sequence[ServiceType] = (),
) -> Grant:
    _require_manager(by)
    if ngo.kind != AgencyKind.NGO:
        raise GrantError(_("Grants are made to non-governmental organisations only."), field="ngo")
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
        details={"ngo": ngo.code, "amount": str(amount), "tranches": len(tranches)},
    )
    return grant


@transaction.atomic
def release_tranche(*, tranche: Tranche, by: User, expected_version: int | None) -> Tranche:
    """Release a tranche: refused until the report on the previous period is approved."""
    _require_manager(by)
    locked: Tranche = (
        Tranche.objects.select_for_update(no_key=True).select_related("grant").get(pk=tranche.pk)
    )
    _check_version(locked, expected_version)
    if not locked.is_pending:
        raise GrantConflict(_("This tranche has already been released."))
    previous = (
        Tranche.objects.filter(grant=locked.grant, sequence=locked.sequence - 1)
        .select_related("report")
        .first()
    )
    report = getattr(previous, "report", None) if previous else None
    if not may_release(
        sequence=locked.sequence,
        previous_released=bool(previous and previous.is_released),
        previous_report=report.status if report else None,
    ):
        raise GrantConflict(
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
    by: User,
    expected_version: int | None,
) -> GrantReport:
    """The NGO reports on the period funded by a released tranche (again, if returned).

    ``expected_version`` is the version of the report read, 0 when there was none yet."""
    locked: Tranche = (
        Tranche.objects.select_for_update(no_key=True).select_related("grant").get(pk=tranche.pk)
    )
    if not may_report_on(by, locked.grant):
        raise GrantForbidden(_("Only the NGO's own staff report on its grant."))
    report: GrantReport | None = (
        GrantReport.objects.select_for_update(no_key=True).filter(tranche=locked).first()
    )
    _check_version(report, expected_version)
    if not locked.is_released:
        raise GrantConflict(_("A report covers the period of a tranche already released."))
    if not narrative.strip():
        raise GrantError(_("Describe the work done in the period."), field="narrative")
    if people_served < 0 or services_delivered < 0:
        raise GrantError(_("Counts cannot be negative."))
    errors = report_bound_errors(
        narrative=narrative, people_served=people_served, services_delivered=services_delivered
    )
    if errors:
        raise GrantError(errors[0])
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
        if not report.may_be_submitted_again:
            raise GrantConflict(
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
            expected_version=report.version,
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
        details={"grant": locked.grant.code, "tranche": locked.sequence},
    )
    return report


@transaction.atomic
def review_report(
    *, report: GrantReport, approve: bool, note: str, by: User, expected_version: int | None
) -> GrantReport:
    _require_manager(by)
    locked: GrantReport = GrantReport.objects.select_for_update(no_key=True).get(pk=report.pk)
    _check_version(locked, expected_version)
    if not locked.awaits_review:
        raise GrantConflict(_("This report is not awaiting review."))
    if not approve and not note.strip():
        raise GrantError(_("Say what the NGO must change."), field="note")
    problem = bounds.text_problem(note.strip(), what=_("The note"))
    if problem is not None:
        raise GrantError(problem, field="note")
    target = ReportStatus.APPROVED if approve else ReportStatus.RETURNED
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
        details={"status": target},
    )
    return locked
