"""Scoped reads of the empowerment app, and the outcome figures (aggregates only).

Empowerment officers see the enrolments of the programmes their agency manages; case
workers and supervisors see the enrolments of the cases they may see. Outcomes are
national aggregates for analysts and officers, never a code or a name.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from himaya.agencies.models import Governorate, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.cases.models import Case
from himaya.cases.selectors import cases_visible_to
from himaya.core.typing import AnyUser
from himaya.empowerment import rules
from himaya.empowerment.models import (
    Enrolment,
    EnrolmentStatus,
    Programme,
    ProgrammeKind,
    Project,
    ProjectStatus,
    Visit,
)
from himaya.survivors.models import Sex
from himaya.survivors.rules import age_on
from himaya.survivors.selectors import presumed_child

MANAGE = "empowerment.manage_enrolments"
REFER = "cases.work_cases"
OUTCOMES = "empowerment.view_outcomes"


def officer_agency_ids(user: AnyUser) -> set[int]:
    if not user.has_perm(MANAGE):
        return set()
    return agency_ids_for(user, Role.EMPOWERMENT_OFFICER)


def may_manage(user: AnyUser, programme: Programme) -> bool:
    """The user is an empowerment officer of the agency that manages the programme."""
    return programme.managing_agency_id is not None and (
        programme.managing_agency_id in officer_agency_ids(user)
    )


def may_refer_from(user: AnyUser, case: Case) -> bool:
    """Case workers and supervisors refer the survivors of the cases they may see."""
    return bool(user.has_perm(REFER) and cases_visible_to(user).filter(pk=case.pk).exists())


def programmes_visible_to(user: AnyUser) -> QuerySet[Programme]:
    if not (user.has_perm(MANAGE) or user.has_perm(REFER)):
        return Programme.objects.none()
    return Programme.objects.select_related("managing_agency").order_by("name_en")


def get_programme_or_404(slug: str) -> Programme:
    """A programme by its slug (the catalogue of programmes is public to the app's users)."""
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise Http404
    return programme


def programmes_open_for_referral() -> QuerySet[Programme]:
    return Programme.objects.filter(is_active=True).order_by("name_en")


def enrolments_visible_to(user: AnyUser) -> QuerySet[Enrolment]:
    condition = Q()
    reachable = False
    officer_agencies = officer_agency_ids(user)
    if officer_agencies:
        condition |= Q(programme__managing_agency_id__in=officer_agencies)
        reachable = True
    if user.has_perm(REFER):
        condition |= Q(case__in=cases_visible_to(user).values("pk"))
        reachable = True
    if not reachable:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(condition)


def enrolment_list_for(user: AnyUser) -> QuerySet[Enrolment]:
    return enrolments_visible_to(user).select_related(
        "programme", "case", "project", "project__governorate"
    )


def get_enrolment_or_404(user: AnyUser, code: str) -> Enrolment:
    enrolment = (
        enrolment_list_for(user)
        .select_related("programme__managing_agency", "case__survivor")
        .filter(code=code)
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def enrolments_of_case(user: AnyUser, case: Case) -> QuerySet[Enrolment]:
    return enrolment_list_for(user).filter(case=case)


def projects_visible_to(user: AnyUser) -> QuerySet[Project]:
    return Project.objects.filter(enrolment__in=enrolments_visible_to(user).values("pk"))


def get_project_or_404(user: AnyUser, code: str) -> Project:
    project = (
        projects_visible_to(user)
        .select_related("enrolment__programme", "enrolment__case", "governorate")
        .filter(code=code)
        .first()
    )
    if project is None:
        raise Http404
    return project


def get_visit_or_404(user: AnyUser, project_code: str, number: int) -> Visit:
    project = get_project_or_404(user, project_code)
    visit = project.visits.filter(number=number).first()
    if visit is None:
        raise Http404
    visit.project = project
    return visit


def visits_of(project: Project, *, today: date) -> list[Visit]:
    """The project's visits in order, each marked ``overdue`` (``rules.is_overdue``)."""
    visits = list(project.visits.all())
    for visit in visits:
        visit.overdue = rules.is_overdue(  # type: ignore[attr-defined]
            due_on=visit.due_on, done_on=visit.done_on, today=today
        )
    return visits


def pending_referrals_for(user: AnyUser) -> QuerySet[Enrolment]:
    """Referrals awaiting the officer's decision."""
    return (
        Enrolment.objects.filter(
            programme__managing_agency_id__in=officer_agency_ids(user),
            status=EnrolmentStatus.REFERRED,
        )
        .select_related("programme", "case")
        .order_by("referred_on", "id")
    )


def programme_news_for(user: AnyUser, since: date) -> QuerySet[Enrolment]:
    """For the case worker's queue: referrals of her cases awaiting the programme's decision,
    and those declined since ``since``."""
    if not user.has_perm(REFER):
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(case__in=cases_visible_to(user).values("pk"))
        .filter(
            Q(status=EnrolmentStatus.REFERRED)
            | Q(status=EnrolmentStatus.DECLINED, decided_on__gte=since)
        )
        .select_related("programme", "case")
        .order_by("status", "referred_on", "id")
    )


def overdue_visits_for(user: AnyUser, today: date) -> QuerySet[Visit]:
    """Visits of the officer's programmes whose due date passed without being done."""
    return (
        Visit.objects.filter(
            project__enrolment__programme__managing_agency_id__in=officer_agency_ids(user),
            done_on__isnull=True,
            due_on__lt=today,
        )
        .exclude(project__status=ProjectStatus.CLOSED)
        .select_related("project", "project__enrolment__programme", "project__governorate")
        .order_by("due_on", "id")
    )


# --- Eligibility ------------------------------------------------------------------------


def rules_of(programme: Programme) -> rules.EligibilityRules:
    return rules.EligibilityRules(
        allowed_sexes=frozenset(programme.allowed_sexes or []),
        min_age=programme.min_age,
        max_age=programme.max_age,
        household_roles=frozenset(programme.household_roles or []),
        requires_reintegration=programme.requires_reintegration,
    )


def eligibility_for(
    programme: Programme, case: Case, household_role: str, today: date
) -> rules.Decision:
    survivor = case.survivor
    applicant = rules.Applicant(
        sex=survivor.sex,
        age=age_on(survivor.birth_year, on=today),
        household_role=household_role,
        case_phase=case.phase,
        presumed_child=presumed_child(survivor, on=today),
    )
    return rules.check_eligibility(rules_of(programme), applicant)


# --- Outcomes ---------------------------------------------------------------------------

DIMENSIONS = ("programme", "governorate", "sex")
_PROJECT_KEYS = {
    "programme": "enrolment__programme_id",
    "governorate": "governorate_id",
    "sex": "enrolment__case__survivor__sex",
}
_TRAINING_KEYS = {
    "programme": "programme_id",
    "governorate": "case__lead_agency__governorate_id",
    "sex": "case__survivor__sex",
}


@dataclass
class Survival:
    months: int
    projects: int | None  # projects old enough; None when suppressed
    share: Decimal | None  # percentage still running


@dataclass
class OutcomeRow:
    key: str
    label: str
    projects: int | None = None
    survival: list[Survival] = field(default_factory=list)
    with_income: int | None = None
    baseline_income: Decimal | None = None
    latest_income: Decimal | None = None
    income_change: Decimal | None = None
    training_ended: int | None = None
    training_completed: Decimal | None = None


def _shown(count: int) -> int | None:
    return None if rules.suppressed(count) else count


def _labels(by: str, keys: set[Any]) -> dict[str, str]:
    if by == "programme":
        return {str(p.pk): p.name for p in Programme.objects.filter(pk__in=keys)}
    if by == "governorate":
        return {str(g.pk): g.name for g in Governorate.objects.filter(pk__in=keys)}
    return {value: str(label) for value, label in Sex.choices}


def outcomes(*, by: str, today: date) -> list[OutcomeRow]:
    """Project survival, income change and training completion per ``by`` (three queries).

    A project is *old enough* for a checkpoint of N months when it started at least N
    months before ``today``; it is *still running* at N months when it had not closed
    before then (active or struggling). Income change compares the latest income recorded
    at a visit with the baseline. Training completion is the share completed among
    training enrolments that ended (completed or dropped out). Every figure about fewer
    than five people is withheld.
    """
    if by not in DIMENSIONS:
        raise ValueError(by)
    key = _PROJECT_KEYS[by]
    aggregates: dict[str, Any] = {"n": Count("id")}
    for months in rules.SURVIVAL_CHECKPOINTS:
        old = Q(started_on__lte=rules.add_months(today, -months))
        alive = old & (Q(closed_after_months__isnull=True) | Q(closed_after_months__gte=months))
        aggregates[f"old_{months}"] = Count("id", filter=old)
        aggregates[f"alive_{months}"] = Count("id", filter=alive)
    with_income = Q(latest_income__isnull=False)
    aggregates["with_income"] = Count("id", filter=with_income)
    aggregates["baseline"] = Avg("baseline_income", filter=with_income)
    aggregates["latest"] = Avg("latest_income", filter=with_income)
    project_rows = {
        str(row[key]): row
        for row in Project.objects.filter(started_on__lte=today)
        .values(key)
        .annotate(**aggregates)
        .order_by(key)
    }
    tkey = _TRAINING_KEYS[by]
    training_rows = {
        str(row[tkey]): row
        for row in Enrolment.objects.filter(
            programme__kind=ProgrammeKind.TRAINING,
            status__in=[EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT],
        )
        .values(tkey)
        .annotate(
            ended=Count("id"),
            completed=Count("id", filter=Q(status=EnrolmentStatus.COMPLETED)),
        )
        .order_by(tkey)
    }
    keys = set(project_rows) | set(training_rows)
    labels = _labels(by, keys)
    result: list[OutcomeRow] = []
    for k in keys:
        row = OutcomeRow(key=k, label=labels.get(k, k))
        project = project_rows.get(k)
        if project is not None:
            row.projects = _shown(project["n"])
            for months in rules.SURVIVAL_CHECKPOINTS:
                old, alive = project[f"old_{months}"], project[f"alive_{months}"]
                row.survival.append(Survival(months, _shown(old), rules.share(alive, old)))
            row.with_income = _shown(project["with_income"])
            if row.with_income:
                row.baseline_income = rules.money(project["baseline"])
                row.latest_income = rules.money(project["latest"])
                row.income_change = rules.income_change(row.baseline_income, row.latest_income)
        else:
            row.survival = [Survival(m, None, None) for m in rules.SURVIVAL_CHECKPOINTS]
        training = training_rows.get(k)
        if training is not None:
            row.training_ended = _shown(training["ended"])
            row.training_completed = rules.share(training["completed"], training["ended"])
        result.append(row)
    return sorted(result, key=lambda r: r.label)
