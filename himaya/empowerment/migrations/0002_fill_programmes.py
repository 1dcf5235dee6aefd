"""Seed the programmes survivors are referred to (domain reference, section 5.4).

Facts marked verified come from the cited sources; the others (microfinance and
vocational training rules, Takaful's household roles) are reasonable defaults that
stay editable data until verified. Managing agencies are set by the people running
the system (the demo sets the Ministry).
"""

from decimal import Decimal

from django.db import migrations

PROGRAMMES = [
    {
        "slug": "takaful",
        "name_ar": "تكافل",
        "name_en": "Takaful",
        "kind": "cash_transfer",
        "operator_ar": "وزارة التضامن الاجتماعي",
        "operator_en": "Ministry of Social Solidarity",
        "allowed_sexes": [],
        "min_age": 18,
        "max_age": None,
        "household_roles": ["head", "spouse"],
        "requires_reintegration": False,
        "amount_min": Decimal("700.00"),
        "amount_max": Decimal("4000.00"),
        "description_ar": "دعم نقدي مشروط لدخل الأسرة (انتظام الأطفال في المدارس ومتابعة صحة الأم والطفل).",
        "description_en": "Conditional family income support (school attendance, mother and child health visits).",
        "facts_verified": True,
        "source": "https://socialprotection.org/programme/takaful-and-karama-solidarity-and-dignity ; "
        "https://egyptian-gazette.com/?p=406282 (monthly EGP 700-4,000, 2025)",
    },
    {
        "slug": "karama",
        "name_ar": "كرامة",
        "name_en": "Karama",
        "kind": "cash_transfer",
        "operator_ar": "وزارة التضامن الاجتماعي",
        "operator_en": "Ministry of Social Solidarity",
        "allowed_sexes": [],
        "min_age": 65,
        "max_age": None,
        "household_roles": [],
        "requires_reintegration": False,
        "amount_min": Decimal("700.00"),
        "amount_max": Decimal("4000.00"),
        "description_ar": "دعم نقدي غير مشروط لكبار السن الفقراء (65 سنة فأكثر) وذوي الإعاقة الشديدة والأيتام؛ "
        "يقدّر الموظف المختص مساري الإعاقة واليُتم.",
        "description_en": "Unconditional support for poor elderly people (65+), persons with severe disabilities "
        "and orphans; the disability and orphan routes are judged by the officer.",
        "facts_verified": True,
        "source": "https://socialprotection.org/programme/takaful-and-karama-solidarity-and-dignity",
    },
    {
        "slug": "microfinance",
        "name_ar": "التمويل متناهي الصغر",
        "name_en": "Microfinance",
        "kind": "loan",
        "operator_ar": "جهاز تنمية المشروعات المتوسطة والصغيرة ومتناهية الصغر",
        "operator_en": "Micro, Small and Medium Enterprise Development Agency (MSMEDA)",
        "allowed_sexes": [],
        "min_age": 21,
        "max_age": 65,
        "household_roles": [],
        "requires_reintegration": True,
        "amount_min": Decimal("3000.00"),
        "amount_max": Decimal("50000.00"),
        "description_ar": "قروض صغيرة لبدء مشروع أو توسيعه مع دعم فني.",
        "description_en": "Small loans to start or grow a project, with technical support.",
        "facts_verified": False,
        "source": "Domain reference 5.4 (MSMEDA, Mashroo'ak); ages and amounts to verify",
    },
    {
        "slug": "vocational-training",
        "name_ar": "التدريب المهني",
        "name_en": "Vocational training",
        "kind": "training",
        "operator_ar": "وزارة التضامن الاجتماعي ومراكز التدريب الشريكة",
        "operator_en": "Ministry of Social Solidarity and partner training centres",
        "allowed_sexes": [],
        "min_age": 16,
        "max_age": None,
        "household_roles": [],
        "requires_reintegration": True,
        "amount_min": None,
        "amount_max": None,
        "description_ar": "تدريب على حرفة أو مهارة تؤهل للعمل أو لمشروع.",
        "description_en": "Training in a trade or skill leading to a job or a project.",
        "facts_verified": False,
        "source": "Domain reference 6 (long-term inclusion); rules to verify",
    },
    {
        "slug": "mastoura",
        "name_ar": "مستورة",
        "name_en": "Mastoura",
        "kind": "loan",
        "operator_ar": "بنك ناصر الاجتماعي وصندوق تحيا مصر",
        "operator_en": "Nasser Social Bank with the Tahya Misr Fund",
        "allowed_sexes": ["female"],
        "min_age": 21,
        "max_age": 60,
        "household_roles": [],
        "requires_reintegration": True,
        "amount_min": Decimal("4000.00"),
        "amount_max": Decimal("20000.00"),
        "description_ar": "تمويل متناهي الصغر للنساء القادرات على العمل دون دخل ثابت، يُقدَّم معدات وأدوات لا نقدًا.",
        "description_en": "Micro-finance for women able to work without a fixed income, given as equipment "
        "and tools rather than cash.",
        "facts_verified": True,
        "source": "https://www.dailynewsegypt.com/2019/10/15/tahya-misr-fund-provides-egp-306m-for-financing-18000-micro-projects/",
    },
]


def fill(apps, schema_editor):
    Programme = apps.get_model("empowerment", "Programme")
    for data in PROGRAMMES:
        Programme.objects.update_or_create(slug=data["slug"], defaults=data)


def empty(apps, schema_editor):
    Programme = apps.get_model("empowerment", "Programme")
    Programme.objects.filter(slug__in=[p["slug"] for p in PROGRAMMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("empowerment", "0001_programmes_enrolments_projects_visits")]

    operations = [migrations.RunPython(fill, empty)]
