"""Writes of the empowerment app. Each re-checks permission, scope and state itself."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Governorate
from himaya.audit.actions import record_event
from himaya.cases.actions import clear_case_deadline, set_case_deadline
from himaya.cases.models import Case, DeadlineKind
from himaya.core import bounds
from himaya.core.locking import save_with_version
from himaya.empowerment import rules
from himaya.empowerment.exceptions import EmpowermentError, EmpowermentForbidden
from himaya.empowerment.models import (
    TRANSITIONS,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Project,
    ProjectStatus,
    Visit,
)
from himaya.empowerment.selectors import eligibility_for, may_manage, may_refer_from
from himaya.timeline.actions import record_on_case
from himaya.timeline.models import EventKind


def _summary(enrolment: Enrolment, status: str) -> str:
    label = EnrolmentStatus(status).label
    programme = enrolment.programme
    return f"{programme.name_ar} / {programme.name_en}: {label}"


def _require_officer(user: User, programme: Programme) -> None:
    if not may_manage(user, programme):
        raise EmpowermentForbidden(
            _("Only an empowerment officer of the programme's managing agency may do this.")
        )


def _refuse(problem: bounds.Message | None) -> None:
    """Raise the refusal a bound check found, if any."""
    if problem is not None:
        raise EmpowermentError(problem)


def _max_length(model: type[Any], field: str) -> int:
    return int(model._meta.get_field(field).max_length or bounds.MAX_TEXT_LENGTH)


def _locked_enrolment(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update(no_key=True)
        .select_related("programme", "case")
        .get(pk=enrolment.pk)
    )


@transaction.atomic
def refer_survivor(
    *,
    case: Case,
    programme: Programme,
    household_role: str,
    by: User,
    note: str = "",
) -> Enrolment:
    """Refer the survivor of ``case`` to ``programme`` if the rules allow it."""
    if not may_refer_from(by, case):
        raise EmpowermentForbidden(_("You may refer survivors only from the cases of your agency."))
    case = Case.objects.select_related("survivor").get(pk=case.pk)
    if case.is_closed:
        raise EmpowermentError(_("This case is closed: it cannot be referred to a programme."))
    if not programme.is_active:
        raise EmpowermentError(_("This programme is not taking referrals."))
    _refuse(
        bounds.text_problem(note, what=_("The note"), max_length=_max_length(Enrolment, "note"))
    )
    today = timezone.localdate()
    decision = eligibility_for(programme, case, household_role, today)
    if not decision.eligible:
        raise EmpowermentError(
            _("The survivor is not eligible for this programme."), decision=decision
        )
    if Enrolment.objects.filter(
        case=case, programme=programme, status__in=sorted(_open())
    ).exists():
        raise EmpowermentError(_("This case already has an open enrolment in this programme."))
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                programme=programme,
                case=case,
                household_role=household_role,
                case_phase=case.phase,
                referred_on=today,
                referred_by=by,
                note=note,
            )
    except IntegrityError as error:  # a simultaneous referral won the race
        raise EmpowermentError(
            _("This case already has an open enrolment in this programme.")
        ) from error
    record_on_case(
        case=case,
        kind=EventKind.EMPOWERMENT_REFERRED,
        by=by,
        summary=lambda: _summary(enrolment, EnrolmentStatus.REFERRED),
        obj=enrolment,
        action="empowerment.enrolment.referred",
        details={"case": case.code, "programme": programme.slug},
    )
    return enrolment


def _open() -> set[str]:
    return {EnrolmentStatus.REFERRED, EnrolmentStatus.ENROLLED, EnrolmentStatus.ACTIVE}


def _change_status(
    *,
    enrolment: Enrolment,
    to: str,
    expected_version: int,
    by: User,
    fields: dict[str, Any],
) -> Enrolment:
    if to not in TRANSITIONS[enrolment.status]:
        raise EmpowermentError(
            _("An enrolment cannot move from %(from)s to %(to)s.")
            % {
                "from": EnrolmentStatus(enrolment.status).label,
                "to": EnrolmentStatus(to).label,
            }
        )
    previous = enrolment.status
    enrolment.status = to
    for name, value in fields.items():
        setattr(enrolment, name, value)
    save_with_version(enrolment, expected_version=expected_version, fields=["status", *fields])
    record_on_case(
        case=enrolment.case,
        kind=EventKind(f"empowerment.{to}"),
        by=by,
        summary=lambda: _summary(enrolment, to),
        obj=enrolment,
        action=f"empowerment.enrolment.{to}",
        details={"case": enrolment.case.code, "from": previous, "to": to},
    )
    return enrolment


@transaction.atomic
def decide_enrolment(
    *,
    enrolment: Enrolment,
    accept: bool,
    expected_version: int,
    by: User,
    reason: str = "",
) -> Enrolment:
    """The programme's officer accepts (enrolled) or declines (with a reason) a referral."""
    enrolment = _locked_enrolment(enrolment)
    _require_officer(by, enrolment.programme)
    if enrolment.status != EnrolmentStatus.REFERRED:
        raise EmpowermentError(
            _("Only a referral awaiting a decision can be accepted or declined.")
        )
    if not accept and not reason.strip():
        raise EmpowermentError(_("Give the reason for declining."))
    if not accept:
        _refuse(
            bounds.text_problem(
                reason.strip(),
                what=_("The reason"),
                max_length=_max_length(Enrolment, "decline_reason"),
            )
        )
    fields: dict[str, Any] = {"decided_on": timezone.localdate(), "decided_by": by}
    if not accept:
        fields["decline_reason"] = reason.strip()
        fields["ended_on"] = timezone.localdate()
    return _change_status(
        enrolment=enrolment,
        to=EnrolmentStatus.ENROLLED if accept else EnrolmentStatus.DECLINED,
        expected_version=expected_version,
        by=by,
        fields=fields,
    )


@transaction.atomic
def move_enrolment(
    *,
    enrolment: Enrolment,
    to: str,
    expected_version: int,
    by: User,
) -> Enrolment:
    """Start, complete or record the drop-out of an enrolment (decisions excepted)."""
    enrolment = _locked_enrolment(enrolment)
    _require_officer(by, enrolment.programme)
    if to in (EnrolmentStatus.ENROLLED, EnrolmentStatus.DECLINED):
        raise EmpowermentError(_("Accept or decline a referral with the decision form."))
    fields: dict[str, Any] = {}
    if to in (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT):
        fields["ended_on"] = timezone.localdate()
    return _change_status(
        enrolment=enrolment,
        to=to,
        expected_version=expected_version,
        by=by,
        fields=fields,
    )


@transaction.atomic
def start_project(
    *,
    enrolment: Enrolment,
    activity_type: str,
    started_on: date,
    governorate: Governorate,
    baseline_income: Decimal,
    by: User,
    amount: Decimal | None = None,
) -> Project:
    """Record the survivor's project and plan its twelve technical follow-up visits."""
    enrolment = _locked_enrolment(enrolment)
    _require_officer(by, enrolment.programme)
    if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.ACTIVE):
        raise EmpowermentError(_("A project can start only for an enrolled or active survivor."))
    if Project.objects.filter(enrolment=enrolment).exists():
        raise EmpowermentError(_("This enrolment already has a project."))
    if started_on > timezone.localdate():
        raise EmpowermentError(_("The start date cannot be in the future."))
    _refuse(
        bounds.record_date_problem(started_on, what=_("The start date"), today=timezone.localdate())
    )
    programme = enrolment.programme
    if not rules.amount_within_range(amount, programme.amount_min, programme.amount_max):
        raise EmpowermentError(
            _("The amount must be between %(min)s and %(max)s EGP for this programme.")
            % {"min": programme.amount_min or 0, "max": programme.amount_max or "-"}
        )
    if enrolment.status == EnrolmentStatus.ENROLLED:
        _change_status(
            enrolment=enrolment,
            to=EnrolmentStatus.ACTIVE,
            expected_version=enrolment.version,
            by=by,
            fields={},
        )
    project = Project.objects.create(
        enrolment=enrolment,
        activity_type=activity_type,
        started_on=started_on,
        amount=amount,
        governorate=governorate,
        baseline_income=baseline_income,
    )
    Visit.objects.bulk_create(
        Visit(project=project, number=number, due_on=due_on)
        for number, due_on in enumerate(rules.follow_up_schedule(started_on), start=1)
    )
    record_on_case(
        case=enrolment.case,
        kind=EventKind.PROJECT_STARTED,
        by=by,
        summary=lambda: f"{programme.name_ar} / {programme.name_en}",
        obj=project,
        action="empowerment.project.started",
        details={"enrolment": enrolment.code, "visits": len(rules.FOLLOW_UP_MONTHS)},
    )
    _keep_next_visit_on_worklist(project)
    return project


def _keep_next_visit_on_worklist(project: Project) -> None:
    """The case's worklist shows the project's next planned visit (none once closed)."""
    case = project.enrolment.case
    next_due = (
        None
        if project.status == ProjectStatus.CLOSED
        else project.visits.filter(done_on__isnull=True).aggregate(next=Min("due_on"))["next"]
    )
    if next_due is None:
        clear_case_deadline(case=case, kind=DeadlineKind.FOLLOW_UP_VISIT, source_code=project.code)
    else:
        set_case_deadline(
            case=case,
            kind=DeadlineKind.FOLLOW_UP_VISIT,
            due_on=next_due,
            source_code=project.code,
        )


def _locked_visit(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update(no_key=True)
        .select_related("project__enrolment__programme", "project__enrolment__case")
        .get(pk=visit.pk)
    )


@transaction.atomic
def record_visit(
    *,
    visit: Visit,
    done_on: date,
    project_status: str,
    expected_version: int,
    by: User,
    monthly_income: Decimal | None = None,
    problems: str = "",
    support_given: str = "",
) -> Visit:
    """Record a follow-up visit; the project takes the status and income it found."""
    visit = _locked_visit(visit)
    project = Project.objects.select_for_update(no_key=True).get(pk=visit.project_id)
    enrolment = visit.project.enrolment
    _require_officer(by, enrolment.programme)
    if visit.done_on is not None:
        raise EmpowermentError(_("This visit is already recorded."))
    if done_on > timezone.localdate():
        raise EmpowermentError(_("A visit cannot be recorded before it happens."))
    if done_on < project.started_on:
        raise EmpowermentError(_("A visit cannot come before the project started."))
    _refuse(
        bounds.record_date_problem(
            done_on, what=_("The date of the visit"), today=timezone.localdate()
        )
    )
    _refuse(bounds.text_problem(problems, what=_("The problems")))
    _refuse(bounds.text_problem(support_given, what=_("The support given")))
    visit.done_on = done_on
    visit.project_status = project_status
    visit.monthly_income = monthly_income
    visit.problems = problems
    visit.support_given = support_given
    visit.recorded_by = by
    save_with_version(
        visit,
        expected_version=expected_version,
        fields=[
            "done_on",
            "project_status",
            "monthly_income",
            "problems",
            "support_given",
            "recorded_by",
        ],
    )
    later = project.visits.filter(done_on__gt=done_on).exclude(pk=visit.pk).exists()
    if not later:
        project.status = project_status
        if monthly_income is not None:
            project.latest_income = monthly_income
        if project_status == ProjectStatus.CLOSED:
            project.closed_on = done_on
            project.closed_after_months = rules.full_months_between(project.started_on, done_on)
        else:
            project.closed_on = None
            project.closed_after_months = None
        save_with_version(
            project,
            expected_version=project.version,
            fields=["status", "latest_income", "closed_on", "closed_after_months"],
        )
    record_on_case(
        case=enrolment.case,
        kind=EventKind.VISIT_RECORDED,
        by=by,
        summary=lambda: f"#{visit.number}: {ProjectStatus(project_status).label}",
        obj=project,
        action="empowerment.visit.recorded",
        details={"visit": visit.number, "status": project_status},
    )
    _keep_next_visit_on_worklist(project)
    return visit


@transaction.atomic
def reschedule_visit(
    *,
    visit: Visit,
    due_on: date,
    expected_version: int,
    by: User,
) -> Visit:
    """Move one planned visit to another date."""
    visit = _locked_visit(visit)
    enrolment = visit.project.enrolment
    _require_officer(by, enrolment.programme)
    if visit.done_on is not None:
        raise EmpowermentError(_("A visit already done cannot be rescheduled."))
    if due_on < visit.project.started_on:
        raise EmpowermentError(_("A visit cannot be planned before the project started."))
    _refuse(
        bounds.plan_date_problem(due_on, what=_("The new due date"), today=timezone.localdate())
    )
    previous = visit.due_on
    visit.due_on = due_on
    save_with_version(visit, expected_version=expected_version, fields=["due_on"])
    record_on_case(
        case=enrolment.case,
        kind=EventKind.VISIT_RESCHEDULED,
        by=by,
        summary=lambda: f"#{visit.number}: {previous.isoformat()} → {due_on.isoformat()}",
        obj=visit.project,
        action="empowerment.visit.rescheduled",
        details={"visit": visit.number, "from": previous.isoformat(), "to": due_on.isoformat()},
    )
    _keep_next_visit_on_worklist(visit.project)
    return visit


def record_programme_change(*, programme: Programme, by: User, created: bool = False) -> None:
    record_event(
        action="empowerment.programme.created" if created else "empowerment.programme.changed",
        actor=by,
        obj=programme,
        object_code=programme.slug,
    )


@transaction.atomic
def update_programme(
    *,
    programme: Programme,
    fields: list[str],
    expected_version: int,
    by: User,
) -> Programme:
    """Save an administrator's change to a programme's data (versioned and audited)."""
    if not by.has_perm("accounts.manage_users"):
        raise EmpowermentForbidden(_("Only a system administrator may change a programme."))
    save_with_version(programme, expected_version=expected_version, fields=fields)
    record_event(
        action="empowerment.programme.changed",
        actor=by,
        obj=programme,
        object_code=programme.slug,
        details={"fields": sorted(fields)},
    )
    return programme


# --- notifications ----------------------------------------------------------------------

# A follow-up visit is announced to the programme's officers this many days before it is due.
VISIT_DUE_NOTICE_DAYS = 3


def notify_visits_due(now: datetime) -> int:
    """Tell the officers of the managing agency of each visit due within the notice, once
    per visit and due date (a rescheduled visit is announced again). Codes only."""
    from django.urls import reverse

    from himaya.agencies.models import Role
    from himaya.notifications.actions import notify
    from himaya.notifications.rules import bilingual
    from himaya.notifications.selectors import members_of

    today = timezone.localdate(now)
    visits = (
        Visit.objects.filter(
            done_on__isnull=True,
            due_on__gte=today,
            due_on__lte=today + timedelta(days=VISIT_DUE_NOTICE_DAYS),
        )
        .exclude(project__status=ProjectStatus.CLOSED)
        .select_related("project__enrolment__programme")
        .order_by("due_on", "id")
    )
    created = 0
    for visit in visits:
        project = visit.project
        programme = project.enrolment.programme
        if programme.managing_agency_id is None:
            continue
        created += notify(
            event="empowerment.visit_due",
            recipients=members_of([programme.managing_agency_id], [Role.EMPOWERMENT_OFFICER]),
            key=f"{project.code}:{visit.number}:{visit.due_on.isoformat()}",
            link=reverse("empowerment:detail", args=[project.enrolment.code]),
            params={
                "project_code": project.code,
                "visit_number": visit.number,
                "due_date": visit.due_on.isoformat(),
                **bilingual("programme", programme),
            },
        )
    return created
