"""Demo enrolments, projects and two years of follow-up visits (synthetic, idempotent).

The demo cases are read in a stable order; the case phase at referral is recorded on the
enrolment (reintegration), so the cases themselves are left untouched.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies import demo as agencies_demo
from himaya.agencies.models import Agency
from himaya.cases.models import Case, Phase
from himaya.empowerment import rules
from himaya.empowerment.models import (
    ActivityType,
    Enrolment,
    EnrolmentStatus,
    HouseholdRole,
    Programme,
    Project,
    ProjectStatus,
    Visit,
)
from himaya.empowerment.selectors import rules_of
from himaya.survivors.rules import age_on

OFFICER = "empowerment"
REINTEGRATION_PHASES = [Phase.REINTEGRATION, Phase.FOLLOW_UP]
MAX_CASES = 24
PREFERENCE = ("mastoura", "microfinance", "vocational-training", "takaful")
ACTIVITIES = [
    ActivityType.SEWING,
    ActivityType.FOOD,
    ActivityType.TRADE,
    ActivityType.LIVESTOCK,
    ActivityType.SERVICES,
    ActivityType.AGRICULTURE,
]
PROBLEMS = [
    ("", "زيارة متابعة ونصائح في التسعير"),
    ("ارتفاع أسعار الخامات", "ربط بمورد بأسعار الجملة"),
    ("ضعف الإقبال في الشتاء", "تدريب على التسويق عبر الهاتف"),
    ("مرض أحد الأطفال وتوقف العمل أسبوعين", "إحالة إلى الخدمات الصحية"),
]
# (months since the project started, month at which it closed or None, struggling months)
SCENARIOS: list[tuple[int, int | None, tuple[int, ...]]] = [
    (26, None, ()),
    (14, None, (4, 5, 6, 12)),
    (10, 7, (5, 6)),
    (20, None, (9,)),
    (4, None, ()),
    (25, 15, (12,)),
    (8, None, (5, 6)),
    (13, None, ()),
]


def _programme_for(
    case: Case, programmes: dict[str, Programme], role: str, index: int
) -> Programme | None:
    today = timezone.localdate()
    preference = PREFERENCE if index % 5 != 3 else ("vocational-training", *PREFERENCE)
    for slug in preference:
        programme = programmes.get(slug)
        if programme is None:
            continue
        applicant = rules.Applicant(
            sex=case.survivor.sex,
            age=age_on(case.survivor.birth_year, on=today),
            household_role=role,
            case_phase=Phase.REINTEGRATION,
        )
        if rules.check_eligibility(rules_of(programme), applicant).eligible:
            return programme
    return None


def _visits(
    project: Project, closed_at: int | None, struggling: tuple[int, ...], index: int
) -> None:
    today = timezone.localdate()
    income = project.baseline_income
    visits = []
    for number, (months, due_on) in enumerate(
        zip(rules.FOLLOW_UP_MONTHS, rules.follow_up_schedule(project.started_on), strict=True),
        start=1,
    ):
        visit = Visit(project=project, number=number, due_on=due_on)
        done = due_on <= today and not (index % 4 == 0 and due_on > rules.add_months(today, -2))
        if done and (closed_at is None or months <= closed_at + 2):
            if closed_at is not None and months >= closed_at:
                status = ProjectStatus.CLOSED
                income = Decimal("0.00")
            elif months in struggling:
                status = ProjectStatus.STRUGGLING
                income = (income * Decimal("0.8")).quantize(Decimal("0.01"))
            else:
                status = ProjectStatus.ACTIVE
                income = (income + Decimal(150 + 50 * (index % 3))).quantize(Decimal("0.01"))
            problems, support = PROBLEMS[(number + index) % len(PROBLEMS)]
            visit.done_on = min(due_on, today)
            visit.project_status = status
            visit.monthly_income = income
            visit.problems = problems if status != ProjectStatus.ACTIVE else ""
            visit.support_given = support
            project.status = status
            project.latest_income = income
            if status == ProjectStatus.CLOSED and project.closed_on is None:
                project.closed_on = visit.done_on
                project.closed_after_months = rules.full_months_between(
                    project.started_on, visit.done_on
                )
        visits.append(visit)
    Visit.objects.bulk_create(visits)
    project.save()


@transaction.atomic
def seed() -> str:
    ministry = Agency.objects.filter(name_en=agencies_demo.MINISTRY).first()
    officer = User.objects.filter(username=OFFICER).first()
    if ministry is None or officer is None:
        return "empowerment: demo agencies or users missing, nothing created"
    Programme.objects.filter(managing_agency__isnull=True).update(managing_agency=ministry)
    programmes = {p.slug: p for p in Programme.objects.filter(is_active=True)}
    ordered = Case.objects.select_related("survivor", "lead_agency__governorate").order_by(
        "created_at", "id"
    )
    # Cases already in reintegration or follow-up first; others only to fill the demo.
    cases = list(ordered.filter(phase__in=REINTEGRATION_PHASES)[:MAX_CASES])
    if len(cases) < MAX_CASES:
        others = ordered.exclude(phase__in=[*REINTEGRATION_PHASES, Phase.CLOSED])
        cases += list(others[: MAX_CASES - len(cases)])
    today = timezone.localdate()
    created = projects = 0
    for index, case in enumerate(cases):
        role = HouseholdRole.HEAD if index % 3 != 2 else HouseholdRole.SPOUSE
        programme = _programme_for(case, programmes, role, index)
        if programme is None or Enrolment.objects.filter(case=case).exists():
            continue
        months, closed_at, struggling = SCENARIOS[index % len(SCENARIOS)]
        started_on = rules.add_months(today, -months)
        referred_on = rules.add_months(started_on, -1)
        status = EnrolmentStatus.ACTIVE
        if index % 7 == 6:
            status = EnrolmentStatus.REFERRED
        elif programme.slug == "vocational-training":
            status = EnrolmentStatus.COMPLETED if index % 5 else EnrolmentStatus.DROPPED_OUT
        enrolment = Enrolment.objects.create(
            programme=programme,
            case=case,
            household_role=role,
            case_phase=case.phase if case.phase in REINTEGRATION_PHASES else Phase.REINTEGRATION,
            status=status,
            referred_on=referred_on,
            referred_by=case.case_worker,
            decided_on=None if status == EnrolmentStatus.REFERRED else referred_on,
            decided_by=None if status == EnrolmentStatus.REFERRED else officer,
            ended_on=started_on
            if status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT)
            else None,
        )
        created += 1
        if status != EnrolmentStatus.ACTIVE or programme.kind not in ("loan", "grant_in_kind"):
            continue
        amount = programme.amount_min or Decimal("5000.00")
        if programme.amount_max:
            amount = min(amount + Decimal(2000 * (index % 5)), programme.amount_max)
        governorate = case.survivor.governorate_of_origin or case.lead_agency.governorate
        project = Project.objects.create(
            enrolment=enrolment,
            activity_type=ACTIVITIES[index % len(ACTIVITIES)],
            started_on=started_on,
            amount=amount,
            governorate=governorate,
            baseline_income=Decimal(400 + 100 * (index % 4)).quantize(Decimal("0.01")),
        )
        _visits(project, closed_at, struggling, index)
        if project.status == ProjectStatus.CLOSED:
            Enrolment.objects.filter(pk=enrolment.pk).update(
                status=EnrolmentStatus.DROPPED_OUT, ended_on=project.closed_on
            )
        elif months >= 24:
            Enrolment.objects.filter(pk=enrolment.pk).update(
                status=EnrolmentStatus.COMPLETED, ended_on=rules.add_months(started_on, 24)
            )
        projects += 1
    return f"{created} enrolments and {projects} projects created from {len(cases)} cases"
