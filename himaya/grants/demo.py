"""Demo of grants to the demo NGOs, with tranches and reports (synthetic, idempotent)."""

from datetime import date
from decimal import Decimal

from django.apps import apps

from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind
from himaya.grants import actions
from himaya.grants.models import Grant

NOUR = "Nour Association for Women's Support"
UPPER_EGYPT = "Upper Egypt Child Rights Association"

GRANTS = [
    (
        NOUR,
        "حماية وتأهيل النساء الناجيات من الاتجار بالبشر 2025/2026",
        ["protection", "service_provision", "rehabilitation"],
        "إيواء مؤقت وخط ساخن\nدعم نفسي فردي وجماعي\nتدريب مهني على الخياطة والحرف",
        ["shelter", "psychological", "vocational_training"],
        [(date(2025, 7, 1), "400000"), (date(2025, 11, 1), "400000"), (date(2026, 3, 1), "400000")],
        2,  # tranches released
        ["approved", "submitted"],  # report on tranche 1, 2
    ),
    (
        UPPER_EGYPT,
        "الوقاية من عمالة الأطفال والاتجار بهم في أسوان",
        ["prevention", "protection"],
        "حملات توعية في المدارس\nمتابعة أسر الأطفال المعرضين للخطر",
        ["education", "family_tracing"],
        [(date(2025, 9, 1), "150000"), (date(2026, 3, 1), "150000")],
        1,
        ["returned"],
    ),
]


def seed() -> str:
    officer = User.objects.filter(username="grants").first()
    if officer is None:
        return "grants officer missing: run the accounts demo first"
    made = 0
    service_type = apps.get_model("services", "ServiceType")
    for ngo_name, title, phases, services, codes, tranches, released, reports in GRANTS:
        ngo = Agency.objects.filter(name_en=ngo_name, kind=AgencyKind.NGO).first()
        if ngo is None or Grant.objects.filter(ngo=ngo, title=title).exists():
            continue
        schedule = [(due, Decimal(value)) for due, value in tranches]
        grant = actions.create_grant(
            ngo=ngo,
            title=title,
            amount=sum((v for _d, v in schedule), Decimal(0)),
            starts_on=schedule[0][0],
            ends_on=date(2026, 6, 30),
            phases=phases,
            services=services,
            tranches=schedule,
            by=officer,
            service_types=list(service_type.objects.filter(code__in=codes)),
        )
        made += 1
        staff = User.objects.filter(memberships__agency=ngo, memberships__is_active=True).first()
        for tranche in grant.tranches.order_by("sequence")[:released]:
            actions.release_tranche(tranche=tranche, by=officer, expected_version=tranche.version)
            state = reports[tranche.sequence - 1] if tranche.sequence <= len(reports) else None
            if state is None or staff is None:
                break
            report = actions.submit_report(
                tranche=tranche,
                narrative="قدمت الجمعية خدمات الحماية والدعم النفسي وفق الخطة المتفق عليها.",
                people_served=18 + tranche.sequence * 7,
                services_delivered=40 + tranche.sequence * 11,
                by=staff,
                expected_version=0,
            )
            if state in {"approved", "returned"}:
                actions.review_report(
                    report=report,
                    approve=state == "approved",
                    note=""
                    if state == "approved"
                    else "يرجى تفصيل أعداد الأطفال حسب الفئة العمرية",
                    by=officer,
                    expected_version=report.version,
                )
    return f"{made} grants created, {len(GRANTS)} in the demo"
