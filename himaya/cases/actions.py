"""Writes of the cases app. Every write with a rule goes through a function here."""

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Governorate, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.audit.actions import record_reading
from himaya.cases import rules
from himaya.cases.exceptions import CaseConflict, CaseError, CaseForbidden, FourEyesError
from himaya.cases.models import (
    CarePlan,
    CarePlanGoal,
    CarePlanStatus,
    Case,
    CaseDeadline,
    CaseNote,
    CaseNoteRevision,
    CasePlatform,
    CaseTransfer,
    ClosureReason,
    ClosureRequest,
    ClosureStatus,
    DeadlineKind,
    DigitalEvidence,
    ExploitationForm,
    IdentificationDecision,
    IdentificationStatus,
    OnlinePlatform,
    Phase,
    PhaseChange,
    PlatformRole,
    RiskAssessment,
    RiskFactor,
    RiskLevel,
    TransferStatus,
)
from himaya.cases.selectors import (
    case_agency_kinds,
    conclusive_decision_days,
    may_open_case_for,
    supervises,
    supervises_agency,
    works_on,
)
from himaya.core import bounds, changes
from himaya.core.crypto import strip_invisible
from himaya.core.locking import ConcurrentEditError, save_with_version
from himaya.survivors.actions import record_consent, sync_survivor_access
from himaya.survivors.models import Consent, ConsentPurpose, Survivor
from himaya.survivors.selectors import (
    best_interests_refusal,
    guardian_refusal,
    standing_consents,
)
from himaya.timeline.actions import record_on_case
from himaya.timeline.models import EventKind

# --- checks shared by the actions -------------------------------------------------------


def require_works_on(user: User, case: Case) -> None:
    """Refuse unless the user is a case worker or supervisor of the case's lead agency."""
    if not works_on(user, case):
        raise CaseForbidden(_("You may not work on this case."))


def require_supervises(user: User, case: Case) -> None:
    """Refuse unless the user is a supervisor of the case's lead agency."""
    if not supervises(user, case):
        raise CaseForbidden(_("Only a supervisor of the lead agency may decide this."))


def _require_open(case: Case) -> None:
    if case.is_closed:
        raise CaseError(_("This case is closed: it can no longer be changed."))


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(no_key=True).get(pk=case.pk)


# --- the worklist -----------------------------------------------------------------------


def refresh_worklist(case: Case) -> Case:
    """Recompute the columns that order the worklist (next action and its date, current
    risk, new until) from the case's deadlines, risk assessments and care plans.

    Called by every action that changes one of them, in its transaction; the columns are
    bookkeeping and do not change the case's version."""
    latest = (
        RiskAssessment.objects.filter(case_id=case.pk)
        .order_by("-assessed_on", "-id")
        .values_list("level", "assessed_on")
        .first()
    )
    state = rules.worklist_state(
        phase=case.phase,
        first_contact_on=case.first_contact_on,
        identified_on=case.identified_on,
        assigned_on=case.assigned_on,
        latest_risk=latest,
        has_approved_plan=CarePlan.objects.filter(
            case_id=case.pk, status=CarePlanStatus.APPROVED
        ).exists(),
        deadlines=CaseDeadline.objects.filter(case_id=case.pk, done_at__isnull=True).values_list(
            "kind", "due_on"
        ),
    )
    columns = dataclasses.asdict(state)  # named as the case's columns
    Case.objects.filter(pk=case.pk).update(**columns)
    for name, value in columns.items():
        setattr(case, name, value)
    return case


@transaction.atomic(savepoint=False)  # a part of the caller's write: no savepoint of its own
def set_case_deadline(*, case: Case, kind: str, due_on: date, source_code: str = "") -> None:
    """Record (or move) what is due on the case by ``due_on``, from the record
    ``source_code`` of the app that owns it; the calling action has checked its rules."""
    if kind not in DeadlineKind.values:
        raise CaseError(_("Unknown kind of deadline."))
    updated = CaseDeadline.objects.filter(
        case_id=case.pk, kind=kind, source_code=source_code, done_at__isnull=True
    ).update(due_on=due_on)
    if not updated:
        CaseDeadline.objects.create(case=case, kind=kind, source_code=source_code, due_on=due_on)
    refresh_worklist(case)


@transaction.atomic(savepoint=False)  # a part of the caller's write: no savepoint of its own
def clear_case_deadline(*, case: Case, kind: str, source_code: str = "") -> None:
    """Mark the open deadline of this kind and source done (nothing when there is none)."""
    CaseDeadline.objects.filter(
        case_id=case.pk, kind=kind, source_code=source_code, done_at__isnull=True
    ).update(done_at=timezone.now())
    refresh_worklist(case)


def record_worklist_read(*, by: User, case_codes: list[str]) -> None:
    """One audit row for a page of the worklist that showed survivors' first names: the
    codes of its cases, with the purpose "worklist"."""
    if not case_codes:
        return
    if not by.has_perm("survivors.view_identity"):
        raise CaseForbidden(_("You may not see survivors' identities."))
    record_reading(
        action="survivor.identity_listed",
        actor=by,
        object_type="cases.case",
        purpose="worklist",
        details={"cases": list(case_codes)},
    )


def _refuse(problem: bounds.Message | None, *, field: str | None = None) -> None:
    """Raise the refusal a bound check found, if any."""
    if problem is not None:
        raise CaseError(problem, field=field)


def _max_length(model: type[Model], field: str) -> int:
    return int(getattr(model._meta.get_field(field), "max_length", None) or bounds.MAX_TEXT_LENGTH)


def _check_case_details(
    *,
    first_contact_on: date,
    identified_on: date | None,
    screening_code: str,
    country_of_exploitation: str,
    is_transnational: bool,
) -> None:
    """The identification details typed by a person are within bounds and consistent."""
    today = timezone.localdate()
    if identified_on is not None and identified_on < first_contact_on:
        raise CaseError(
            _("The identification date cannot be before the first contact."),
            field="identified_on",
        )
    if first_contact_on > today:
        raise CaseError(_("The first contact cannot be in the future."), field="first_contact_on")
    _refuse(
        bounds.record_date_problem(
            first_contact_on, what=_("The date of first contact"), today=today
        ),
        field="first_contact_on",
    )
    _refuse(
        bounds.record_date_problem(identified_on, what=_("The identification date"), today=today),
        field="identified_on",
    )
    _refuse(
        bounds.text_problem(
            screening_code,
            what=_("The screening reference"),
            max_length=_max_length(Case, "screening_code"),
        ),
        field="screening_code",
    )
    if not rules.is_country_code(country_of_exploitation):
        raise CaseError(_("Enter a two-letter country code."), field="country_of_exploitation")
    if rules.must_be_transnational(
        country_of_exploitation=country_of_exploitation, is_transnational=is_transnational
    ):
        raise CaseError(
            _("Exploitation abroad makes the case transnational."), field="is_transnational"
        )


# --- cases ------------------------------------------------------------------------------


@transaction.atomic
def open_case(
    *,
    survivor: Survivor,
    by: User,
    lead_agency: Agency,
    first_contact_on: date,
    identified_on: date | None = None,
    identified_by: str,
    identifying_agency: Agency | None = None,
    exploitation_forms: Iterable[ExploitationForm] = (),
    recruitment_channel: str,
    country_of_exploitation: str = "EG",
    governorate_of_exploitation: Governorate | None = None,
    is_transnational: bool = False,
    screening_code: str = "",
    case_worker: User | None = None,
) -> Case:
    """Open a case for a survivor, led by one of the user's agencies, in identification."""
    if not by.has_perm("cases.work_cases") or lead_agency.pk not in agency_ids_for(
        by, Role.CASE_WORKER, Role.SUPERVISOR
    ):
        raise CaseForbidden(_("You may open cases only for your own agency."))
    if not survivor.is_active:
        raise CaseError(_("This survivor's record is no longer active."), field="survivor")
    if not may_open_case_for(by, survivor):
        raise CaseForbidden(_("No survivor with this code is known to you."), field="survivor")
    _check_case_details(
        first_contact_on=first_contact_on,
        identified_on=identified_on,
        screening_code=screening_code,
        country_of_exploitation=country_of_exploitation,
        is_transnational=is_transnational,
    )
    worker = case_worker or by
    if worker != by and lead_agency.pk not in agency_ids_for(worker, Role.CASE_WORKER):
        raise CaseError(
            _("The case worker must be a case worker of the lead agency."), field="case_worker"
        )
    assigned_on = timezone.localdate()
    # A new case holds no risk assessment, care plan or deadline yet: its worklist columns
    # are written with it, from the same rule ``refresh_worklist`` reads them for.
    worklist = rules.worklist_state(
        phase=Phase.IDENTIFICATION,
        first_contact_on=first_contact_on,
        identified_on=identified_on,
        assigned_on=assigned_on,
        latest_risk=None,
        has_approved_plan=False,
        deadlines=(),
    )
    case = Case.objects.create(
        survivor=survivor,
        lead_agency=lead_agency,
        case_worker=worker,
        phase=Phase.IDENTIFICATION,
        first_contact_on=first_contact_on,
        identified_on=identified_on,
        identified_by=identified_by,
        identifying_agency=identifying_agency,
        recruitment_channel=recruitment_channel,
        country_of_exploitation=country_of_exploitation.upper(),
        governorate_of_exploitation=governorate_of_exploitation,
        is_transnational=is_transnational,
        screening_code=screening_code,
        assigned_on=assigned_on,
        **dataclasses.asdict(worklist),
    )
    # Added, not set: a new case has no form to compare with.
    case.exploitation_forms.add(*exploitation_forms)
    # The lead agency now sees the survivor; the registering agency only if it leads too.
    sync_survivor_access(survivor=survivor)
    PhaseChange.objects.create(
        case=case,
        from_phase="",
        to_phase=Phase.IDENTIFICATION,
        changed_on=identified_on or first_contact_on,
        changed_by=by,
    )
    record_on_case(
        case=case,
        kind=EventKind.CASE_OPENED,
        by=by,
        summary=lambda: str(_("Case opened in identification")),
        obj=case,
        details={"survivor": survivor.code, "agency": lead_agency.code},
    )
    return case


EDITABLE_CASE_FIELDS = [
    "first_contact_on",
    "identified_on",
    "identified_by",
    "identifying_agency",
    "recruitment_channel",
    "country_of_exploitation",
    "governorate_of_exploitation",
    "is_transnational",
    "screening_code",
]


@transaction.atomic
def update_case(
    *,
    case: Case,
    by: User,
    expected_version: int,
    changes: dict[str, Any],
    exploitation_forms: Iterable[ExploitationForm] | None = None,
) -> Case:
    """Change the identification details of a case (refused if someone saved it meanwhile)."""
    require_works_on(by, case)
    _require_open(case)
    unknown = set(changes) - set(EDITABLE_CASE_FIELDS)
    if unknown:
        raise CaseError(_("These details cannot be changed here."))
    for name, value in changes.items():
        setattr(case, name, value)
    _check_case_details(
        first_contact_on=case.first_contact_on,
        identified_on=case.identified_on,
        screening_code=case.screening_code,
        country_of_exploitation=case.country_of_exploitation,
        is_transnational=case.is_transnational,
    )
    case.country_of_exploitation = case.country_of_exploitation.upper()
    save_with_version(case, expected_version=expected_version, fields=list(changes))
    refresh_worklist(case)
    if exploitation_forms is not None:
        case.exploitation_forms.set(list(exploitation_forms))
    record_on_case(
        case=case,
        kind=EventKind.CASE_UPDATED,
        by=by,
        summary=lambda: str(_("Identification details updated")),
        obj=case,
        details={"fields": sorted(changes)},
    )
    return case


@transaction.atomic
def move_case(
    *,
    case: Case,
    to_phase: str,
    by: User,
    expected_version: int,
    on: date | None = None,
) -> Case:
    """Move a case to another phase allowed by ``TRANSITIONS`` (closing goes by approval)."""
    require_works_on(by, case)
    if to_phase not in Phase.values:
        raise CaseError(_("Unknown phase."))
    if rules.closing_needs_approval(to_phase):
        raise CaseError(_("A case is closed by requesting closure with a reason."))
    if not rules.can_move(case.phase, to_phase):
        raise CaseError(
            _("A case cannot move from %(from)s to %(to)s.")
            % {"from": Phase(case.phase).label, "to": Phase(to_phase).label}
        )
    on = on or timezone.localdate()
    _refuse(
        bounds.record_date_problem(
            on, what=_("The date of the phase change"), today=timezone.localdate()
        )
    )
    if case.phase == Phase.IDENTIFICATION:
        # A presumed child leaves identification only with a guardian appointed.
        refusal = guardian_refusal(survivor=case.survivor)
        if refusal is not None:
            raise refusal
    from_phase = case.phase
    case.phase = to_phase
    dates = rules.phase_dates_after_move(
        {field: getattr(case, field) for field in rules.PHASE_DATE_FIELDS.values()},
        to_phase=to_phase,
        on=on,
    )
    for field, value in dates.items():
        setattr(case, field, value)
    save_with_version(case, expected_version=expected_version, fields=["phase", *dates])
    refresh_worklist(case)
    PhaseChange.objects.create(
        case=case, from_phase=from_phase, to_phase=to_phase, changed_on=on, changed_by=by
    )
    record_on_case(
        case=case,
        kind=EventKind.CASE_PHASE_CHANGED,
        by=by,
        summary=lambda: str(
            _("Moved from %(from)s to %(to)s")
            % {"from": Phase(from_phase).label, "to": Phase(to_phase).label}
        ),
        obj=case,
        details={"from": from_phase, "to": to_phase},
    )
    return case


@transaction.atomic
def request_closure(
    *,
    case: Case,
    by: User,
    reason: str,
    note: str = "",
) -> ClosureRequest:
    """Ask for the case to be closed with a reason; a supervisor approves it."""
    require_works_on(by, case)
    case = _locked(case)
    _require_open(case)
    if not reason:
        raise CaseError(_("Give the reason for closing the case."))
    if reason not in ClosureReason.values:
        raise CaseError(_("Unknown closure reason."))
    _refuse(
        bounds.text_problem(
            note, what=_("The note"), max_length=_max_length(ClosureRequest, "note")
        )
    )
    if not rules.can_move(case.phase, Phase.CLOSED):
        raise CaseError(_("This case cannot be closed from its current phase."))
    if case.closure_requests.filter(status=ClosureStatus.PENDING).exists():
        raise CaseError(_("A closure request is already waiting for approval."))
    refusal = best_interests_refusal(survivor=case.survivor, purpose="closure")
    if refusal is not None:
        raise refusal
    closure = ClosureRequest.objects.create(case=case, reason=reason, note=note, requested_by=by)
    record_on_case(
        case=case,
        kind=EventKind.CASE_CLOSURE_REQUESTED,
        by=by,
        summary=lambda: str(
            _("Closure requested: %(reason)s") % {"reason": ClosureReason(reason).label}
        ),
        obj=closure,
        details={"case": case.code, "reason": reason},
    )
    _notify_closure_waiting(case, closure, by)
    return closure


def _notify_closure_waiting(case: Case, closure: ClosureRequest, by: User) -> None:
    """Tell the lead agency's supervisors, not the requester (four eyes): the case code only."""
    from django.urls import reverse

    from himaya.notifications.actions import notify
    from himaya.notifications.selectors import members_of

    notify(
        event="cases.closure_waiting",
        recipients=members_of([case.lead_agency_id], [Role.SUPERVISOR], exclude=[by.pk]),
        key=f"{case.code}:{closure.pk}",
        link=reverse("cases:detail", args=[case.code]),
        params={"case_code": case.code},
    )


@transaction.atomic
def decide_closure(
    *,
    closure: ClosureRequest,
    by: User,
    approve: bool,
    expected_version: int,
) -> ClosureRequest:
    """A supervisor of the lead agency (not the requester) approves or refuses a closure."""
    case = _locked(closure.case)
    require_supervises(by, case)
    if closure.status != ClosureStatus.PENDING:
        raise CaseError(_("This closure request was already decided."))
    if not rules.is_four_eyes(author_id=closure.requested_by_id, decider_id=by.pk):
        raise FourEyesError(_("You cannot decide on your own request."))
    if approve:
        refusal = best_interests_refusal(survivor=case.survivor, purpose="closure")
        if refusal is not None:
            raise refusal
    closure.status = ClosureStatus.APPROVED if approve else ClosureStatus.REFUSED
    closure.decided_by = by
    closure.decided_at = timezone.now()
    save_with_version(
        closure, expected_version=expected_version, fields=["status", "decided_by", "decided_at"]
    )
    if approve:
        _require_open(case)
        today = timezone.localdate()
        from_phase = case.phase
        case.phase = Phase.CLOSED
        case.closed_on = today
        case.closure_reason = closure.reason
        save_with_version(
            case, expected_version=case.version, fields=["phase", "closed_on", "closure_reason"]
        )
        refresh_worklist(case)
        PhaseChange.objects.create(
            case=case, from_phase=from_phase, to_phase=Phase.CLOSED, changed_on=today, changed_by=by
        )
    record_on_case(
        case=case,
        kind=EventKind.CASE_CLOSED if approve else EventKind.CASE_CLOSURE_REFUSED,
        by=by,
        summary=lambda: str(_("Closure approved") if approve else _("Closure refused")),
        obj=closure,
        action=EventKind.CASE_CLOSURE_APPROVED.value if approve else "",
        details={"case": case.code, "reason": closure.reason},
    )
    return closure


@transaction.atomic
def reassign_case(
    *,
    case: Case,
    to_worker: User,
    by: User,
    expected_version: int,
) -> Case:
    """A supervisor gives the case to another case worker of the lead agency."""
    require_supervises(by, case)
    _require_open(case)
    if case.lead_agency_id not in agency_ids_for(to_worker, Role.CASE_WORKER):
        raise CaseError(
            _("The new case worker must be a case worker of the lead agency."),
            field="case_worker",
        )
    previous = case.case_worker_id
    case.case_worker = to_worker
    case.assigned_on = timezone.localdate()
    save_with_version(
        case, expected_version=expected_version, fields=["case_worker", "assigned_on"]
    )
    refresh_worklist(case)
    record_on_case(
        case=case,
        kind=EventKind.CASE_REASSIGNED,
        by=by,
        summary=lambda: str(_("Case reassigned to %(user)s") % {"user": to_worker.get_username()}),
        obj=case,
        details={"from_user": previous, "to_user": to_worker.pk},
    )
    return case


# --- the identification decision ------------------------------------------------------


def _identification_label(status: str) -> str:
    return str(IdentificationStatus(status).label) if status else str(_("no decision"))


@transaction.atomic
def decide_identification(
    *,
    case: Case,
    status: str,
    decided_on: date,
    grounds: str,
    by: User,
    version: int,
) -> IdentificationDecision:
    """Record the formal identification decision on a case, allowed by
    ``IDENTIFICATION_TRANSITIONS`` after the current one.

    A case worker or supervisor of the lead agency records reasonable grounds (possible
    victim); only a supervisor records the conclusive decision, that the person is not a
    victim, or a withdrawal. A possible victim's conclusive decision becomes a deadline
    of the worklist; any other decision clears it."""
    require_works_on(by, case)
    if status not in IdentificationStatus.values:
        raise CaseError(_("Unknown identification decision."), field="status")
    if status in rules.SUPERVISOR_DECISIONS and not supervises(by, case):
        raise CaseForbidden(
            _("Only a supervisor of the lead agency may record this decision."), field="status"
        )
    grounds = grounds.strip()
    if not strip_invisible(grounds).strip():
        raise CaseError(_("Give the grounds for the decision."), field="grounds")
    _refuse(
        bounds.text_problem(
            grounds,
            what=_("The grounds"),
            max_length=_max_length(IdentificationDecision, "grounds"),
        ),
        field="grounds",
    )
    today = timezone.localdate()
    if decided_on > today:
        raise CaseError(_("A decision cannot be dated in the future."), field="decided_on")
    _refuse(
        bounds.record_date_problem(decided_on, what=_("The date of the decision"), today=today),
        field="decided_on",
    )
    fresh = _locked(case)
    if fresh.version != version:
        raise ConcurrentEditError(fresh)
    _require_open(fresh)
    if decided_on < fresh.first_contact_on:
        raise CaseError(
            _("The decision cannot be dated before the first contact."), field="decided_on"
        )
    previous_on = fresh.identification_decided_on
    if previous_on is not None and decided_on < previous_on:
        raise CaseError(
            _("The decision cannot be dated before the previous decision."), field="decided_on"
        )
    from_status = fresh.identification_status
    if not rules.can_decide_identification(from_status, status):
        raise CaseConflict(
            _("The decision %(to)s cannot follow %(from)s.")
            % {"to": _identification_label(status), "from": _identification_label(from_status)},
            field="status",
        )
    case.identification_status = status
    case.identification_decided_on = decided_on
    save_with_version(
        case,
        expected_version=version,
        fields=["identification_status", "identification_decided_on"],
    )
    decision = IdentificationDecision.objects.create(
        case=case,
        from_status=from_status,
        status=status,
        decided_on=decided_on,
        deciding_agency=case.lead_agency,
        decided_by=by,
        grounds=grounds,
        screening_code=case.screening_code,
    )
    due_on = rules.conclusive_decision_due(
        status=status, decided_on=decided_on, days=conclusive_decision_days()
    )
    if due_on is not None:
        set_case_deadline(case=case, kind=DeadlineKind.IDENTIFICATION, due_on=due_on)
    else:
        clear_case_deadline(case=case, kind=DeadlineKind.IDENTIFICATION)  # refreshes the worklist
    record_on_case(
        case=case,
        kind=EventKind.CASE_IDENTIFICATION_DECIDED,
        by=by,
        summary=lambda: str(
            _("Identification decision: %(status)s") % {"status": _identification_label(status)}
        ),
        obj=case,
        details={"from": from_status, "to": status, "on": decided_on.isoformat()},
    )
    if decided_on != timezone.localdate():
        # a decision recorded after the fact changes the figures of the day it was taken
        changes.records_changed(action=EventKind.CASE_IDENTIFICATION_DECIDED, day=decided_on)
    return decision


# --- risk assessments -------------------------------------------------------------------


def _clean_risk(level: str, factors: Iterable[str], assessed_on: date, note: str) -> list[str]:
    if level not in RiskLevel.values:
        raise CaseError(_("Unknown risk level."))
    factor_list = list(dict.fromkeys(factors))
    if any(factor not in RiskFactor.values for factor in factor_list):
        raise CaseError(_("Unknown risk factor."))
    if assessed_on > timezone.localdate():
        raise CaseError(_("An assessment cannot be dated in the future."))
    _refuse(
        bounds.record_date_problem(
            assessed_on, what=_("The assessment date"), today=timezone.localdate()
        )
    )
    _refuse(
        bounds.text_problem(
            note, what=_("The note"), max_length=_max_length(RiskAssessment, "note")
        )
    )
    return factor_list


@transaction.atomic
def assess_risk(
    *,
    case: Case,
    by: User,
    level: str,
    factors: Iterable[str],
    assessed_on: date,
    note: str = "",
) -> RiskAssessment:
    """Record a (new) risk assessment of the case; assessments are repeated over time."""
    require_works_on(by, case)
    _require_open(case)
    factor_list = _clean_risk(level, factors, assessed_on, note)
    assessment = RiskAssessment.objects.create(
        case=case, level=level, factors=factor_list, assessed_on=assessed_on, assessor=by, note=note
    )
    refresh_worklist(case)
    record_on_case(
        case=case,
        kind=EventKind.CASE_RISK_ASSESSED,
        by=by,
        summary=lambda: str(_("Risk assessed: %(level)s") % {"level": RiskLevel(level).label}),
        obj=assessment,
        details={"case": case.code, "level": level},
    )
    return assessment


@transaction.atomic
def update_risk_assessment(
    *,
    assessment: RiskAssessment,
    by: User,
    expected_version: int,
    level: str,
    factors: Iterable[str],
    assessed_on: date,
    note: str = "",
) -> RiskAssessment:
    """Correct a risk assessment of an open case."""
    require_works_on(by, assessment.case)
    _require_open(assessment.case)
    assessment.factors = _clean_risk(level, factors, assessed_on, note)
    assessment.level = level
    assessment.assessed_on = assessed_on
    assessment.note = note
    save_with_version(
        assessment,
        expected_version=expected_version,
        fields=["level", "factors", "assessed_on", "note"],
    )
    refresh_worklist(assessment.case)
    record_on_case(
        case=assessment.case,
        kind=EventKind.CASE_RISK_UPDATED,
        by=by,
        summary=lambda: str(
            _("Risk assessment corrected: %(level)s") % {"level": RiskLevel(level).label}
        ),
        obj=assessment,
        details={"case": assessment.case.code, "level": level},
    )
    return assessment


# --- care plans -------------------------------------------------------------------------


def _require_plan_editable(plan: CarePlan) -> None:
    if not plan.is_editable:
        raise CaseError(_("Only a draft or returned care plan can be changed."))


def _check_summary(summary: str) -> None:
    _refuse(
        bounds.text_problem(
            summary, what=_("The summary"), max_length=_max_length(CarePlan, "summary")
        ),
        field="summary",
    )


def _check_goal(description: str, target_on: date | None) -> None:
    if not description.strip():
        raise CaseError(_("Describe the goal."), field="description")
    _refuse(
        bounds.text_problem(
            description.strip(),
            what=_("The goal"),
            max_length=_max_length(CarePlanGoal, "description"),
        ),
        field="description",
    )
    _refuse(
        bounds.plan_date_problem(target_on, what=_("The target date"), today=timezone.localdate()),
        field="target_on",
    )


@transaction.atomic
def create_care_plan(*, case: Case, by: User, summary: str = "") -> CarePlan:
    """Draft a care plan for an open case that has none in preparation."""
    require_works_on(by, case)
    _require_open(case)
    if case.care_plans.exclude(status=CarePlanStatus.APPROVED).exists():
        raise CaseError(_("This case already has a care plan in preparation."))
    _check_summary(summary)
    plan = CarePlan.objects.create(case=case, summary=summary, author=by)
    record_on_case(
        case=case,
        kind=EventKind.CARE_PLAN_CREATED,
        by=by,
        summary=lambda: str(_("Care plan drafted")),
        obj=plan,
        details={"case": case.code},
    )
    return plan


@transaction.atomic
def update_care_plan(
    *,
    plan: CarePlan,
    by: User,
    expected_version: int,
    summary: str,
) -> CarePlan:
    """Change the summary of a draft or returned care plan."""
    require_works_on(by, plan.case)
    _require_plan_editable(plan)
    _check_summary(summary)
    plan.summary = summary
    save_with_version(plan, expected_version=expected_version, fields=["summary"])
    record_on_case(
        case=plan.case,
        kind=EventKind.CARE_PLAN_UPDATED,
        by=by,
        summary=lambda: str(_("Care plan updated")),
        obj=plan,
    )
    return plan


@transaction.atomic
def add_care_plan_goal(
    *,
    plan: CarePlan,
    by: User,
    description: str,
    target_on: date | None = None,
) -> CarePlanGoal:
    """Add a goal to a draft or returned care plan."""
    require_works_on(by, plan.case)
    _require_plan_editable(plan)
    _check_goal(description, target_on)
    goal = CarePlanGoal.objects.create(
        care_plan=plan, description=description.strip(), target_on=target_on
    )
    record_on_case(
        case=plan.case,
        kind=EventKind.CARE_PLAN_GOAL_ADDED,
        by=by,
        summary=lambda: str(_("Goal added to the care plan")),
        obj=goal,
        details={"care_plan": plan.code},
    )
    return goal


@transaction.atomic
def update_care_plan_goal(
    *,
    goal: CarePlanGoal,
    by: User,
    expected_version: int,
    description: str,
    target_on: date | None,
    is_achieved: bool,
) -> CarePlanGoal:
    """Correct a goal (while the plan is editable) or mark it achieved (any time)."""
    plan = goal.care_plan
    require_works_on(by, plan.case)
    _require_open(plan.case)
    fields = ["is_achieved"]
    if description != goal.description or target_on != goal.target_on:
        _require_plan_editable(plan)
        _check_goal(description, target_on)
        fields += ["description", "target_on"]
    goal.description = description.strip()
    goal.target_on = target_on
    goal.is_achieved = is_achieved
    save_with_version(goal, expected_version=expected_version, fields=fields)
    record_on_case(
        case=plan.case,
        kind=EventKind.CARE_PLAN_GOAL_UPDATED,
        by=by,
        summary=lambda: str(_("Goal achieved") if is_achieved else _("Goal updated")),
        obj=goal,
    )
    return goal


@transaction.atomic
def submit_care_plan(*, plan: CarePlan, by: User, expected_version: int) -> CarePlan:
    """The author submits the plan for a supervisor's approval."""
    require_works_on(by, plan.case)
    _require_open(plan.case)
    if not rules.care_plan_can_move(plan.status, CarePlanStatus.SUBMITTED):
        raise CaseError(_("This care plan cannot be submitted now."))
    if by.pk != plan.author_id:
        raise CaseError(_("Only the author of the care plan submits it."))
    if not plan.goals.exists():
        raise CaseError(_("Add at least one goal before submitting the care plan."))
    plan.status = CarePlanStatus.SUBMITTED
    plan.submitted_at = timezone.now()
    save_with_version(plan, expected_version=expected_version, fields=["status", "submitted_at"])
    record_on_case(
        case=plan.case,
        kind=EventKind.CARE_PLAN_SUBMITTED,
        by=by,
        summary=lambda: str(_("Care plan submitted for approval")),
        obj=plan,
    )
    return plan


@transaction.atomic
def decide_care_plan(
    *,
    plan: CarePlan,
    by: User,
    approve: bool,
    expected_version: int,
    note: str = "",
) -> CarePlan:
    """A supervisor of the lead agency other than the author approves or returns the plan."""
    require_supervises(by, plan.case)
    target = CarePlanStatus.APPROVED if approve else CarePlanStatus.RETURNED
    if not rules.care_plan_can_move(plan.status, target):
        raise CaseError(_("This care plan is not waiting for a decision."))
    if not rules.is_four_eyes(author_id=plan.author_id, decider_id=by.pk):
        raise FourEyesError(_("You cannot approve or return a care plan you wrote."))
    if not approve and not note.strip():
        raise CaseError(_("Say what must change when returning a care plan."))
    _refuse(
        bounds.text_problem(
            note.strip(), what=_("The note"), max_length=_max_length(CarePlan, "decision_note")
        )
    )
    plan.status = target
    plan.decided_by = by
    plan.decided_at = timezone.now()
    plan.decision_note = note.strip()
    save_with_version(
        plan,
        expected_version=expected_version,
        fields=["status", "decided_by", "decided_at", "decision_note"],
    )
    refresh_worklist(plan.case)
    record_on_case(
        case=plan.case,
        kind=EventKind.CARE_PLAN_APPROVED if approve else EventKind.CARE_PLAN_RETURNED,
        by=by,
        summary=lambda: str(
            _("Care plan approved") if approve else _("Care plan returned for changes")
        ),
        obj=plan,
        details={"case": plan.case.code},
    )
    return plan


# --- case notes ---------------------------------------------------------------------------


def _clean_note(body: str) -> str:
    body = body.strip()
    if not strip_invisible(body).strip():  # nothing a reader would see
        raise CaseError(_("Write the note."), field="body")
    _refuse(
        bounds.text_problem(body, what=_("The note"), max_length=CaseNote.MAX_LENGTH),
        field="body",
    )
    return body


@transaction.atomic
def add_case_note(*, case: Case, body: str, by: User) -> CaseNote:
    """Write a note on an open case, signed and encrypted; the timeline and the audit trail
    name it by its code and never hold its text."""
    require_works_on(by, case)
    _require_open(case)
    body = _clean_note(body)
    note = CaseNote(case=case, author=by, agency=case.lead_agency, body=body)
    note.signature = note.expected_signature()
    note.save()
    record_on_case(
        case=case,
        kind=EventKind.CASE_NOTE_ADDED,
        by=by,
        summary=lambda: str(_("Case note added")),
        obj=note,
        details={"case": case.code, "version": note.version},
    )
    return note


@transaction.atomic
def revise_case_note(*, note: CaseNote, body: str, by: User, version: int) -> CaseNote:
    """Replace the text of a note by its author, keeping the earlier text as a revision.

    Only the author revises, while a case worker or supervisor of the lead agency and while
    the case is open; ``version`` is the one the author read (409 when stale)."""
    case = note.case
    require_works_on(by, case)
    if note.author_id != by.pk:
        raise CaseForbidden(_("Only the author of a note may revise it."))
    _require_open(case)
    body = _clean_note(body)
    fresh = CaseNote.objects.select_for_update(no_key=True).select_related("case").get(pk=note.pk)
    if fresh.version != version:
        raise ConcurrentEditError(fresh)
    if body == fresh.body:
        raise CaseError(_("The note is unchanged."), field="body")
    CaseNoteRevision.objects.create(
        note=fresh,
        version=fresh.version,
        body=fresh.body,
        signature=fresh.signature,
        written_at=fresh.updated_at,
    )
    note.body = body
    note.version = version + 1
    note.signature = note.expected_signature()
    note.version = version
    save_with_version(note, expected_version=version, fields=["body", "signature"])
    record_on_case(
        case=case,
        kind=EventKind.CASE_NOTE_REVISED,
        by=by,
        summary=lambda: str(_("Case note revised")),
        obj=note,
        details={"case": case.code, "version": note.version},
    )
    return note


# --- transfer of a case to another agency --------------------------------------------------


def _transfer_consent(
    *, case: Case, to_agency: Agency, by: User, consent: Consent | None, given_on: date | None
) -> Consent:
    """The survivor's consent to the transfer: a standing consent to refer to the receiving
    agency (named as recipient), the one chosen, or one recorded now (``given_on``)."""
    survivor = case.survivor
    standing = standing_consents(survivor, purpose=ConsentPurpose.REFERRAL).filter(
        recipient=to_agency
    )
    if consent is not None:
        if not standing.filter(pk=consent.pk).exists():
            raise CaseError(
                _("This consent does not cover a transfer to the receiving agency."),
                field="consent",
            )
        return consent
    found = standing.order_by("-given_on", "-id").first()
    if found is not None:
        return found
    if given_on is None:
        raise CaseError(
            _(
                "The survivor's consent to the transfer to this agency is not on file. "
                "Record the day the survivor gave it."
            ),
            field="consent_given_on",
        )
    return record_consent(
        survivor=survivor,
        by=by,
        purpose=ConsentPurpose.REFERRAL,
        recipient=to_agency,
        given_on=given_on,
        note=str(_("Consent to the transfer of the case")),
    )


def _check_transfer_target(case: Case, to_agency: Agency) -> None:
    problem = rules.transfer_target_problem(
        from_agency_id=case.lead_agency_id,
        to_agency_id=to_agency.pk,
        to_agency_kind=to_agency.kind,
        to_agency_active=to_agency.is_active,
        case_agency_kinds=case_agency_kinds(),
    )
    if problem == "same":
        raise CaseError(_("The case is already led by this agency."), field="to_agency")
    if problem == "inactive":
        raise CaseError(_("This agency is no longer active."), field="to_agency")
    if problem == "kind":
        raise CaseError(
            _("This agency does not lead cases: choose an agency that does."), field="to_agency"
        )


def _refuse_child_without_best_interests(case: Case) -> None:
    refusal = best_interests_refusal(survivor=case.survivor, purpose="transfer")
    if refusal is not None:
        raise refusal


@transaction.atomic
def propose_case_transfer(
    *,
    case: Case,
    to_agency: Agency,
    reason: str,
    by: User,
    consent: Consent | None = None,
    consent_given_on: date | None = None,
) -> CaseTransfer:
    """A supervisor of the lead agency proposes to hand an open case over to another
    agency that leads cases, on the survivor's consent (on file, or recorded now); a
    presumed child's case needs a best-interests assessment on file."""
    require_supervises(by, case)
    case = _locked(case)
    require_supervises(by, case)
    _require_open(case)
    _check_transfer_target(case, to_agency)
    reason = reason.strip()
    if not strip_invisible(reason).strip():
        raise CaseError(_("Give the reason for the transfer."), field="reason")
    _refuse(
        bounds.text_problem(
            reason, what=_("The reason"), max_length=_max_length(CaseTransfer, "reason")
        ),
        field="reason",
    )
    if case.transfers.filter(status=TransferStatus.PROPOSED).exists():
        raise CaseConflict(_("A transfer of this case is already waiting for an answer."))
    if case.closure_requests.filter(status=ClosureStatus.PENDING).exists():
        raise CaseConflict(_("A closure request is waiting for a decision: decide it first."))
    _refuse_child_without_best_interests(case)
    today = timezone.localdate()
    if consent_given_on is not None:
        if consent_given_on > today:
            raise CaseError(_("A consent cannot be given in the future."), field="consent_given_on")
        _refuse(
            bounds.record_date_problem(
                consent_given_on, what=_("The date of the consent"), today=today
            ),
            field="consent_given_on",
        )
    basis = _transfer_consent(
        case=case, to_agency=to_agency, by=by, consent=consent, given_on=consent_given_on
    )
    transfer = CaseTransfer.objects.create(
        case=case,
        from_agency=case.lead_agency,
        to_agency=to_agency,
        reason=reason,
        consent=basis,
        proposed_by=by,
        proposed_on=today,
    )
    record_on_case(
        case=case,
        kind=EventKind.CASE_TRANSFER_PROPOSED,
        by=by,
        summary=lambda: str(_("Transfer to %(agency)s proposed") % {"agency": to_agency.name}),
        obj=transfer,
        details={
            "case": case.code,
            "from_agency": case.lead_agency.code,
            "to_agency": to_agency.code,
            "consent": basis.pk,
        },
    )
    return transfer


def _locked_transfer(transfer: CaseTransfer, version: int) -> tuple[CaseTransfer, Case]:
    """The transfer and its case, locked in that order; 409 when the transfer moved on."""
    case = _locked(transfer.case)
    fresh = CaseTransfer.objects.select_for_update(no_key=True).get(pk=transfer.pk)
    if fresh.version != version:
        raise ConcurrentEditError(fresh)
    return fresh, case


def _require_transfer_may_become(transfer: CaseTransfer, status: str) -> None:
    if not rules.transfer_can_move(transfer.status, status):
        raise CaseConflict(_("This transfer was already answered or withdrawn."))


@transaction.atomic
def accept_case_transfer(
    *,
    transfer: CaseTransfer,
    by: User,
    version: int,
    case_worker: User | None = None,
) -> CaseTransfer:
    """A supervisor of the receiving agency accepts: the case changes lead agency with all
    its history, goes to the chosen case worker of that agency (to the accepting supervisor
    until one is chosen), its worklist is refreshed, and the survivor is seen by the
    receiving agency and no longer by the sending one."""
    if not supervises_agency(by, transfer.to_agency_id):
        raise CaseForbidden(_("Only a supervisor of the receiving agency may answer."))
    transfer, case = _locked_transfer(transfer, version)
    _require_transfer_may_become(transfer, TransferStatus.ACCEPTED)
    _require_open(case)
    if case.lead_agency_id != transfer.from_agency_id:
        raise CaseConflict(_("The case is no longer led by the agency that proposed it."))
    if not Consent.objects.filter(pk=transfer.consent_id, withdrawn_on__isnull=True).exists():
        raise CaseConflict(
            _("The survivor withdrew the consent to this transfer: it cannot be accepted.")
        )
    _refuse_child_without_best_interests(case)
    to_agency = transfer.to_agency
    worker = case_worker or by
    if case_worker is not None and to_agency.pk not in agency_ids_for(
        case_worker, Role.CASE_WORKER
    ):
        raise CaseError(
            _("The case worker must be a case worker of the receiving agency."),
            field="case_worker",
        )
    today = timezone.localdate()
    from_agency = case.lead_agency
    previous_worker = case.case_worker_id
    case.lead_agency = to_agency
    case.case_worker = worker
    case.assigned_on = today
    save_with_version(
        case, expected_version=case.version, fields=["lead_agency", "case_worker", "assigned_on"]
    )
    refresh_worklist(case)
    sync_survivor_access(survivor=case.survivor)
    transfer.status = TransferStatus.ACCEPTED
    transfer.decided_by = by
    transfer.decided_on = today
    save_with_version(
        transfer, expected_version=version, fields=["status", "decided_by", "decided_on"]
    )
    record_on_case(
        case=case,
        kind=EventKind.CASE_TRANSFER_ACCEPTED,
        by=by,
        summary=lambda: str(
            _("Transfer accepted: the case moved from %(from)s to %(to)s")
            % {"from": from_agency.name, "to": to_agency.name}
        ),
        obj=transfer,
        details={
            "case": case.code,
            "from_agency": from_agency.code,
            "to_agency": to_agency.code,
            "from_user": previous_worker,
            "to_user": worker.pk,
        },
    )
    return transfer


@transaction.atomic
def refuse_case_transfer(
    *, transfer: CaseTransfer, by: User, version: int, reason: str
) -> CaseTransfer:
    """A supervisor of the receiving agency refuses, saying why; the case stays as it is."""
    if not supervises_agency(by, transfer.to_agency_id):
        raise CaseForbidden(_("Only a supervisor of the receiving agency may answer."))
    reason = reason.strip()
    if not strip_invisible(reason).strip():
        raise CaseError(_("Say why the transfer is refused."), field="reason")
    _refuse(
        bounds.text_problem(
            reason,
            what=_("The reason"),
            max_length=_max_length(CaseTransfer, "refusal_reason"),
        ),
        field="reason",
    )
    transfer, case = _locked_transfer(transfer, version)
    _require_transfer_may_become(transfer, TransferStatus.REFUSED)
    transfer.status = TransferStatus.REFUSED
    transfer.decided_by = by
    transfer.decided_on = timezone.localdate()
    transfer.refusal_reason = reason
    save_with_version(
        transfer,
        expected_version=version,
        fields=["status", "decided_by", "decided_on", "refusal_reason"],
    )
    to_agency = transfer.to_agency
    record_on_case(
        case=case,
        kind=EventKind.CASE_TRANSFER_REFUSED,
        by=by,
        summary=lambda: str(_("Transfer refused by %(agency)s") % {"agency": to_agency.name}),
        obj=transfer,
        details={"case": case.code, "to_agency": to_agency.code},
    )
    return transfer


@transaction.atomic
def withdraw_case_transfer(*, transfer: CaseTransfer, by: User, version: int) -> CaseTransfer:
    """A supervisor of the sending agency withdraws the proposal before it is answered."""
    if not (
        supervises_agency(by, transfer.from_agency_id)
        and transfer.case.lead_agency_id == transfer.from_agency_id
    ):
        raise CaseForbidden(_("Only a supervisor of the sending agency may withdraw it."))
    transfer, case = _locked_transfer(transfer, version)
    _require_transfer_may_become(transfer, TransferStatus.WITHDRAWN)
    transfer.status = TransferStatus.WITHDRAWN
    transfer.decided_by = by
    transfer.decided_on = timezone.localdate()
    save_with_version(
        transfer, expected_version=version, fields=["status", "decided_by", "decided_on"]
    )
    to_agency = transfer.to_agency
    record_on_case(
        case=case,
        kind=EventKind.CASE_TRANSFER_WITHDRAWN,
        by=by,
        summary=lambda: str(_("Transfer to %(agency)s withdrawn") % {"agency": to_agency.name}),
        obj=transfer,
        details={"case": case.code, "to_agency": to_agency.code},
    )
    return transfer


# --- technology-facilitated trafficking -----------------------------------------------------


def _platforms_for_role(
    case: Case, role: str, platforms: Iterable[OnlinePlatform]
) -> list[OnlinePlatform]:
    """The chosen platforms, each once; a deactivated one only if the case already has it."""
    chosen = list({platform.pk: platform for platform in platforms}.values())
    kept = set(
        CasePlatform.objects.filter(case_id=case.pk, role=role).values_list(
            "platform_id", flat=True
        )
    )
    if any(not platform.is_active and platform.pk not in kept for platform in chosen):
        raise CaseError(_("This platform is no longer offered."), field=f"{role}_platforms")
    return chosen


@transaction.atomic
def update_case_technology(
    *,
    case: Case,
    by: User,
    expected_version: int,
    exploited_online: bool,
    recruitment_platforms: Iterable[OnlinePlatform],
    control_platforms: Iterable[OnlinePlatform],
    exploitation_platforms: Iterable[OnlinePlatform],
) -> Case:
    """Record how technology served the trafficking: the platforms used to recruit, to
    control and to exploit, and whether the exploitation took place online."""
    require_works_on(by, case)
    _require_open(case)
    chosen = {
        PlatformRole.RECRUITMENT: _platforms_for_role(
            case, PlatformRole.RECRUITMENT, recruitment_platforms
        ),
        PlatformRole.CONTROL: _platforms_for_role(case, PlatformRole.CONTROL, control_platforms),
        PlatformRole.EXPLOITATION: _platforms_for_role(
            case, PlatformRole.EXPLOITATION, exploitation_platforms
        ),
    }
    if any(len(platforms) > bounds.MAX_ITEMS_PER_REQUEST for platforms in chosen.values()):
        raise CaseError(_("Too many platforms."))
    case.exploited_online = exploited_online
    save_with_version(case, expected_version=expected_version, fields=["exploited_online"])
    CasePlatform.objects.filter(case_id=case.pk).delete()
    CasePlatform.objects.bulk_create(
        CasePlatform(case=case, platform=platform, role=role)
        for role, platforms in chosen.items()
        for platform in platforms
    )
    record_on_case(
        case=case,
        kind=EventKind.CASE_TECHNOLOGY_UPDATED,
        by=by,
        summary=lambda: str(_("Online platforms and online exploitation updated")),
        obj=case,
        details={
            "exploited_online": exploited_online,
            **{
                str(role): sorted(platform.code for platform in platforms)
                for role, platforms in chosen.items()
            },
        },
    )
    return case


@transaction.atomic
def add_digital_evidence(
    *,
    case: Case,
    by: User,
    description: str,
    reference: str,
    recorded_on: date | None = None,
) -> DigitalEvidence:
    """Record where a piece of digital evidence is kept (never the content itself)."""
    require_works_on(by, case)
    _require_open(case)
    description, reference = description.strip(), reference.strip()
    for value, field, what, missing in (
        (description, "description", _("The description"), _("Say what the evidence is.")),
        (reference, "reference", _("The reference"), _("Say where the evidence is kept.")),
    ):
        if not strip_invisible(value).strip():
            raise CaseError(missing, field=field)
        _refuse(
            bounds.text_problem(value, what=what, max_length=DigitalEvidence.MAX_LENGTH),
            field=field,
        )
    today = timezone.localdate()
    recorded_on = recorded_on or today
    if recorded_on > today:
        raise CaseError(_("A record cannot be dated in the future."), field="recorded_on")
    _refuse(
        bounds.record_date_problem(recorded_on, what=_("The date"), today=today),
        field="recorded_on",
    )
    evidence = DigitalEvidence.objects.create(
        case=case,
        description=description,
        reference=reference,
        recorded_on=recorded_on,
        recorded_by=by,
    )
    record_on_case(
        case=case,
        kind=EventKind.CASE_DIGITAL_EVIDENCE_ADDED,
        by=by,
        summary=lambda: str(_("Digital evidence reference recorded")),
        obj=evidence,
        details={"case": case.code},
    )
    return evidence
