"""Loading of the governorate centroids file into its table."""

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
CENTROIDS = DATA_DIR / "governorate_centroids.csv"


def centroid_rows(path: Path = CENTROIDS) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [
            {
                "code": row["code"].strip(),
                "capital_en": row["capital_en"].strip(),
                "capital_ar": row["capital_ar"].strip(),
                "latitude": Decimal(row["latitude"].strip()),
                "longitude": Decimal(row["longitude"].strip()),
            }
            for row in csv.DictReader(handle)
        ]


def load_centroids(centroid_model: Any, governorate_model: Any, path: Path = CENTROIDS) -> int:
    """Create or update the centroid of every governorate in the file; returns how many."""
    governorates = {g.code: g for g in governorate_model.objects.all()}
    loaded = 0
    for row in centroid_rows(path):
        governorate = governorates.get(row.pop("code"))
        if governorate is None:
            continue
        centroid_model.objects.update_or_create(governorate=governorate, defaults=row)
        loaded += 1
    return loaded
