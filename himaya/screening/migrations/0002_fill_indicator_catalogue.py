"""Load the labour-exploitation indicator sets (adults and children) of the ILO/EC catalogue.

The migration reads its data file with the csv module and imports no code of the app, so
that later changes to the app can never change what this step wrote.
"""

import csv
from pathlib import Path
from typing import Any

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "ilo_ec_2009_labour.csv"
CATALOGUE = "ilo-ec-2009"
SOURCE = (
    "ILO / European Commission, Operational indicators of trafficking in human beings "
    "(2009), https://www.ilo.org/global/topics/forced-labour/publications/WCMS_105023/"
)
ARABIC_SET_NAMES = {
    "A_LAB": "البالغون - الاتجار بغرض الاستغلال في العمل",
    "C_LAB": "الأطفال - الاتجار بغرض الاستغلال في العمل",
}


def fill(apps: Any, schema_editor: Any) -> None:
    CatalogueVersion = apps.get_model("screening", "CatalogueVersion")
    IndicatorSet = apps.get_model("screening", "IndicatorSet")
    TraffickingIndicator = apps.get_model("screening", "TraffickingIndicator")
    with DATA.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    catalogue, _ = CatalogueVersion.objects.get_or_create(
        label=CATALOGUE, defaults={"source": SOURCE}
    )
    sets: dict[str, Any] = {}
    positions: dict[str, int] = {}
    indicators = []
    for row in rows:
        set_code = row["set"].strip()
        indicator_set = sets.get(set_code)
        if indicator_set is None:
            if IndicatorSet.objects.filter(catalogue=catalogue, code=set_code).exists():
                continue  # already loaded: a published set never changes
            indicator_set = IndicatorSet.objects.create(
                catalogue=catalogue,
                code=set_code,
                name_en=row["set_label"].strip(),
                name_ar=ARABIC_SET_NAMES[set_code],
                for_children=set_code.startswith("C_"),
                exploitation="labour",
            )
            sets[set_code] = indicator_set
        positions[set_code] = positions.get(set_code, 0) + 1
        code = row["code"].strip()
        indicators.append(
            TraffickingIndicator(
                indicator_set=indicator_set,
                code=code,
                key=row["indicator_key"].strip()[:60] or code,
                dimension=row["dimension_code"].strip().upper(),
                strength=row["strength"].strip().lower(),
                text_en=row["text_en"].strip(),
                text_ar=row["text_ar_draft"].strip() or row["text_en"].strip(),
                position=positions[set_code],
                note=row["confidence"].strip()[:300],
            )
        )
    TraffickingIndicator.objects.bulk_create(indicators)


def empty(apps: Any, schema_editor: Any) -> None:
    apps.get_model("screening", "TraffickingIndicator").objects.filter(
        indicator_set__catalogue__label=CATALOGUE
    ).delete()
    apps.get_model("screening", "IndicatorSet").objects.filter(
        catalogue__label=CATALOGUE
    ).delete()
    apps.get_model("screening", "CatalogueVersion").objects.filter(label=CATALOGUE).delete()


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_indicator_catalogue_and_screenings")]

    operations = [migrations.RunPython(fill, empty)]
