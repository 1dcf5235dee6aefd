import csv
from pathlib import Path
from typing import Any

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "service_types.csv"


def load(apps: Any, schema_editor: Any) -> None:
    ServiceType = apps.get_model("services", "ServiceType")
    with DATA.open(encoding="utf-8") as handle:
        for order, row in enumerate(csv.DictReader(handle), start=1):
            ServiceType.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_en": row["name_en"],
                    "name_ar": row["name_ar"],
                    "description_en": row["description_en"],
                    "description_ar": row["description_ar"],
                    "order": order,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("services", "0001_service_catalogue_deliveries_feedback")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
