"""The centroid of every governorate, read from ``shelters/data/governorate_centroids.csv``.

The migration reads its data file itself, so that a later change of the app's code can
never change what it loads."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

CENTROIDS = Path(__file__).resolve().parent.parent / "data" / "governorate_centroids.csv"


def fill_governorate_centroids(apps, schema_editor):
    Centroid = apps.get_model("shelters", "GovernorateCentroid")
    Governorate = apps.get_model("agencies", "Governorate")
    governorates = {g.code: g for g in Governorate.objects.all()}
    with CENTROIDS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            governorate = governorates.get(row["code"].strip())
            if governorate is None:
                continue
            Centroid.objects.update_or_create(
                governorate=governorate,
                defaults={
                    "capital_en": row["capital_en"].strip(),
                    "capital_ar": row["capital_ar"].strip(),
                    "latitude": Decimal(row["latitude"].strip()),
                    "longitude": Decimal(row["longitude"].strip()),
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("shelters", "0001_shelters_units_beds_stays"),
        ("agencies", "0002_fill_governorates"),
    ]

    operations = [migrations.RunPython(fill_governorate_centroids, migrations.RunPython.noop)]
