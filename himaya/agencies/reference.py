"""Loading of the project's reference data files into their tables."""

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def governorate_rows(path: Path = DATA_DIR / "governorates.csv") -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [
            {
                "code": row["code"].strip(),
                "name_ar": row["name_ar"].strip(),
                "name_en": row["name_en"].strip(),
                "population": int(row["population"]) if row["population"].strip() else None,
            }
            for row in csv.DictReader(handle)
        ]


def load_governorates(model: Any, path: Path = DATA_DIR / "governorates.csv") -> int:
    """Create or update every governorate of the file; returns how many rows it holds."""
    rows = governorate_rows(path)
    for row in rows:
        code = row.pop("code")
        model.objects.update_or_create(code=code, defaults=row)
    return len(rows)
