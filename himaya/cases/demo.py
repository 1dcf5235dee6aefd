"""Synthetic demo cases (idempotent) for the demo survivors, over the last two years.

Each demo survivor registered by a directorate gets one case led by that directorate,
with realistic identification, exploitation, phase history, risk assessments, care plans
and closures. The services demo adds deliveries and feedback to these cases.
"""

import datetime
import random
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.agencies import demo as agencies_demo
from himaya.agencies.models import Agency, Governorate, Role
from himaya.cases import rules
from himaya.cases.actions import refresh_worklist
from himaya.cases.models import (
    CarePlan,
    CarePlanGoal,
    CarePlanStatus,
    Case,
    CaseDeadline,
    CasePlatform,
    CaseTransfer,
    ClosureReason,
    ClosureRequest,
    ClosureStatus,
    DeadlineKind,
    ExploitationForm,
    IdentificationChannel,
    IdentificationDecision,
    IdentificationStatus,
    OnlinePlatform,
    Phase,
    PhaseChange,
    RecruitmentChannel,
    RiskAssessment,
    RiskFactor,
    RiskLevel,
    TransferStatus,
)
from himaya.cases.rules import PHASE_DATE_FIELDS
from himaya.cases.selectors import conclusive_decision_days
from himaya.survivors.actions import sync_survivor_access
from himaya.survivors.models import Consent, ConsentPurpose, Survivor
from himaya.timeline.actions import in_both_languages
from himaya.timeline.models import CaseEvent, EventKind

SEED = 20261129
SHARE_WITH_CASE = 0.7  # the others are registered and screened, without a case yet

# Lead agency (English name) → its case workers and supervisor among the demo users.
TEAMS: dict[str, tuple[list[str], str | None]] = {
    agencies_demo.CAIRO_DIRECTORATE: (["caseworker"], "supervisor"),
    agencies_demo.ALEXANDRIA_DIRECTORATE: (["caseworker.alex"], None),
}

# The path of a case through the phases; a case stops somewhere along it.
PATH = [
    Phase.IDENTIFICATION,
    Phase.PROTECTION,
    Phase.ASSISTANCE,
    Phase.REINTEGRATION,
    Phase.FOLLOW_UP,
]
# Days spent in each phase before the next (min, max).
STAY = {
    Phase.IDENTIFICATION: (1, 10),
    Phase.PROTECTION: (7, 45),
    Phase.ASSISTANCE: (30, 150),
    Phase.REINTEGRATION: (60, 180),
    Phase.FOLLOW_UP: (60, 150),
}

CHANNELS = [
    (IdentificationChannel.POLICE, 22),
    (IdentificationChannel.HOTLINE, 18),
    (IdentificationChannel.NGO_OUTREACH, 20),
    (IdentificationChannel.LABOUR_INSPECTION, 8),
    (IdentificationChannel.BORDER, 10),
    (IdentificationChannel.EMBASSY, 6),
    (IdentificationChannel.SELF_REFERRAL, 8),
    (IdentificationChannel.ONLINE, 8),
]
IDENTIFYING_AGENCY = {
    IdentificationChannel.POLICE: "Anti-Trafficking Police Unit",
    IdentificationChannel.NGO_OUTREACH: "Nour Association for Women's Support",
    IdentificationChannel.EMBASSY: "Embassy of Ethiopia in Cairo",
    IdentificationChannel.BORDER: "Anti-Trafficking Police Unit",
    IdentificationChannel.HOTLINE: "National Control and Emergency Centre",
}
RECRUITMENT = [
    (RecruitmentChannel.SOCIAL_MEDIA, 24),
    (RecruitmentChannel.MESSAGING_APP, 16),
    (RecruitmentChannel.ONLINE_ADVERTISEMENT, 10),
    (RecruitmentChannel.RECRUITMENT_WEBSITE, 6),
    (RecruitmentChannel.IN_PERSON, 18),
    (RecruitmentChannel.FAMILY_ACQUAINTANCE, 20),
    (RecruitmentChannel.UNKNOWN, 6),
]
FORMS = [
    ("sexual_exploitation.prostitution", 14),
    ("sexual_exploitation.remote", 5),
    ("forced_labour", 20),
    ("domestic_servitude", 16),
    ("forced_begging", 10),
    ("forced_marriage", 10),
    ("child_labour", 8),
    ("organ_removal", 4),
    ("forced_criminality", 6),
    ("mixed_sex_labour", 4),
]
GOVERNORATES = [
    ("EG-C", 26),
    ("EG-GZ", 14),
    ("EG-ALX", 18),
    ("EG-ASN", 6),
    ("EG-AST", 6),
    ("EG-SHR", 6),
    ("EG-BA", 5),
    ("EG-JS", 4),
    ("EG-KB", 5),
    ("EG-DK", 4),
]
ABROAD = ["LY", "SA", "JO", "AE", "KW", "LB"]
CLOSURES = [
    (ClosureReason.REINTEGRATED, 45),
    (ClosureReason.REPATRIATED, 20),
    (ClosureReason.TRANSFERRED, 10),
    (ClosureReason.DECLINED, 12),
    (ClosureReason.LOST_CONTACT, 12),
    (ClosureReason.DECEASED, 1),
]
GOALS = [
    "استقرار الحالة الصحية والنفسية",
    "توفير سكن آمن",
    "استخراج وثائق الهوية",
    "متابعة الإجراءات القانونية للقضية",
    "العودة الآمنة إلى الأسرة",
    "الالتحاق بتدريب مهني",
    "العودة إلى الدراسة",
    "الحصول على دخل مستقل",
]
RISK_NOTES = [
    "تم التقييم في مقابلة منفردة بحضور أخصائية نفسية.",
    "أفادت الناجية بتلقي رسائل تهديد عبر الهاتف.",
    "لا توجد مؤشرات تهديد حالية؛ يُعاد التقييم بعد ثلاثة أشهر.",
    "",
]


def pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def demo_survivors() -> QuerySet[Survivor]:
    """The survivors to open cases for, in a stable order."""
    try:
        from himaya.survivors.demo import demo_survivors as survivors_of_demo

        return survivors_of_demo()
    except ImportError:  # pragma: no cover - the survivors demo is part of the project
        return Survivor.objects.filter(is_active=True).order_by("id")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=datetime.UTC)


def event(
    case: Case, day: datetime.date, kind: str, summary: Callable[[], str], by: Any, code: str = ""
) -> None:
    """A timeline line dated in the past (``record_case_event`` stamps the present)."""
    arabic, english = in_both_languages(summary)
    CaseEvent.objects.create(
        case=case,
        occurred_at=at(day),
        kind=kind,
        summary=arabic,
        summary_en=english,
        actor=by,
        object_code=code,
    )


def screening_code_of(survivor: Survivor) -> str:
    try:
        screening_model = apps.get_model("screening", "Screening")
    except LookupError:  # pragma: no cover
        return ""
    screening = screening_model.objects.filter(survivor=survivor).order_by("-id").first()
    return str(screening.code) if screening is not None else ""


def seed() -> str:
    today = timezone.localdate()
    forms = {f.code: f for f in ExploitationForm.objects.all()}
    governorates = {g.code: g for g in Governorate.objects.all()}
    agencies = {a.name_en: a for a in Agency.objects.all()}
    users = {u.username: u for u in User.objects.filter(username__in=_demo_usernames())}
    created = 0
    survivors = list(demo_survivors().select_related("registered_by_agency"))
    with_case = set(
        Case.objects.filter(survivor__in=survivors).values_list("survivor_id", flat=True)
    )
    for index, survivor in enumerate(survivors):
        # Draw the same numbers for a survivor whether or not its case exists already.
        local = random.Random(f"{SEED}-{index}")
        if local.random() > SHARE_WITH_CASE or survivor.pk in with_case:
            continue
        team = TEAMS.get(survivor.registered_by_agency.name_en)
        if team is None:
            continue
        workers, supervisor_name = team
        worker = users.get(workers[0])
        if worker is None:
            continue
        supervisor = users.get(supervisor_name) if supervisor_name else None
        _make_case(local, survivor, worker, supervisor, today, forms, governorates, agencies)
        created += 1
    total = Case.objects.filter(survivor__in=survivors).count()
    seed_technology()
    seed_transfer(today)
    return f"{created} cases created, {total} in the demo"


def _demo_usernames() -> list[str]:
    names: list[str] = []
    for workers, supervisor in TEAMS.values():
        names += workers
        if supervisor:
            names.append(supervisor)
    return names


def _make_case(
    rng: random.Random,
    survivor: Survivor,
    worker: User,
    supervisor: User | None,
    today: datetime.date,
    forms: dict[str, ExploitationForm],
    governorates: dict[str, Governorate],
    agencies: dict[str, Agency],
) -> Case:
    first_contact = today - datetime.timedelta(days=rng.randint(3, 720))
    identified = first_contact + datetime.timedelta(days=rng.randint(0, 6))
    identified = min(identified, today)
    channel = pick(rng, CHANNELS)
    abroad = survivor.nationality == "EG" and rng.random() < 0.15
    foreign = survivor.nationality != "EG"
    governorate = None if abroad else governorates.get(pick(rng, GOVERNORATES))
    case = Case.objects.create(
        survivor=survivor,
        lead_agency=survivor.registered_by_agency,
        case_worker=worker,
        first_contact_on=first_contact,
        identified_on=identified,
        identified_by=channel,
        identifying_agency=agencies.get(IDENTIFYING_AGENCY.get(channel, "")),
        recruitment_channel=pick(rng, RECRUITMENT),
        country_of_exploitation=rng.choice(ABROAD) if abroad else "EG",
        governorate_of_exploitation=governorate,
        is_transnational=abroad or foreign,
        screening_code=screening_code_of(survivor),
    )
    chosen = {pick(rng, FORMS)}
    if rng.random() < 0.2:
        chosen.add(pick(rng, FORMS))
    case.exploitation_forms.set([forms[code] for code in chosen if code in forms])
    PhaseChange.objects.create(
        case=case,
        from_phase="",
        to_phase=Phase.IDENTIFICATION,
        changed_on=identified,
        changed_by=worker,
    )
    event(
        case,
        first_contact,
        "case.opened",
        lambda: _("Case opened in identification"),
        worker,
        case.code,
    )

    # Walk the path until a stop chosen for this case or until today.
    stop = rng.choices(range(len(PATH) + 1), weights=[14, 18, 26, 16, 10, 16])[0]
    day = identified
    phase = Phase.IDENTIFICATION
    dates: dict[str, datetime.date] = {"identified_on": identified}
    for next_phase in PATH[1 : min(stop, len(PATH) - 1) + 1]:
        low, high = STAY[phase]
        next_day = day + datetime.timedelta(days=rng.randint(low, high))
        if next_day > today:
            break
        PhaseChange.objects.create(
            case=case, from_phase=phase, to_phase=next_phase, changed_on=next_day, changed_by=worker
        )
        labels = {"from": Phase(phase).label, "to": Phase(next_phase).label}
        event(
            case,
            next_day,
            "case.phase_changed",
            lambda labels=labels: _("Moved from %(from)s to %(to)s") % labels,  # type: ignore[misc]
            worker,
            case.code,
        )
        dates[PHASE_DATE_FIELDS[next_phase]] = next_day
        phase, day = next_phase, next_day

    # Risk: first assessment within days of identification, repeated later for some.
    risk_day = min(identified + datetime.timedelta(days=rng.randint(0, 3)), today)
    level = rng.choices(RiskLevel.values, weights=[20, 35, 30, 15])[0]
    for repeat in range(rng.choice([1, 1, 2, 3])):
        if risk_day > today:
            break
        factors = rng.sample(RiskFactor.values, k=rng.randint(0, 3))
        assessment = RiskAssessment.objects.create(
            case=case,
            level=level,
            factors=factors,
            assessed_on=risk_day,
            assessor=worker,
            note=rng.choice(RISK_NOTES),
        )
        risk_label = RiskLevel(level).label
        event(
            case,
            risk_day,
            "case.risk_assessed",
            lambda label=risk_label: _("Risk assessed: %(level)s") % {"level": label},  # type: ignore[misc]
            worker,
            assessment.code,
        )
        risk_day += datetime.timedelta(days=rng.randint(60, 120))
        level = RiskLevel.values[
            max(0, RiskLevel.values.index(level) - (1 if repeat % 2 == 0 else 0))
        ]

    # Care plan once the case is in assistance or beyond.
    if dates.get("assistance_started_on"):
        plan_day = dates["assistance_started_on"]
        plan = CarePlan.objects.create(
            case=case,
            summary="خطة رعاية تتضمن الدعم الصحي والنفسي والقانوني وخطوات الإدماج.",
            author=worker,
        )
        for goal_text in rng.sample(GOALS, k=rng.randint(2, 4)):
            CarePlanGoal.objects.create(
                care_plan=plan,
                description=goal_text,
                target_on=plan_day + datetime.timedelta(days=rng.randint(30, 240)),
                is_achieved=phase in {Phase.REINTEGRATION, Phase.FOLLOW_UP} and rng.random() < 0.6,
            )
        plan.status = CarePlanStatus.SUBMITTED
        plan.submitted_at = at(plan_day, 11)
        event(
            case,
            plan_day,
            "care_plan.submitted",
            lambda: _("Care plan submitted for approval"),
            worker,
            plan.code,
        )
        decided = plan_day + datetime.timedelta(days=rng.randint(1, 5))
        if supervisor is not None and decided <= today:
            plan.status = CarePlanStatus.APPROVED
            plan.decided_by = supervisor
            plan.decided_at = at(decided, 12)
            event(
                case,
                decided,
                "care_plan.approved",
                lambda: _("Care plan approved"),
                supervisor,
                plan.code,
            )
        plan.save()

    # Closure: cases that reached their stop long enough ago are closed with a reason.
    if stop == len(PATH) or (phase != Phase.IDENTIFICATION and rng.random() < 0.12):
        close_day = day + datetime.timedelta(days=rng.randint(20, 90))
        if close_day <= today:
            reason = pick(rng, CLOSURES)
            if phase == Phase.IDENTIFICATION:
                reason = ClosureReason.DECLINED
            closure = ClosureRequest.objects.create(case=case, reason=reason, requested_by=worker)
            reason_label = ClosureReason(reason).label
            event(
                case,
                close_day,
                "case.closure_requested",
                lambda label=reason_label: _("Closure requested: %(reason)s") % {"reason": label},  # type: ignore[misc]
                worker,
                closure.code,
            )
            if supervisor is not None and close_day < today:
                closure.status = ClosureStatus.APPROVED
                closure.decided_by = supervisor
                closure.decided_at = at(close_day, 14)
                closure.save()
                PhaseChange.objects.create(
                    case=case,
                    from_phase=phase,
                    to_phase=Phase.CLOSED,
                    changed_on=close_day,
                    changed_by=supervisor,
                )
                event(
                    case,
                    close_day,
                    "case.closed",
                    lambda: _("Closure approved"),
                    supervisor,
                    closure.code,
                )
                phase = Phase.CLOSED
                dates["closed_on"] = close_day
                case.closure_reason = reason

    case.phase = phase
    for field, value in dates.items():
        setattr(case, field, value)
    case.assigned_on = case.identified_on or case.first_contact_on
    case.save()
    _decide_identification(rng, case, worker, supervisor, identified, today)
    # The worklist columns, as the actions keep them: overdue reviews, high risks, news.
    refresh_worklist(case)
    return case


def _decide_identification(
    rng: random.Random,
    case: Case,
    worker: User,
    supervisor: User | None,
    identified: datetime.date,
    today: datetime.date,
) -> None:
    """Reasonable grounds on the day of identification; for most cases that moved on, the
    supervisor's conclusive decision some weeks later; a possible victim still waiting for
    it has the deadline the action would set."""
    decisions = [(IdentificationStatus.POSSIBLE, identified, worker)]
    conclusive_on = identified + datetime.timedelta(days=rng.randint(10, 60))
    if (
        supervisor is not None
        and case.phase != Phase.IDENTIFICATION
        and conclusive_on <= today
        and rng.random() < 0.85
    ):
        decisions.append((IdentificationStatus.IDENTIFIED, conclusive_on, supervisor))
    previous = ""
    for status, decided_on, by in decisions:
        IdentificationDecision.objects.create(
            case=case,
            from_status=previous,
            status=status,
            decided_on=decided_on,
            deciding_agency=case.lead_agency,
            decided_by=by,
            grounds=GROUNDS[status],
            screening_code=case.screening_code,
        )
        label = IdentificationStatus(status).label
        event(
            case,
            decided_on,
            EventKind.CASE_IDENTIFICATION_DECIDED,
            lambda label=label: (  # type: ignore[misc]
                _("Identification decision: %(status)s") % {"status": label}
            ),
            by,
            case.code,
        )
        previous = status
    case.identification_status = previous
    case.identification_decided_on = decisions[-1][1]
    case.save(update_fields=["identification_status", "identification_decided_on"])
    due_on = rules.conclusive_decision_due(
        status=previous, decided_on=decisions[-1][1], days=conclusive_decision_days()
    )
    if due_on is not None:
        CaseDeadline.objects.create(case=case, kind=DeadlineKind.IDENTIFICATION, due_on=due_on)


# What a worker types as grounds (data, in the workers' language, not interface text).
GROUNDS = {
    IdentificationStatus.POSSIBLE: "يشير الفحص المبدئي إلى الاتجار، وتؤيده المقابلة الأولى.",
    IdentificationStatus.IDENTIFIED: "تؤكده المقابلات والمستندات وتقارير الجهات الشريكة.",
}


# --- technology and transfers --------------------------------------------------------------

# Platforms a recruiter using each online channel would have used (codes of the
# configurable list), and those used to control and to exploit.
RECRUITMENT_PLATFORMS: dict[str, list[str]] = {
    RecruitmentChannel.SOCIAL_MEDIA: ["facebook", "tiktok", "instagram"],
    RecruitmentChannel.MESSAGING_APP: ["whatsapp", "telegram"],
    RecruitmentChannel.ONLINE_ADVERTISEMENT: ["job_boards", "classifieds"],
    RecruitmentChannel.RECRUITMENT_WEBSITE: ["job_boards", "linkedin"],
}
CONTROL_PLATFORMS = ["whatsapp", "telegram", "snapchat"]
EXPLOITATION_PLATFORMS = ["webcam_streaming", "telegram", "classifieds"]
TECHNOLOGY_CASES = 8


def seed_technology() -> int:
    """A few cases recruited online get their platforms (once: a case with any is kept)."""
    platforms = {p.code: p for p in OnlinePlatform.objects.filter(is_active=True)}
    if not platforms:
        return 0
    cases = list(
        Case.objects.filter(recruitment_channel__in=list(RECRUITMENT_PLATFORMS))
        .order_by("pk")
        .values_list("pk", "recruitment_channel")[:TECHNOLOGY_CASES]
    )
    done = set(
        CasePlatform.objects.filter(case_id__in=[pk for pk, _channel in cases]).values_list(
            "case_id", flat=True
        )
    )
    uses = []
    for index, (pk, channel) in enumerate(cases):
        if pk in done:
            continue
        rng = random.Random(f"{SEED}-technology-{index}")
        chosen = [("recruitment", rng.choice(RECRUITMENT_PLATFORMS[channel]))]
        chosen.append(("control", rng.choice(CONTROL_PLATFORMS)))
        online = rng.random() < 0.4
        if online:
            chosen.append(("exploitation", rng.choice(EXPLOITATION_PLATFORMS)))
            Case.objects.filter(pk=pk).update(exploited_online=True)
        uses += [
            CasePlatform(case_id=pk, platform=platforms[code], role=role)
            for role, code in chosen
            if code in platforms
        ]
    CasePlatform.objects.bulk_create(uses, ignore_conflicts=True)
    return len(cases) - len(done)


def seed_transfer(today: datetime.date) -> bool:
    """One case of the Cairo directorate handed over to the Alexandria directorate (the
    survivor moved there), on the survivor's consent: Alexandria's team leads it with its
    whole history, Cairo keeps the trace. Once only."""
    if CaseTransfer.objects.exists():
        return False
    agencies = {
        a.name_en: a
        for a in Agency.objects.filter(
            name_en__in=[agencies_demo.CAIRO_DIRECTORATE, agencies_demo.ALEXANDRIA_DIRECTORATE]
        )
    }
    sender = agencies.get(agencies_demo.CAIRO_DIRECTORATE)
    receiver = agencies.get(agencies_demo.ALEXANDRIA_DIRECTORATE)
    users = {u.username: u for u in User.objects.filter(username__in=_demo_usernames())}
    proposer, worker = users.get("supervisor"), users.get("caseworker.alex")
    if sender is None or receiver is None or proposer is None or worker is None:
        return False
    case = (
        Case.objects.filter(
            lead_agency=sender,
            phase__in=[Phase.ASSISTANCE, Phase.REINTEGRATION],
            survivor__birth_year__lte=today.year - 19,
        )
        .exclude(closure_requests__status=ClosureStatus.PENDING)
        .select_related("survivor")
        .order_by("pk")
        .first()
    )
    if case is None:
        return False
    # The Alexandria directorate's supervisor answers when the demo has one; otherwise the
    # answer is recorded in the name of its case worker, who takes the case.
    answering = (
        User.objects.filter(
            memberships__agency=receiver,
            memberships__role=Role.SUPERVISOR,
            memberships__is_active=True,
        ).first()
        or worker
    )
    proposed_on = max(today - datetime.timedelta(days=12), case.first_contact_on)
    accepted_on = proposed_on + datetime.timedelta(days=2)
    consent = Consent.objects.create(
        survivor=case.survivor,
        purpose=ConsentPurpose.REFERRAL,
        recipient=receiver,
        given_on=proposed_on,
        recorded_by=proposer,
        note="موافقة على نقل الحالة",
    )
    transfer = CaseTransfer.objects.create(
        case=case,
        from_agency=sender,
        to_agency=receiver,
        reason="انتقلت الناجية للإقامة مع أسرتها في الإسكندرية.",
        consent=consent,
        status=TransferStatus.ACCEPTED,
        proposed_by=proposer,
        proposed_on=proposed_on,
        decided_by=answering,
        decided_on=accepted_on,
    )
    event(
        case,
        proposed_on,
        EventKind.CASE_TRANSFER_PROPOSED,
        lambda: _("Transfer to %(agency)s proposed") % {"agency": receiver.name},
        proposer,
        transfer.code,
    )
    event(
        case,
        accepted_on,
        EventKind.CASE_TRANSFER_ACCEPTED,
        lambda: (
            _("Transfer accepted: the case moved from %(from)s to %(to)s")
            % {"from": sender.name, "to": receiver.name}
        ),
        answering,
        transfer.code,
    )
    case.lead_agency = receiver
    case.case_worker = worker
    case.assigned_on = accepted_on
    case.save(update_fields=["lead_agency", "case_worker", "assigned_on"])
    refresh_worklist(case)
    sync_survivor_access(survivor=case.survivor)
    return True
