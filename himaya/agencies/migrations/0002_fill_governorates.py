import csv
from pathlib import Path

from django.db import migrations

# The data file is read here directly: a migration does not depend on the app's code,
# which may change after the migration is written.
GOVERNORATES = Path(__file__).resolve().parent.parent / "data" / "governorates.csv"


def fill_governorates(apps, schema_editor):
    Governorate = apps.get_model("agencies", "Governorate")
    with GOVERNORATES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            population = row["population"].strip()
            Governorate.objects.update_or_create(
                code=row["code"].strip(),
                defaults={
                    "name_ar": row["name_ar"].strip(),
                    "name_en": row["name_en"].strip(),
                    "population": int(population) if population else None,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]

    operations = [migrations.RunPython(fill_governorates, migrations.RunPython.noop)]
