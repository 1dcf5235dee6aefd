"""Reading indicator sets from CSV files and loading them into the catalogue.

Used by the data migration (with historical models) and by ``import_indicator_set``.
Parsing is pure; ``load_sets`` takes the model classes so that a migration can pass the
models of its own state.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from himaya.screening import rules

DATA_DIR = Path(__file__).resolve().parent / "data"
LABOUR_FILE = DATA_DIR / "ilo_ec_2009_labour.csv"
SEXUAL_FILE = DATA_DIR / "ilo_ec_2009_sexual.csv"
FIRST_CATALOGUE = "ilo-ec-2009"
FIRST_SOURCE = (
    "ILO / European Commission, Operational indicators of trafficking in human beings "
    "(2009), https://www.ilo.org/global/topics/forced-labour/publications/WCMS_105023/"
)
REQUIRED_COLUMNS = ("set", "set_label", "dimension_code", "strength", "code", "text_en")
ARABIC_SET_NAMES = {
    "A_LAB": "البالغون - الاتجار بغرض الاستغلال في العمل",
    "C_LAB": "الأطفال - الاتجار بغرض الاستغلال في العمل",
    "A_SEX": "البالغون - الاتجار بغرض الاستغلال الجنسي",
    "C_SEX": "الأطفال - الاتجار بغرض الاستغلال الجنسي",
}


# How the optional ``verified`` column is read; an absent column or an empty cell is "true".
VERIFIED_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class CatalogueFileError(ValueError):
    """The file is not a valid indicator set file."""


@dataclass
class IndicatorRow:
    code: str
    key: str
    dimension: str
    strength: str
    text_en: str
    text_ar: str
    note: str
    verified: bool = True
    source: str = ""


@dataclass
class SetSpec:
    code: str
    name_en: str
    name_ar: str
    for_children: bool
    exploitation: str
    indicators: list[IndicatorRow] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        """A set with an indicator not verified against the published list."""
        return any(not row.verified for row in self.indicators)


def parse_rows(rows: Iterable[dict[str, str]]) -> list[SetSpec]:
    """Validate the rows of an indicator file and group them by set, in file order."""
    sets: dict[str, SetSpec] = {}
    codes: set[str] = set()
    for number, row in enumerate(rows, start=2):
        missing = [c for c in REQUIRED_COLUMNS if not (row.get(c) or "").strip()]
        if missing:
            raise CatalogueFileError(f"line {number}: missing {', '.join(missing)}")
        set_code = row["set"].strip()
        dimension = row["dimension_code"].strip().upper()
        strength = row["strength"].strip().lower()
        code = row["code"].strip()
        if dimension not in rules.DIMENSIONS:
            raise CatalogueFileError(f"line {number}: unknown dimension {dimension!r}")
        if strength not in (rules.STRONG, rules.MEDIUM, rules.WEAK):
            raise CatalogueFileError(f"line {number}: unknown strength {strength!r}")
        if code in codes:
            raise CatalogueFileError(f"line {number}: indicator code {code!r} repeated")
        verified_cell = (row.get("verified") or "true").strip().lower()
        if verified_cell not in VERIFIED_WORDS:
            raise CatalogueFileError(f"line {number}: verified must be true or false")
        codes.add(code)
        spec = sets.get(set_code)
        if spec is None:
            label = row["set_label"].strip()
            lowered = f"{set_code} {label}".lower()
            spec = SetSpec(
                code=set_code,
                name_en=label,
                name_ar=(row.get("set_label_ar") or "").strip()
                or ARABIC_SET_NAMES.get(set_code, ""),
                for_children=set_code.upper().startswith("C_") or "child" in lowered,
                exploitation="sexual" if "sex" in lowered else "labour",
            )
            sets[set_code] = spec
        spec.indicators.append(
            IndicatorRow(
                code=code,
                key=(row.get("indicator_key") or "").strip()[:60] or code,
                dimension=dimension,
                strength=strength,
                text_en=row["text_en"].strip(),
                text_ar=(row.get("text_ar_draft") or row.get("text_ar") or "").strip()
                or row["text_en"].strip(),
                note=(row.get("confidence") or "").strip()[:300],
                verified=VERIFIED_WORDS[verified_cell],
                source=(row.get("source") or "").strip()[:300],
            )
        )
    if not sets:
        raise CatalogueFileError("the file holds no indicator")
    return list(sets.values())


def read_file(path: Path) -> list[SetSpec]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:
            raise CatalogueFileError("the file is empty")
        missing = [c for c in REQUIRED_COLUMNS if c not in reader.fieldnames]
        if missing:
            raise CatalogueFileError(f"missing columns: {', '.join(missing)}")
        return parse_rows(reader)


@dataclass
class LoadReport:
    sets_created: list[str] = field(default_factory=list)
    sets_unchanged: list[str] = field(default_factory=list)
    indicators_created: int = 0


def load_sets(
    specs: list[SetSpec],
    *,
    catalogue_label: str,
    source: str,
    catalogue_model: Any,
    set_model: Any,
    indicator_model: Any,
) -> LoadReport:
    """Create the sets in the catalogue version ``catalogue_label``.

    A set already in that version is left as it is when its indicators are the same, and
    refused otherwise: a published set never changes (screenings refer to it); corrected
    weights go into a new catalogue version.
    """
    report = LoadReport()
    catalogue, _created = catalogue_model.objects.get_or_create(
        label=catalogue_label, defaults={"source": source[:500]}
    )
    for spec in specs:
        existing = set_model.objects.filter(catalogue=catalogue, code=spec.code).first()
        if existing is not None:
            stored = {
                (i.code, i.dimension, i.strength)
                for i in indicator_model.objects.filter(indicator_set=existing)
            }
            wanted = {(i.code, i.dimension, i.strength) for i in spec.indicators}
            if stored != wanted:
                raise CatalogueFileError(
                    f"set {spec.code} already exists in catalogue version {catalogue_label} "
                    "with other indicators: import it into a new catalogue version"
                )
            report.sets_unchanged.append(spec.code)
            continue
        indicator_set = set_model.objects.create(
            catalogue=catalogue,
            code=spec.code,
            name_en=spec.name_en,
            name_ar=spec.name_ar,
            for_children=spec.for_children,
            exploitation=spec.exploitation,
            provisional=spec.provisional,
        )
        indicator_model.objects.bulk_create(
            indicator_model(
                indicator_set=indicator_set,
                code=row.code,
                key=row.key,
                dimension=row.dimension,
                strength=row.strength,
                text_en=row.text_en,
                text_ar=row.text_ar,
                position=position,
                note=row.note,
                source=row.source,
                verified=row.verified,
            )
            for position, row in enumerate(spec.indicators, start=1)
        )
        report.sets_created.append(spec.code)
        report.indicators_created += len(spec.indicators)
    return report
