"""Writes of the returns app. Each re-checks permission, scope and state itself, and writes
the case timeline with its audit row."""

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Governorate
from himaya.cases.actions import clear_case_deadline, set_case_deadline
from himaya.cases.models import Case, DeadlineKind, RiskLevel
from himaya.cases.selectors import cases_visible_to
from himaya.core import bounds, countries
from himaya.core.errors import Message, NotFound
from himaya.core.locking import save_with_version
from himaya.returns import rules, selectors
from himaya.returns.exceptions import ReturnError, ReturnForbidden
from himaya.returns.models import (
    AssessmentPlace,
    FollowUpMethod,
    FollowUpOutcome,
    ReflectionExtension,
    ReflectionPeriod,
    ReturnFollowUp,
    ReturnPlan,
    ReturnRiskAssessment,
    ReturnStatus,
)
from himaya.survivors.selectors import best_interests_refusal
from himaya.timeline.actions import record_on_case
from himaya.timeline.models import EventKind


def _refuse(problem: Message | None, *, field: str | None = None) -> None:
    if problem is not None:
        raise ReturnError(problem, field=field)


def _max_length(model: type[Any], field: str) -> int:
    return int(model._meta.get_field(field).max_length or bounds.MAX_TEXT_LENGTH)


def _check_text(value: str, *, model: type[Any], field: str, what: Message) -> None:
    limit = _max_length(model, field)
    _refuse(bounds.text_problem(value, what=what, max_length=limit), field=field)


def _require_works_on(user: User, case: Case) -> None:
    """Refuse unless the user works on the case: 404 outside the user's scope, 403 inside
    it for a role that may not work on cases."""
    if not cases_visible_to(user).filter(pk=case.pk).exists():
        raise NotFound(_("Not found"))
    if not selectors.may_work(user, case):
        raise ReturnForbidden(_("You may not work on this case."))


def _require_open(case: Case) -> None:
    if case.is_closed:
        raise ReturnError(_("This case is closed: it can no longer be changed."))


def _locked_plan(plan: ReturnPlan) -> ReturnPlan:
    return (
        ReturnPlan.objects.select_for_update(no_key=True, of=("self",))
        .select_related("case__survivor", "destination_governorate")
        .get(pk=plan.pk)
    )


def _place(plan: ReturnPlan) -> str:
    if plan.destination_country:
        return countries.country_name(plan.destination_country)
    return plan.destination_governorate.name if plan.destination_governorate else ""


def _check_destination(country: str, governorate: Governorate | None) -> str:
    country = (country or "").strip().upper()
    if bool(country) == (governorate is not None):
        raise ReturnError(
            _("Give either the country of return or the governorate of return."),
            field="destination_country",
        )
    if country and (not countries.is_country(country) or country == "EG"):
        raise ReturnError(
            _("Choose a country other than Egypt, or a governorate for a return within Egypt."),
            field="destination_country",
        )
    return country


# --- the recovery and reflection period -------------------------------------------------


@transaction.atomic
def grant_reflection_period(*, case: Case, starts_on: date, by: User) -> ReflectionPeriod:
    """Grant the survivor a recovery and reflection period starting on ``starts_on``; its
    end follows from ``HIMAYA_REFLECTION_DAYS`` (configurable, not verified)."""
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    _require_works_on(by, case)
    _require_open(case)
    _refuse(
        bounds.record_date_problem(
            starts_on, what=_("The start of the period"), today=timezone.localdate()
        ),
        field="starts_on",
    )
    if starts_on > timezone.localdate():
        raise ReturnError(_("The period cannot start in the future."), field="starts_on")
    if ReflectionPeriod.objects.filter(case=case).exists():
        raise ReturnError(_("This case already has a reflection period: extend it instead."))
    days = selectors.reflection_days()
    try:
        with transaction.atomic():
            period = ReflectionPeriod.objects.create(
                case=case,
                starts_on=starts_on,
                days=days,
                ends_on=rules.reflection_ends_on(starts_on, days),
                granted_by=by,
            )
    except IntegrityError as error:  # a simultaneous grant won the race
        raise ReturnError(_("This case already has a reflection period.")) from error
    record_on_case(
        case=case,
        kind=EventKind.REFLECTION_GRANTED,
        by=by,
        summary=lambda: str(
            _("Reflection period from %(start)s to %(end)s")
            % {"start": period.starts_on.isoformat(), "end": period.ends_on.isoformat()}
        ),
        obj=period,
        details={"case": case.code, "days": days},
    )
    return period


@transaction.atomic
def extend_reflection_period(
    *, period: ReflectionPeriod, days: int, reason: str, expected_version: int, by: User
) -> ReflectionPeriod:
    """Extend the period by ``days`` days, for a reason."""
    period = (
        ReflectionPeriod.objects.select_for_update(no_key=True, of=("self",))
        .select_related("case")
        .get(pk=period.pk)
    )
    _require_works_on(by, period.case)
    _require_open(period.case)
    reason = reason.strip()
    if not reason:
        raise ReturnError(_("Give the reason for the extension."), field="reason")
    _check_text(reason, model=ReflectionExtension, field="reason", what=_("The reason"))
    if not 1 <= days <= rules.MAX_EXTENSION_DAYS:
        raise ReturnError(
            _("An extension adds between 1 and %(max)s days.") % {"max": rules.MAX_EXTENSION_DAYS},
            field="days",
        )
    if ReturnPlan.objects.filter(
        case=period.case, status__in=[ReturnStatus.APPROVED, ReturnStatus.TRAVELLED]
    ).exists():
        raise ReturnError(
            _("A return is already approved: cancel it before extending the reflection period.")
        )
    previous = period.ends_on
    period.ends_on = previous + timedelta(days=days)
    save_with_version(period, expected_version=expected_version, fields=["ends_on"])
    ReflectionExtension.objects.create(
        period=period,
        days=days,
        previous_ends_on=previous,
        ends_on=period.ends_on,
        reason=reason,
        granted_on=timezone.localdate(),
        granted_by=by,
    )
    record_on_case(
        case=period.case,
        kind=EventKind.REFLECTION_EXTENDED,
        by=by,
        summary=lambda: str(
            _("Reflection period extended by %(days)s days, to %(end)s")
            % {"days": days, "end": period.ends_on.isoformat()}
        ),
        obj=period,
        details={"case": period.case.code, "days": days},
    )
    return period


# --- the return plan --------------------------------------------------------------------


@transaction.atomic
def plan_return(
    *,
    case: Case,
    by: User,
    destination_country: str = "",
    destination_governorate: Governorate | None = None,
) -> ReturnPlan:
    """Open a return plan for the case, to a country or to a governorate of origin."""
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    _require_works_on(by, case)
    _require_open(case)
    country = _check_destination(destination_country, destination_governorate)
    if ReturnPlan.objects.filter(case=case).exclude(status=ReturnStatus.CANCELLED).exists():
        raise ReturnError(_("This case already has a return plan."))
    try:
        with transaction.atomic():
            plan = ReturnPlan.objects.create(
                case=case,
                destination_country=country,
                destination_governorate=destination_governorate,
                created_by=by,
            )
    except IntegrityError as error:
        raise ReturnError(_("This case already has a return plan.")) from error
    record_on_case(
        case=case,
        kind=EventKind.RETURN_PLANNED,
        by=by,
        summary=lambda: str(_("Return to %(place)s planned") % {"place": _place(plan)}),
        obj=plan,
        details={"case": case.code},
    )
    return plan


def _require_editable(plan: ReturnPlan, *statuses: str) -> None:
    if plan.status not in statuses:
        raise ReturnError(
            _("A return plan that is %(status)s can no longer be changed this way.")
            % {"status": ReturnStatus(plan.status).label}
        )


@transaction.atomic
def update_return_plan(
    *,
    plan: ReturnPlan,
    expected_version: int,
    by: User,
    destination_country: str = "",
    destination_governorate: Governorate | None = None,
    receiving_organisation: str = "",
    receiving_country: str = "",
    receiving_contact: str = "",
    travel_planned_on: date | None = None,
    travel_documents_ready: bool = False,
    escorted: bool = False,
) -> ReturnPlan:
    """Change the destination, the receiving organisation and the travel arrangements of a
    plan not yet travelled. No travel date falls inside the reflection period."""
    plan = _locked_plan(plan)
    _require_works_on(by, plan.case)
    _require_open(plan.case)
    _require_editable(plan, ReturnStatus.PLANNED, ReturnStatus.APPROVED)
    country = _check_destination(destination_country, destination_governorate)
    receiving_country = (receiving_country or "").strip().upper()
    if receiving_country and not countries.is_country(receiving_country):
        raise ReturnError(_("Choose a country."), field="receiving_country")
    _check_text(
        receiving_organisation,
        model=ReturnPlan,
        field="receiving_organisation",
        what=_("The organisation's name"),
    )
    _refuse(
        bounds.text_problem(receiving_contact, what=_("The contact")), field="receiving_contact"
    )
    if travel_planned_on is not None:
        _refuse(
            bounds.plan_date_problem(
                travel_planned_on, what=_("The travel date"), today=timezone.localdate()
            ),
            field="travel_planned_on",
        )
        _refuse(
            rules.travel_date_problem(
                travel_planned_on, reflection=selectors.reflection_dates(plan.case)
            ),
            field="travel_planned_on",
        )
    if plan.status == ReturnStatus.APPROVED and travel_planned_on is None:
        raise ReturnError(_("An approved return keeps a travel date."), field="travel_planned_on")
    fields = {
        "destination_country": country,
        "destination_governorate": destination_governorate,
        "receiving_organisation": receiving_organisation.strip(),
        "receiving_country": receiving_country,
        "receiving_contact": receiving_contact.strip(),
        "travel_planned_on": travel_planned_on,
        "travel_documents_ready": travel_documents_ready,
        "escorted": escorted,
    }
    for name, value in fields.items():
        setattr(plan, name, value)
    save_with_version(plan, expected_version=expected_version, fields=list(fields))
    record_on_case(
        case=plan.case,
        kind=EventKind.RETURN_UPDATED,
        by=by,
        summary=lambda: str(_("Return to %(place)s updated") % {"place": _place(plan)}),
        obj=plan,
        details={"case": plan.case.code, "documents_ready": travel_documents_ready},
    )
    return plan


@transaction.atomic
def record_informed_choice(
    *,
    plan: ReturnPlan,
    expected_version: int,
    by: User,
    recorded_on: date,
    options_explained: str,
    chose_return: bool,
    note: str = "",
) -> ReturnPlan:
    """Record the survivor's informed choice: the options explained and whether she or he
    chose to return."""
    plan = _locked_plan(plan)
    _require_works_on(by, plan.case)
    _require_open(plan.case)
    _require_editable(plan, ReturnStatus.PLANNED)
    options_explained = options_explained.strip()
    if not options_explained:
        raise ReturnError(
            _("Say which options were explained to the survivor."), field="options_explained"
        )
    _refuse(
        bounds.text_problem(options_explained, what=_("The options explained")),
        field="options_explained",
    )
    _check_text(note, model=ReturnPlan, field="choice_note", what=_("The note"))
    today = timezone.localdate()
    if recorded_on > today:
        raise ReturnError(_("The choice cannot be recorded in the future."), field="recorded_on")
    _refuse(
        bounds.record_date_problem(recorded_on, what=_("The date of the choice"), today=today),
        field="recorded_on",
    )
    plan.choice_recorded_on = recorded_on
    plan.choice_recorded_by = by
    plan.options_explained = options_explained
    plan.chose_return = chose_return
    plan.choice_note = note.strip()
    save_with_version(
        plan,
        expected_version=expected_version,
        fields=[
            "choice_recorded_on",
            "choice_recorded_by",
            "options_explained",
            "chose_return",
            "choice_note",
        ],
    )
    record_on_case(
        case=plan.case,
        kind=EventKind.RETURN_CHOICE_RECORDED,
        by=by,
        summary=lambda: str(
            _("The survivor chose to return")
            if chose_return
            else _("The survivor chose not to return")
        ),
        obj=plan,
        details={"case": plan.case.code, "chose_return": chose_return},
    )
    return plan


@transaction.atomic
def assess_return_risk(
    *,
    plan: ReturnPlan,
    place: str,
    level: str,
    assessed_on: date,
    by: User,
    factors: str = "",
) -> ReturnRiskAssessment:
    """Record (or replace) the pre-return risk assessment in Egypt or at the place of return."""
    plan = _locked_plan(plan)
    _require_works_on(by, plan.case)
    _require_open(plan.case)
    _require_editable(plan, ReturnStatus.PLANNED)
    if place not in AssessmentPlace.values:
        raise ReturnError(_("Choose where the risk was assessed."), field="place")
    if level not in RiskLevel.values:
        raise ReturnError(_("Choose a risk level."), field="level")
    today = timezone.localdate()
    if assessed_on > today:
        raise ReturnError(_("An assessment cannot be dated in the future."), field="assessed_on")
    _refuse(
        bounds.record_date_problem(assessed_on, what=_("The date of the assessment"), today=today),
        field="assessed_on",
    )
    _refuse(bounds.text_problem(factors, what=_("The risk factors")), field="factors")
    assessment = ReturnRiskAssessment.objects.filter(plan=plan, place=place).first()
    if assessment is None:
        assessment = ReturnRiskAssessment.objects.create(
            plan=plan,
            place=place,
            level=level,
            factors=factors.strip(),
            assessed_on=assessed_on,
            assessed_by=by,
        )
    else:
        assessment.level = level
        assessment.factors = factors.strip()
        assessment.assessed_on = assessed_on
        assessment.assessed_by = by
        save_with_version(
            assessment,
            expected_version=assessment.version,
            fields=["level", "factors", "assessed_on", "assessed_by"],
        )
    record_on_case(
        case=plan.case,
        kind=EventKind.RETURN_RISK_ASSESSED,
        by=by,
        summary=lambda: f"{AssessmentPlace(place).label}: {RiskLevel(level).label}",
        obj=plan,
        details={"case": plan.case.code, "place": place, "level": level},
    )
    return assessment


def _move(
    plan: ReturnPlan,
    *,
    to: str,
    expected_version: int,
    by: User,
    kind: EventKind,
    fields: dict[str, Any],
) -> ReturnPlan:
    if not rules.can_move(plan.status, to):
        raise ReturnError(
            _("A return plan cannot move from %(from)s to %(to)s.")
            % {"from": ReturnStatus(plan.status).label, "to": ReturnStatus(to).label}
        )
    previous = plan.status
    plan.status = to
    for name, value in fields.items():
        setattr(plan, name, value)
    save_with_version(plan, expected_version=expected_version, fields=["status", *fields])
    record_on_case(
        case=plan.case,
        kind=kind,
        by=by,
        summary=lambda: f"{_place(plan)}: {ReturnStatus(to).label}",
        obj=plan,
        details={"case": plan.case.code, "from": previous, "to": to},
    )
    return plan


@transaction.atomic
def approve_return(*, plan: ReturnPlan, expected_version: int, by: User) -> ReturnPlan:
    """A supervisor of the lead agency approves the return: the survivor chose it, both
    risk assessments are on file, the reflection period is over (today and on the travel
    date), and for a presumed child a best-interests determination favours it."""
    plan = _locked_plan(plan)
    _require_works_on(by, plan.case)
    if not selectors.may_approve(by, plan):
        raise ReturnForbidden(_("Only a supervisor of the lead agency may approve a return."))
    _require_open(plan.case)
    if not rules.can_move(plan.status, ReturnStatus.APPROVED):
        raise ReturnError(
            _("A return plan cannot move from %(from)s to %(to)s.")
            % {
                "from": ReturnStatus(plan.status).label,
                "to": ReturnStatus.APPROVED.label,
            }
        )
    if plan.travel_planned_on is None:
        raise ReturnError(_("Plan the travel date first."), field="travel_planned_on")
    problems = rules.approval_problems(
        chose_return=plan.chose_return,
        assessed_places=plan.risk_assessments.values_list("place", flat=True),
        today=timezone.localdate(),
        reflection=selectors.reflection_dates(plan.case),
        travel_planned_on=plan.travel_planned_on,
    )
    if problems:
        raise ReturnError(problems[0][1], errors={field: [message] for field, message in problems})
    refusal = best_interests_refusal(survivor=plan.case.survivor, purpose="return")
    if refusal is not None:
        raise refusal
    return _move(
        plan,
        to=ReturnStatus.APPROVED,
        expected_version=expected_version,
        by=by,
        kind=EventKind.RETURN_APPROVED,
        fields={"approved_on": timezone.localdate(), "approved_by": by},
    )


@transaction.atomic
def record_departure(
    *, plan: ReturnPlan, departed_on: date, expected_version: int, by: User
) -> ReturnPlan:
    """The survivor left: an approved return becomes travelled."""
    plan = _locked_plan(plan)
    _require_works_on(by, plan.case)
    _require_open(plan.case)
    today = timezone.localdate()
    if departed_on > today:
        raise ReturnError(
            _("A departure cannot be recorded before it happens."), field="departed_on"
        )
    _refuse(
        bounds.record_date_problem(departed_on, what=_("The departure date"), today=today),
        field="departed_on",
    )
    _refuse(
        rules.travel_date_problem(departed_on, reflection=selectors.reflection_dates(plan.case)),
        field="departed_on",
    )
    return _move(
        plan,
        to=ReturnStatus.TRAVELLED,
        expected_version=expected_version,
        by=by,
        kind=EventKind.RETURN_DEPARTED,
        fields={"departed_on": departed_on},
    )


def _keep_next_follow_up_on_worklist(plan: ReturnPlan) -> None:
    """The case's worklist shows the plan's next follow-up not yet done (none when all are)."""
    next_due = (
        None
        if plan.status == ReturnStatus.CANCELLED
        else plan.follow_ups.filter(done_on__isnull=True).aggregate(next=Min("due_on"))["next"]
    )
    if next_due is None:
        clear_case_deadline(
            case=plan.case, kind=DeadlineKind.FOLLOW_UP_VISIT, source_code=plan.code
        )
    else:
        set_case_deadline(
            case=plan.case,
            kind=DeadlineKind.FOLLOW_UP_VISIT,
            due_on=next_due,
            source_code=plan.code,
        )


@transaction.atomic
def record_arrival(
    *, plan: ReturnPlan, arrived_on: date, expected_version: int, by: User
) -> ReturnPlan:
    """The survivor arrived: the contacts at 3, 6 and 12 months are planned and the next
    one goes on the case's worklist."""
    plan = _locked_plan(plan)
    _require_works_on(by, plan.case)
    _require_open(plan.case)
    if plan.status != ReturnStatus.TRAVELLED:
        raise ReturnError(_("Record the departure before the arrival."))
    if plan.arrived_on is not None:
        raise ReturnError(_("The arrival is already recorded."))
    today = timezone.localdate()
    if arrived_on > today:
        raise ReturnError(_("An arrival cannot be recorded before it happens."), field="arrived_on")
    if plan.departed_on is not None and arrived_on < plan.departed_on:
        raise ReturnError(_("The arrival cannot come before the departure."), field="arrived_on")
    plan.arrived_on = arrived_on
    save_with_version(plan, expected_version=expected_version, fields=["arrived_on"])
    ReturnFollowUp.objects.bulk_create(
        ReturnFollowUp(plan=plan, months=months, due_on=due_on)
        for months, due_on in rules.follow_up_schedule(arrived_on)
    )
    record_on_case(
        case=plan.case,
        kind=EventKind.RETURN_ARRIVED,
        by=by,
        summary=lambda: str(
            _("Arrived in %(place)s on %(day)s")
            % {"place": _place(plan), "day": arrived_on.isoformat()}
        ),
        obj=plan,
        details={"case": plan.case.code, "follow_ups": len(rules.FOLLOW_UP_MONTHS)},
    )
    _keep_next_follow_up_on_worklist(plan)
    return plan


@transaction.atomic
def complete_return(*, plan: ReturnPlan, expected_version: int, by: User) -> ReturnPlan:
    """The return is complete once the arrival is recorded; follow-ups go on."""
    plan = _locked_plan(plan)
    _require_works_on(by, plan.case)
    _require_open(plan.case)
    if plan.status == ReturnStatus.TRAVELLED and plan.arrived_on is None:
        raise ReturnError(_("Record the arrival before completing the return."))
    return _move(
        plan,
        to=ReturnStatus.COMPLETED,
        expected_version=expected_version,
        by=by,
        kind=EventKind.RETURN_COMPLETED,
        fields={},
    )


@transaction.atomic
def cancel_return(*, plan: ReturnPlan, reason: str, expected_version: int, by: User) -> ReturnPlan:
    """Cancel a return not yet travelled, for a reason (the survivor's choice, a risk…)."""
    plan = _locked_plan(plan)
    _require_works_on(by, plan.case)
    _require_open(plan.case)
    reason = reason.strip()
    if not reason:
        raise ReturnError(_("Give the reason for cancelling."), field="reason")
    _check_text(reason, model=ReturnPlan, field="cancel_reason", what=_("The reason"))
    plan = _move(
        plan,
        to=ReturnStatus.CANCELLED,
        expected_version=expected_version,
        by=by,
        kind=EventKind.RETURN_CANCELLED,
        fields={"cancel_reason": reason},
    )
    _keep_next_follow_up_on_worklist(plan)
    return plan


@transaction.atomic
def record_follow_up(
    *,
    follow_up: ReturnFollowUp,
    done_on: date,
    method: str,
    outcome: str,
    expected_version: int,
    by: User,
    note: str = "",
) -> ReturnFollowUp:
    """Record a contact with the survivor after return and what it found."""
    follow_up = (
        ReturnFollowUp.objects.select_for_update(no_key=True, of=("self",))
        .select_related("plan__case")
        .get(pk=follow_up.pk)
    )
    plan = follow_up.plan
    _require_works_on(by, plan.case)
    _require_open(plan.case)
    if follow_up.done_on is not None:
        raise ReturnError(_("This follow-up is already recorded."))
    if method not in FollowUpMethod.values:
        raise ReturnError(_("Choose how the contact was made."), field="method")
    if outcome not in FollowUpOutcome.values:
        raise ReturnError(_("Choose what the contact found."), field="outcome")
    today = timezone.localdate()
    if done_on > today:
        raise ReturnError(_("A follow-up cannot be recorded before it happens."), field="done_on")
    if plan.arrived_on is not None and done_on < plan.arrived_on:
        raise ReturnError(_("A follow-up cannot come before the arrival."), field="done_on")
    _check_text(note, model=ReturnFollowUp, field="note", what=_("The note"))
    follow_up.done_on = done_on
    follow_up.method = method
    follow_up.outcome = outcome
    follow_up.note = note.strip()
    follow_up.recorded_by = by
    save_with_version(
        follow_up,
        expected_version=expected_version,
        fields=["done_on", "method", "outcome", "note", "recorded_by"],
    )
    record_on_case(
        case=plan.case,
        kind=EventKind.RETURN_FOLLOW_UP_RECORDED,
        by=by,
        summary=lambda: str(
            _("Follow-up at %(months)s months: %(outcome)s")
            % {"months": follow_up.months, "outcome": FollowUpOutcome(outcome).label}
        ),
        obj=plan,
        details={"case": plan.case.code, "months": follow_up.months, "outcome": outcome},
    )
    _keep_next_follow_up_on_worklist(plan)
    return follow_up
