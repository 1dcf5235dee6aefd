"""Writes of the cases app. Every write with a rule goes through a function here."""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency, Governorate, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.audit.actions import record_event
from himaya.cases import rules
from himaya.cases.exceptions import CaseError, CaseForbidden, FourEyesError
from himaya.cases.models import (
    CarePlan,
    CarePlanGoal,
    CarePlanStatus,
    Case,
    CaseEvent,
    ClosureReason,
    ClosureRequest,
    ClosureStatus,
    ExploitationForm,
    Phase,
    PhaseChange,
    RiskAssessment,
    RiskFactor,
    RiskLevel,
)
from himaya.core import bounds
from himaya.core.locking import save_with_version
from himaya.survivors.models import Survivor


def in_both_languages(summary: str | Callable[[], str]) -> tuple[str, str]:
    """The summary written in Arabic and in English (a plain string is kept as it is)."""
    if not callable(summary):
        return str(summary)[:500], str(summary)[:500]
    with translation.override("ar"):
        arabic = str(summary())
    with translation.override("en"):
        english = str(summary())
    return arabic[:500], english[:500]


@transaction.atomic
def record_case_event(
    *,
    case: Case,
    kind: str,
    by: Any = None,
    summary: str | Callable[[], str] = "",
    object_code: str = "",
) -> CaseEvent:
    """Append a line to the case's timeline (other apps call this for their own events).

    Pass ``summary`` as a function that builds the text (``lambda: _("…") % {…}``): it is
    written once in each language, so that everyone reads the timeline in their own.
    """
    arabic, english = in_both_languages(summary)
    return CaseEvent.objects.create(
        case=case,
        occurred_at=timezone.now(),
        kind=kind,
        summary=arabic,
        summary_en=english,
        actor=by if getattr(by, "is_authenticated", False) else None,
        object_code=object_code,
    )


# --- checks shared by the actions -------------------------------------------------------


def works_on(user: Any, case: Case) -> bool:
    """Whether the user is a case worker or supervisor of the case's lead agency."""
    return bool(
        user.has_perm("cases.work_cases")
        and case.lead_agency_id in agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    )


def supervises(user: Any, case: Case) -> bool:
    """Whether the user is a supervisor of the case's lead agency."""
    return bool(
        user.has_perm("cases.supervise")
        and case.lead_agency_id in agency_ids_for(user, Role.SUPERVISOR)
    )


def _require_works_on(user: Any, case: Case) -> None:
    if not works_on(user, case):
        raise CaseForbidden(_("You may not work on this case."))


def _require_supervises(user: Any, case: Case) -> None:
    if not supervises(user, case):
        raise CaseForbidden(_("Only a supervisor of the lead agency may decide this."))


def _require_open(case: Case) -> None:
    if case.phase == Phase.CLOSED:
        raise CaseError(_("This case is closed: it can no longer be changed."))


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _refuse(problem: bounds.Message | None) -> None:
    """Raise the refusal a bound check found, if any."""
    if problem is not None:
        raise CaseError(problem)


def _max_length(model: type[Any], field: str) -> int:
    return int(model._meta.get_field(field).max_length or bounds.MAX_TEXT_LENGTH)


def _check_case_details(
    *,
    first_contact_on: date,
    identified_on: date | None,
    screening_code: str,
    country_of_exploitation: str,
) -> None:
    """The identification details typed by a person are within bounds."""
    today = timezone.localdate()
    if identified_on is not None and identified_on < first_contact_on:
        raise CaseError(_("The identification date cannot be before the first contact."))
    if first_contact_on > today:
        raise CaseError(_("The first contact cannot be in the future."))
    _refuse(
        bounds.record_date_problem(
            first_contact_on, what=_("The date of first contact"), today=today
        )
    )
    _refuse(
        bounds.record_date_problem(identified_on, what=_("The identification date"), today=today)
    )
    _refuse(
        bounds.text_problem(
            screening_code,
            what=_("The screening reference"),
            max_length=_max_length(Case, "screening_code"),
        )
    )
    country = country_of_exploitation
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise CaseError(_("Enter a two-letter country code."))


# --- cases ------------------------------------------------------------------------------


@transaction.atomic
def open_case(
    *,
    survivor: Survivor,
    by: Any,
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
    case_worker: Any = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case for a survivor, led by one of the user's agencies, in identification."""
    if not by.has_perm("cases.work_cases") or lead_agency.pk not in agency_ids_for(
        by, Role.CASE_WORKER, Role.SUPERVISOR
    ):
        raise CaseForbidden(_("You may open cases only for your own agency."))
    if not survivor.is_active:
        raise CaseError(_("This survivor's record is no longer active."))
    from himaya.cases.selectors import survivor_for_case

    if survivor_for_case(by, survivor.code) is None:
        raise CaseForbidden(_("No survivor with this code is known to you."))
    _check_case_details(
        first_contact_on=first_contact_on,
        identified_on=identified_on,
        screening_code=screening_code,
        country_of_exploitation=country_of_exploitation,
    )
    worker = case_worker or by
    if worker != by and lead_agency.pk not in agency_ids_for(worker, Role.CASE_WORKER):
        raise CaseError(_("The case worker must be a case worker of the lead agency."))
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
    )
    case.exploitation_forms.set(list(exploitation_forms))
    PhaseChange.objects.create(
        case=case,
        from_phase="",
        to_phase=Phase.IDENTIFICATION,
        changed_on=identified_on or first_contact_on,
        changed_by=by,
    )
    record_case_event(
        case=case,
        kind="case.opened",
        by=by,
        summary=lambda: str(_("Case opened in identification")),
        object_code=case.code,
    )
    record_event(
        action="case.opened",
        actor=by,
        obj=case,
        request=request,
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
    by: Any,
    expected_version: int,
    changes: dict[str, Any],
    exploitation_forms: Iterable[ExploitationForm] | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Change the identification details of a case (refused if someone saved it meanwhile)."""
    _require_works_on(by, case)
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
    )
    save_with_version(case, expected_version=expected_version, fields=list(changes))
    if exploitation_forms is not None:
        case.exploitation_forms.set(list(exploitation_forms))
    record_case_event(
        case=case,
        kind="case.updated",
        by=by,
        summary=lambda: str(_("Identification details updated")),
        object_code=case.code,
    )
    record_event(
        action="case.updated",
        actor=by,
        obj=case,
        request=request,
        details={"fields": sorted(changes)},
    )
    return case


@transaction.atomic
def move_case(
    *,
    case: Case,
    to_phase: str,
    by: Any,
    expected_version: int,
    on: date | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Move a case to another phase allowed by ``TRANSITIONS`` (closing goes by approval)."""
    _require_works_on(by, case)
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
    PhaseChange.objects.create(
        case=case, from_phase=from_phase, to_phase=to_phase, changed_on=on, changed_by=by
    )
    record_case_event(
        case=case,
        kind="case.phase_changed",
        by=by,
        summary=lambda: str(
            _("Moved from %(from)s to %(to)s")
            % {"from": Phase(from_phase).label, "to": Phase(to_phase).label}
        ),
        object_code=case.code,
    )
    record_event(
        action="case.phase_changed",
        actor=by,
        obj=case,
        request=request,
        details={"from": from_phase, "to": to_phase},
    )
    return case


@transaction.atomic
def request_closure(
    *,
    case: Case,
    by: Any,
    reason: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> ClosureRequest:
    """Ask for the case to be closed with a reason; a supervisor approves it."""
    _require_works_on(by, case)
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
    closure = ClosureRequest.objects.create(case=case, reason=reason, note=note, requested_by=by)
    record_case_event(
        case=case,
        kind="case.closure_requested",
        by=by,
        summary=lambda: str(
            _("Closure requested: %(reason)s") % {"reason": ClosureReason(reason).label}
        ),
        object_code=closure.code,
    )
    record_event(
        action="case.closure_requested",
        actor=by,
        obj=closure,
        request=request,
        details={"case": case.code, "reason": reason},
    )
    return closure


@transaction.atomic
def decide_closure(
    *,
    closure: ClosureRequest,
    by: Any,
    approve: bool,
    expected_version: int,
    request: HttpRequest | None = None,
) -> ClosureRequest:
    """A supervisor of the lead agency (not the requester) approves or refuses a closure."""
    case = _locked(closure.case)
    _require_supervises(by, case)
    if closure.status != ClosureStatus.PENDING:
        raise CaseError(_("This closure request was already decided."))
    if not rules.is_four_eyes(author_id=closure.requested_by_id, decider_id=by.pk):
        raise FourEyesError(_("You cannot decide on your own request."))
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
        PhaseChange.objects.create(
            case=case, from_phase=from_phase, to_phase=Phase.CLOSED, changed_on=today, changed_by=by
        )
    record_case_event(
        case=case,
        kind="case.closed" if approve else "case.closure_refused",
        by=by,
        summary=lambda: str(_("Closure approved") if approve else _("Closure refused")),
        object_code=closure.code,
    )
    record_event(
        action="case.closure_approved" if approve else "case.closure_refused",
        actor=by,
        obj=closure,
        request=request,
        details={"case": case.code, "reason": closure.reason},
    )
    return closure


@transaction.atomic
def reassign_case(
    *,
    case: Case,
    to_worker: Any,
    by: Any,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Case:
    """A supervisor gives the case to another case worker of the lead agency."""
    _require_supervises(by, case)
    _require_open(case)
    if case.lead_agency_id not in agency_ids_for(to_worker, Role.CASE_WORKER):
        raise CaseError(_("The new case worker must be a case worker of the lead agency."))
    previous = case.case_worker_id
    case.case_worker = to_worker
    save_with_version(case, expected_version=expected_version, fields=["case_worker"])
    record_case_event(
        case=case,
        kind="case.reassigned",
        by=by,
        summary=lambda: str(_("Case reassigned to %(user)s") % {"user": to_worker.get_username()}),
        object_code=case.code,
    )
    record_event(
        action="case.reassigned",
        actor=by,
        obj=case,
        request=request,
        details={"from_user": previous, "to_user": to_worker.pk},
    )
    return case


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
    by: Any,
    level: str,
    factors: Iterable[str],
    assessed_on: date,
    note: str = "",
    request: HttpRequest | None = None,
) -> RiskAssessment:
    """Record a (new) risk assessment of the case; assessments are repeated over time."""
    _require_works_on(by, case)
    _require_open(case)
    factor_list = _clean_risk(level, factors, assessed_on, note)
    assessment = RiskAssessment.objects.create(
        case=case, level=level, factors=factor_list, assessed_on=assessed_on, assessor=by, note=note
    )
    record_case_event(
        case=case,
        kind="case.risk_assessed",
        by=by,
        summary=lambda: str(_("Risk assessed: %(level)s") % {"level": RiskLevel(level).label}),
        object_code=assessment.code,
    )
    record_event(
        action="case.risk_assessed",
        actor=by,
        obj=assessment,
        request=request,
        details={"case": case.code, "level": level},
    )
    return assessment


@transaction.atomic
def update_risk_assessment(
    *,
    assessment: RiskAssessment,
    by: Any,
    expected_version: int,
    level: str,
    factors: Iterable[str],
    assessed_on: date,
    note: str = "",
    request: HttpRequest | None = None,
) -> RiskAssessment:
    _require_works_on(by, assessment.case)
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
    record_case_event(
        case=assessment.case,
        kind="case.risk_updated",
        by=by,
        summary=lambda: str(
            _("Risk assessment corrected: %(level)s") % {"level": RiskLevel(level).label}
        ),
        object_code=assessment.code,
    )
    record_event(
        action="case.risk_updated",
        actor=by,
        obj=assessment,
        request=request,
        details={"case": assessment.case.code, "level": level},
    )
    return assessment


# --- care plans -------------------------------------------------------------------------


def _require_plan_editable(plan: CarePlan) -> None:
    if plan.status not in {CarePlanStatus.DRAFT, CarePlanStatus.RETURNED}:
        raise CaseError(_("Only a draft or returned care plan can be changed."))


def _check_summary(summary: str) -> None:
    _refuse(
        bounds.text_problem(
            summary, what=_("The summary"), max_length=_max_length(CarePlan, "summary")
        )
    )


def _check_goal(description: str, target_on: date | None) -> None:
    if not description.strip():
        raise CaseError(_("Describe the goal."))
    _refuse(
        bounds.text_problem(
            description.strip(),
            what=_("The goal"),
            max_length=_max_length(CarePlanGoal, "description"),
        )
    )
    _refuse(
        bounds.plan_date_problem(target_on, what=_("The target date"), today=timezone.localdate())
    )


@transaction.atomic
def create_care_plan(
    *, case: Case, by: Any, summary: str = "", request: HttpRequest | None = None
) -> CarePlan:
    _require_works_on(by, case)
    _require_open(case)
    if case.care_plans.exclude(status=CarePlanStatus.APPROVED).exists():
        raise CaseError(_("This case already has a care plan in preparation."))
    _check_summary(summary)
    plan = CarePlan.objects.create(case=case, summary=summary, author=by)
    record_case_event(
        case=case,
        kind="care_plan.created",
        by=by,
        summary=lambda: str(_("Care plan drafted")),
        object_code=plan.code,
    )
    record_event(
        action="care_plan.created",
        actor=by,
        obj=plan,
        request=request,
        details={"case": case.code},
    )
    return plan


@transaction.atomic
def update_care_plan(
    *,
    plan: CarePlan,
    by: Any,
    expected_version: int,
    summary: str,
    request: HttpRequest | None = None,
) -> CarePlan:
    _require_works_on(by, plan.case)
    _require_plan_editable(plan)
    _check_summary(summary)
    plan.summary = summary
    save_with_version(plan, expected_version=expected_version, fields=["summary"])
    record_case_event(
        case=plan.case,
        kind="care_plan.updated",
        by=by,
        summary=lambda: str(_("Care plan updated")),
        object_code=plan.code,
    )
    record_event(action="care_plan.updated", actor=by, obj=plan, request=request)
    return plan


@transaction.atomic
def add_care_plan_goal(
    *,
    plan: CarePlan,
    by: Any,
    description: str,
    target_on: date | None = None,
    request: HttpRequest | None = None,
) -> CarePlanGoal:
    _require_works_on(by, plan.case)
    _require_plan_editable(plan)
    _check_goal(description, target_on)
    goal = CarePlanGoal.objects.create(
        care_plan=plan, description=description.strip(), target_on=target_on
    )
    record_case_event(
        case=plan.case,
        kind="care_plan.goal_added",
        by=by,
        summary=lambda: str(_("Goal added to the care plan")),
        object_code=goal.code,
    )
    record_event(
        action="care_plan.goal_added",
        actor=by,
        obj=goal,
        request=request,
        details={"care_plan": plan.code},
    )
    return goal


@transaction.atomic
def update_care_plan_goal(
    *,
    goal: CarePlanGoal,
    by: Any,
    expected_version: int,
    description: str,
    target_on: date | None,
    is_achieved: bool,
    request: HttpRequest | None = None,
) -> CarePlanGoal:
    """Correct a goal (while the plan is editable) or mark it achieved (any time)."""
    plan = goal.care_plan
    _require_works_on(by, plan.case)
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
    record_case_event(
        case=plan.case,
        kind="care_plan.goal_updated",
        by=by,
        summary=lambda: str(_("Goal achieved") if is_achieved else _("Goal updated")),
        object_code=goal.code,
    )
    record_event(action="care_plan.goal_updated", actor=by, obj=goal, request=request)
    return goal


@transaction.atomic
def submit_care_plan(
    *, plan: CarePlan, by: Any, expected_version: int, request: HttpRequest | None = None
) -> CarePlan:
    """The author submits the plan for a supervisor's approval."""
    _require_works_on(by, plan.case)
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
    record_case_event(
        case=plan.case,
        kind="care_plan.submitted",
        by=by,
        summary=lambda: str(_("Care plan submitted for approval")),
        object_code=plan.code,
    )
    record_event(action="care_plan.submitted", actor=by, obj=plan, request=request)
    return plan


@transaction.atomic
def decide_care_plan(
    *,
    plan: CarePlan,
    by: Any,
    approve: bool,
    expected_version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> CarePlan:
    """A supervisor of the lead agency other than the author approves or returns the plan."""
    _require_supervises(by, plan.case)
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
    record_case_event(
        case=plan.case,
        kind="care_plan.approved" if approve else "care_plan.returned",
        by=by,
        summary=lambda: str(
            _("Care plan approved") if approve else _("Care plan returned for changes")
        ),
        object_code=plan.code,
    )
    record_event(
        action="care_plan.approved" if approve else "care_plan.returned",
        actor=by,
        obj=plan,
        request=request,
        details={"case": plan.case.code},
    )
    return plan
