"""Demo justice record (synthetic, idempotent): two cases with criminal proceedings, one
of them with court hearings and compensation, and one charge against a survivor dropped
on the non-punishment principle. References are made up and carry no real number."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from himaya.cases.models import Case, Phase
from himaya.justice.models import (
    Charge,
    ChargeAgainstSurvivor,
    ChargeResult,
    CriminalProceeding,
    Hearing,
    Offence,
    Outcome,
    ProceedingStatus,
    ProtectionMeasure,
    SurvivorRole,
)

COURT = "محكمة جنايات القاهرة"


@transaction.atomic
def seed() -> str:
    cases = list(
        Case.objects.exclude(phase=Phase.CLOSED)
        .select_related("case_worker")
        .order_by("created_at", "id")[:2]
    )
    if len(cases) < 2:
        return "no demo cases: nothing recorded"
    today = timezone.localdate()
    created = 0
    tried, investigated = cases
    if not CriminalProceeding.objects.filter(case=tried).exists():
        proceeding = CriminalProceeding.objects.create(
            case=tried,
            police_report_ref="محضر رقم 0000 لسنة 2025 (مثال)",
            prosecution_ref="قضية رقم 0000 لسنة 2025 جنايات (مثال)",
            court=COURT,
            offences=[Offence.TRAFFICKING, Offence.FORCED_LABOUR],
            survivor_role=SurvivorRole.CIVIL_PARTY,
            protection_measures=[ProtectionMeasure.IDENTITY_WITHHELD, ProtectionMeasure.SHELTER],
            reported_on=today - timedelta(days=300),
            status=ProceedingStatus.TRIED,
            outcome=Outcome.CONVICTION,
            compensation_claimed=Decimal("150000.00"),
            claimed_on=today - timedelta(days=120),
            compensation_received=Decimal("50000.00"),
            received_on=today - timedelta(days=20),
            recorded_by=tried.case_worker,
        )
        for days, purpose, attended, support in (
            (150, "جلسة الاستماع إلى الشهود", True, "مرافقة أخصائية اجتماعية ومحامية"),
            (90, "جلسة المرافعة", False, "شهادة بالفيديو من دار الإيواء"),
            (45, "جلسة النطق بالحكم", True, "مرافقة محامية ونقل آمن"),
        ):
            Hearing.objects.create(
                proceeding=proceeding,
                held_on=today - timedelta(days=days),
                court=COURT,
                purpose=purpose,
                survivor_attended=attended,
                support_provided=support,
                recorded_by=tried.case_worker,
            )
        created += 1
    if not CriminalProceeding.objects.filter(case=investigated).exists():
        CriminalProceeding.objects.create(
            case=investigated,
            police_report_ref="محضر رقم 0001 لسنة 2026 (مثال)",
            offences=[Offence.TRAFFICKING, Offence.SEXUAL_EXPLOITATION],
            survivor_role=SurvivorRole.WITNESS,
            protection_measures=[ProtectionMeasure.VIDEO_TESTIMONY],
            reported_on=today - timedelta(days=40),
            status=ProceedingStatus.UNDER_INVESTIGATION,
            recorded_by=investigated.case_worker,
        )
        created += 1
    charges = 0
    if not ChargeAgainstSurvivor.objects.filter(case=investigated).exists():
        ChargeAgainstSurvivor.objects.create(
            case=investigated,
            charge=Charge.IRREGULAR_STAY,
            authority="مصلحة الجوازات والهجرة",
            arising_from_trafficking=True,
            justification="احتجز المستغل جواز سفرها فانتهت إقامتها دون إرادتها.",
            drop_requested_on=today - timedelta(days=30),
            drop_requested_to="النيابة العامة",
            result=ChargeResult.DROPPED,
            result_on=today - timedelta(days=10),
            recorded_by=investigated.case_worker,
        )
        charges += 1
    return f"{created} criminal proceedings and {charges} charges created"
