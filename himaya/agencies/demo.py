"""Demo organisations across the country (synthetic, idempotent)."""

from himaya.agencies.models import Agency, AgencyKind, Governorate

MINISTRY = "Ministry of Social Solidarity"
CAIRO_DIRECTORATE = "Cairo Directorate of Social Solidarity"
ALEXANDRIA_DIRECTORATE = "Alexandria Directorate of Social Solidarity"
CAIRO_SHELTER = "Cairo Protection Shelter"

# (English name, Arabic name, kind, governorate code, parent English name, country)
AGENCIES: list[tuple[str, str, str, str, str, str]] = [
    (MINISTRY, "وزارة التضامن الاجتماعي", AgencyKind.MINISTRY, "EG-C", "", ""),
    (
        CAIRO_DIRECTORATE,
        "مديرية التضامن الاجتماعي بالقاهرة",
        AgencyKind.DIRECTORATE,
        "EG-C",
        MINISTRY,
        "",
    ),
    (
        ALEXANDRIA_DIRECTORATE,
        "مديرية التضامن الاجتماعي بالإسكندرية",
        AgencyKind.DIRECTORATE,
        "EG-ALX",
        MINISTRY,
        "",
    ),
    (
        "Aswan Directorate of Social Solidarity",
        "مديرية التضامن الاجتماعي بأسوان",
        AgencyKind.DIRECTORATE,
        "EG-ASN",
        MINISTRY,
        "",
    ),
    (
        "Asyut Directorate of Social Solidarity",
        "مديرية التضامن الاجتماعي بأسيوط",
        AgencyKind.DIRECTORATE,
        "EG-AST",
        MINISTRY,
        "",
    ),
    (
        "Sharqia Directorate of Social Solidarity",
        "مديرية التضامن الاجتماعي بالشرقية",
        AgencyKind.DIRECTORATE,
        "EG-SHR",
        MINISTRY,
        "",
    ),
    (CAIRO_SHELTER, "دار الحماية بالقاهرة", AgencyKind.SHELTER, "EG-C", MINISTRY, ""),
    (
        "Alexandria Protection Shelter",
        "دار الحماية بالإسكندرية",
        AgencyKind.SHELTER,
        "EG-ALX",
        MINISTRY,
        "",
    ),
    ("Aswan Protection Shelter", "دار الحماية بأسوان", AgencyKind.SHELTER, "EG-ASN", MINISTRY, ""),
    (
        "Nour Association for Women's Support",
        "جمعية نور لدعم المرأة",
        AgencyKind.NGO,
        "EG-C",
        "",
        "",
    ),
    (
        "Upper Egypt Child Rights Association",
        "جمعية حقوق الطفل بصعيد مصر",
        AgencyKind.NGO,
        "EG-ASN",
        "",
        "",
    ),
    (
        "Anti-Trafficking Police Unit",
        "وحدة شرطة مكافحة الاتجار بالبشر",
        AgencyKind.POLICE,
        "EG-C",
        "",
        "",
    ),
    (
        "Public Prosecution, Trafficking Office",
        "النيابة العامة - مكتب قضايا الاتجار بالبشر",
        AgencyKind.PROSECUTION,
        "EG-C",
        "",
        "",
    ),
    ("Cairo University Hospital", "مستشفى جامعة القاهرة", AgencyKind.HEALTH, "EG-C", "", ""),
    (
        "Embassy of Ethiopia in Cairo",
        "سفارة إثيوبيا بالقاهرة",
        AgencyKind.EMBASSY,
        "EG-C",
        "",
        "ET",
    ),
    ("IOM Egypt", "المنظمة الدولية للهجرة - مصر", AgencyKind.INTERNATIONAL, "EG-C", "", ""),
    (
        "National Control and Emergency Centre",
        "المركز الوطني للتحكم والطوارئ",
        AgencyKind.COMMAND_CENTRE,
        "EG-C",
        MINISTRY,
        "",
    ),
    (
        "National Coordinating Committee (NCCPIM&TIP)",
        "اللجنة الوطنية التنسيقية لمكافحة ومنع الهجرة غير الشرعية والاتجار بالبشر",
        AgencyKind.COMMITTEE,
        "EG-C",
        "",
        "",
    ),
]


def agency(name_en: str) -> Agency:
    return Agency.objects.get(name_en=name_en)


def seed() -> str:
    created = 0
    governorates = {g.code: g for g in Governorate.objects.all()}
    for name_en, name_ar, kind, governorate, parent, country in AGENCIES:
        _, was_created = Agency.objects.get_or_create(
            name_en=name_en,
            defaults={
                "name_ar": name_ar,
                "kind": kind,
                "governorate": governorates[governorate],
                "parent": Agency.objects.get(name_en=parent) if parent else None,
                "country": country,
            },
        )
        created += was_created
    return f"{created} agencies created, {len(AGENCIES)} in the demo"
