"""Demo referrals among the demo cases, to partners of every kind and in every state
(synthetic, idempotent: a referral of a case to an agency for a service is made once).
The demo obeys the rules of the app: an embassy is referred only survivors of its country
who consented to that embassy, never on an override."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from himaya.agencies.models import Agency, Membership, Role
from himaya.cases.models import Case
from himaya.referrals import rules
from himaya.referrals.models import ConsentBasis, Referral, Status, response_hours
from himaya.services.models import ServiceType
from himaya.survivors.models import Consent, Survivor
from himaya.survivors.rules import is_under_international_protection
from himaya.timeline.actions import record_case_event
from himaya.timeline.models import EventKind

OVERDUE = "overdue"

# (agency English name, service code, shared fields, the states of its referrals).
# The embassy comes first, so that the few survivors it may receive are not taken by
# another partner's referral.
PLAN: list[tuple[str, str, list[str], list[str]]] = [
    (
        "Embassy of Ethiopia in Cairo",
        "documentation",
        ["full_name", "age", "nationality"],
        [Status.SENT, Status.COMPLETED],
    ),
    (
        "Anti-Trafficking Police Unit",
        "security",
        ["first_name", "sex", "age", "phone", "safety_note"],
        [OVERDUE, Status.ACCEPTED, Status.COMPLETED],
    ),
    (
        "Nour Association for Women's Support",
        "psychological",
        ["first_name", "sex", "age", "languages"],
        [Status.SENT, Status.COMPLETED, Status.DECLINED],
    ),
    (
        "Upper Egypt Child Rights Association",
        "education",
        ["first_name", "age", "languages"],
        [OVERDUE, Status.CANCELLED],
    ),
    (
        "Cairo University Hospital",
        "medical",
        ["full_name", "sex", "age", "medical_needs"],
        [Status.ACCEPTED, Status.COMPLETED, Status.SENT],
    ),
    (
        "IOM Egypt",
        "repatriation",
        ["full_name", "sex", "age", "nationality", "languages", "phone"],
        [OVERDUE, Status.ACCEPTED, Status.DECLINED],
    ),
]

MEDICAL_NOTE = "تحتاج إلى فحص طبي عام ومتابعة لآلام في الظهر."
SAFETY_NOTE = "لا تتواصلوا مع الأسرة قبل تقييم المخاطر؛ المستغل يعرف عنوانها السابق."
DECLINE_REASON = "لا توجد أماكن متاحة هذا الشهر؛ نقترح التحويل إلى جهة أخرى."
OUTCOME = "قُدمت الخدمة كاملة، وأُبلغ مدير الحالة بالنتيجة."
OVERRIDE_REASON = "خطر داهم على سلامة الناجية، والموافقة الكتابية ستُستكمل عند أول زيارة."


def _consenting_survivors(agency: Agency) -> set[int]:
    """Survivors whose consent covers this agency today; for an embassy, only a consent
    naming that very embassy."""
    today = timezone.localdate()
    purpose = rules.consent_purpose_for(agency.kind)
    recipient = Q(recipient=agency)
    if not rules.is_embassy(agency.kind):
        recipient |= Q(recipient__isnull=True)
    return set(
        Consent.objects.filter(purpose=purpose, given_on__lte=today)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .filter(recipient)
        .values_list("survivor_id", flat=True)
    )


def _embassy_may_receive(
    case: Case, agency: Agency, consenting: set[int], survivors: dict[int, Survivor]
) -> bool:
    survivor = survivors.get(case.survivor_id)
    if survivor is None:
        return False
    return (
        rules.embassy_refusal(
            embassy_country=agency.country,
            survivor_nationality=survivor.nationality,
            consent_for_this_embassy=case.survivor_id in consenting,
            survivor_protected=is_under_international_protection(
                migration_status=survivor.migration_status,
                unhcr_registered=survivor.unhcr_registered,
            ),
        )
        is None
    )


def _supervisors() -> dict[int, Any]:
    rows = Membership.objects.filter(role=Role.SUPERVISOR, is_active=True).select_related("user")
    return {row.agency_id: row.user for row in rows.order_by("id")}


def seed() -> str:
    cases = list(Case.objects.exclude(phase="closed").select_related("lead_agency").order_by("id"))
    if not cases:
        return "no demo cases: nothing referred"
    supervisors = _supervisors()
    now = timezone.now()
    hours = response_hours()
    used: set[int] = set()
    created = 0
    planned = 0
    for agency_name, service_code, fields, states in PLAN:
        agency = Agency.objects.filter(name_en=agency_name).first()
        service = ServiceType.objects.filter(code=service_code).first()
        if agency is None or service is None:
            continue
        consenting = _consenting_survivors(agency)
        candidates = [c for c in cases if c.lead_agency_id != agency.pk and c.pk not in used]
        if rules.is_embassy(agency.kind):
            # An embassy: the embassy rule on each survivor, and never an override.
            survivors = Survivor.objects.only(
                "pk", "nationality", "migration_status", "unhcr_registered"
            ).in_bulk([c.survivor_id for c in candidates])
            with_consent = [
                c for c in candidates if _embassy_may_receive(c, agency, consenting, survivors)
            ]
            with_supervisor: list[Case] = []
        else:
            with_consent = [c for c in candidates if c.survivor_id in consenting]
            with_supervisor = [c for c in candidates if c.lead_agency_id in supervisors]
        for index, state in enumerate(states):
            if with_consent:
                case, basis = with_consent.pop(0), ConsentBasis.CONSENT
            else:
                remaining = [c for c in with_supervisor if c.pk not in used]
                if not remaining:
                    break
                case, basis = remaining[0], ConsentBasis.OVERRIDE
            used.add(case.pk)
            planned += 1
            if Referral.objects.filter(case=case, to_agency=agency, service_type=service).exists():
                continue
            created += _make(
                case=case,
                agency=agency,
                service=service,
                fields=fields,
                state=state,
                basis=basis,
                sent_at=now - timedelta(hours=hours * 2 + 6 if state == OVERDUE else 6 + index),
                hours=hours,
                supervisor=supervisors.get(case.lead_agency_id),
            )
    # The receiving agencies' staff are told of the referrals still waiting (once each).
    from himaya.referrals.actions import notify_received

    for referral in Referral.objects.filter(status=Status.SENT).select_related(
        "from_agency", "service_type"
    ):
        notify_received(referral)
    return f"{created} referrals created, {planned} in the demo"


def _make(
    *,
    case: Case,
    agency: Agency,
    service: ServiceType,
    fields: list[str],
    state: str,
    basis: str,
    sent_at: datetime,
    hours: int,
    supervisor: Any,
) -> int:
    status = Status.SENT if state == OVERDUE else state
    answered = status in {Status.ACCEPTED, Status.DECLINED, Status.COMPLETED}
    partner = (
        Membership.objects.filter(agency=agency, is_active=True).select_related("user").first()
    )
    answered_by = partner.user if partner is not None else None
    later = sent_at + timedelta(hours=2)
    referral = Referral.objects.create(
        case=case,
        from_agency_id=case.lead_agency_id,
        to_agency=agency,
        service_type=service,
        shared_fields=fields,
        medical_note=MEDICAL_NOTE if "medical_needs" in fields else "",
        safety_note=SAFETY_NOTE if "safety_note" in fields else "",
        status=status,
        sent_at=sent_at,
        respond_by=rules.response_deadline(sent_at, hours),
        sent_by=case.case_worker,
        consent_basis=basis,
        override_reason=OVERRIDE_REASON if basis == ConsentBasis.OVERRIDE else "",
        override_by=supervisor if basis == ConsentBasis.OVERRIDE else None,
        answered_at=later if answered else None,
        answered_by=answered_by if answered else None,
        decline_reason=DECLINE_REASON if status == Status.DECLINED else "",
        completed_at=later + timedelta(days=3) if status == Status.COMPLETED else None,
        completed_by=answered_by if status == Status.COMPLETED else None,
        outcome_note=OUTCOME if status == Status.COMPLETED else "",
        cancelled_at=later if status == Status.CANCELLED else None,
        cancelled_by=case.case_worker if status == Status.CANCELLED else None,
    )
    record_case_event(
        case=case,
        kind=EventKind.REFERRAL_SENT,
        by=case.case_worker,
        summary=lambda: f"{agency.name_ar} · {service.name_ar}",
        object_code=referral.code,
    )
    if status != Status.SENT:
        record_case_event(
            case=case,
            kind=EventKind(f"referral.{status}"),
            by=answered_by if status != Status.CANCELLED else case.case_worker,
            summary=lambda: f"{agency.name_ar} · {service.name_ar}",
            object_code=referral.code,
        )
    return 1
