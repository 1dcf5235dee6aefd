"""Load the sexual-exploitation indicator sets (adults and children), provisional.

The graded lists of the ILO/EC brochure for sexual exploitation are not transcribed yet:
every row of the data file says whether it was verified and where it comes from, and a
set with any unverified row is loaded as provisional. The migration reads its data file
with the csv module and imports no code of the app, so that later changes to the app can
never change what this step wrote.
"""

import csv
from pathlib import Path
from typing import Any

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "ilo_ec_2009_sexual.csv"
CATALOGUE = "ilo-ec-2009"
SOURCE = (
    "ILO / European Commission, Operational indicators of trafficking in human beings "
    "(2009), https://www.ilo.org/global/topics/forced-labour/publications/WCMS_105023/"
)
ARABIC_SET_NAMES = {
    "A_SEX": "البالغون - الاتجار بغرض الاستغلال الجنسي",
    "C_SEX": "الأطفال - الاتجار بغرض الاستغلال الجنسي",
}
SET_CODES = tuple(ARABIC_SET_NAMES)


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
    for set_code in SET_CODES:
        if IndicatorSet.objects.filter(catalogue=catalogue, code=set_code).exists():
            continue  # already loaded: a published set never changes
        mine = [row for row in rows if row["set"].strip() == set_code]
        sets[set_code] = IndicatorSet.objects.create(
            catalogue=catalogue,
            code=set_code,
            name_en=mine[0]["set_label"].strip(),
            name_ar=ARABIC_SET_NAMES[set_code],
            for_children=set_code.startswith("C_"),
            exploitation="sexual",
            provisional=any(row["verified"].strip().lower() != "true" for row in mine),
        )
    for row in rows:
        set_code = row["set"].strip()
        if set_code not in sets:
            continue
        positions[set_code] = positions.get(set_code, 0) + 1
        code = row["code"].strip()
        indicators.append(
            TraffickingIndicator(
                indicator_set=sets[set_code],
                code=code,
                key=row["indicator_key"].strip()[:60] or code,
                dimension=row["dimension_code"].strip().upper(),
                strength=row["strength"].strip().lower(),
                text_en=row["text_en"].strip(),
                text_ar=row["text_ar_draft"].strip() or row["text_en"].strip(),
                position=positions[set_code],
                note=row["confidence"].strip()[:300],
                source=row["source"].strip()[:300],
                verified=row["verified"].strip().lower() == "true",
            )
        )
    TraffickingIndicator.objects.bulk_create(indicators)


def empty(apps: Any, schema_editor: Any) -> None:
    apps.get_model("screening", "TraffickingIndicator").objects.filter(
        indicator_set__catalogue__label=CATALOGUE, indicator_set__code__in=SET_CODES
    ).delete()
    apps.get_model("screening", "IndicatorSet").objects.filter(
        catalogue__label=CATALOGUE, code__in=SET_CODES
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("screening", "0004_indicator_verification_and_interpretation")]

    operations = [migrations.RunPython(fill, empty)]
