import csv
from pathlib import Path
from typing import Any

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "online_platforms.csv"


def load(apps: Any, schema_editor: Any) -> None:
    """The starting list of online platforms (configurable: administrators keep it)."""
    OnlinePlatform = apps.get_model("cases", "OnlinePlatform")
    with DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for order, row in enumerate(rows, start=1):
        OnlinePlatform.objects.get_or_create(
            code=row["code"].strip(),
            defaults={
                "kind": row["kind"].strip(),
                "htcds_value": row["htcds_value"].strip(),
                "name_en": row["name_en"].strip(),
                "name_ar": row["name_ar"].strip(),
                "order": order * 10,
                "is_active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_case_transfers_and_technology")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
