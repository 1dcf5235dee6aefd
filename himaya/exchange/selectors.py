"""Reads of the exchange app: the facts of the cases that statistics may count, the
victims of the international tables (from Himaya's records or the statistical store),
and what a screening's answers say of the means of control."""

import csv
import datetime
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q

from himaya.cases.models import Case, IdentificationChannel, IdentificationStatus
from himaya.exchange import rules
from himaya.exchange.models import StatisticalRecord
from himaya.screening.models import ScreeningAnswer
from himaya.screening.rules import YES
from himaya.survivors.selectors import in_statistics

DATA_DIR = Path(__file__).resolve().parent / "data"
HIMAYA = "himaya"
CTDC = "ctdc"
SOURCES = (HIMAYA, CTDC)

# Screening indicators (ILO/EC keys) whose "yes" says a means of control was used.
SCREENING_MEANS: dict[str, str] = {
    "debt_bondage": "debt_bondage",
    "withholding_wages": "takes_earnings",
    "withholding_money": "takes_earnings",
    "wage_manipulation": "takes_earnings",
    "threat_violence": "threats",
    "threat_inform_family": "threats",
    "threat_worse_cond": "threats",
    "threat_denunciation": "threat_of_law_enforcement",
    "violence_victim": "physical_abuse",
    "isolation": "restricts_movement",
    "confiscation_docs": "withholds_documents",
    "excessive_hours": "excessive_working_hours",
    "nature_job": "false_promises",
    "conditions_work": "false_promises",
    "contract": "false_promises",
}


def default_k() -> int:
    """The k of the exports (``HIMAYA_EXPORT_K``; 11, as CTDC)."""
    return int(getattr(settings, "HIMAYA_EXPORT_K", 11))


def max_suppressed_share() -> float:
    """The share of records the export may suppress before it generalises a
    quasi-identifier further (``HIMAYA_EXPORT_MAX_SUPPRESSED``; 0.05)."""
    return float(getattr(settings, "HIMAYA_EXPORT_MAX_SUPPRESSED", 0.05))


def screening_proposals(case: Case) -> tuple[list[str], bool | None]:
    """The means of control, and whether the person was abducted, that the answers of
    the case's screening say "yes" to (nothing without a screening)."""
    if not case.screening_code:
        return [], None
    keys = set(
        ScreeningAnswer.objects.filter(
            screening__code=case.screening_code,
            screening__survivor_id=case.survivor_id,
            answer=YES,
        ).values_list("indicator__key", flat=True)
    )
    means = sorted({SCREENING_MEANS[k] for k in keys if k in SCREENING_MEANS})
    return means, (True if "abduction" in keys else None)


# The columns of a case that the statistical exports read.
COUNTED_CASE_COLUMNS = (
    "id",
    "survivor_id",
    "first_contact_on",
    "identified_on",
    "identified_by",
    "country_of_exploitation",
    "governorate_of_exploitation__code",
    "means_of_control",
    "labour_sector",
    "recruiter_relationship",
    "was_abducted",
    "age_at_recruitment",
    "age_at_exploitation",
    "survivor__sex",
    "survivor__birth_year",
    "survivor__nationality",
)


def _counted_cases(*, on: datetime.date, record_level: bool) -> Iterator[Any]:
    """One row per survivor (the first case), among the cases statistics may count:
    detected victims (not decided "not a victim" or withdrawn)."""
    queryset = (
        Case.objects.exclude(
            identification_status__in=[
                IdentificationStatus.NOT_VICTIM,
                IdentificationStatus.WITHDRAWN,
            ]
        )
        .filter(in_statistics("survivor", on=on, record_level=record_level))
        .order_by("survivor_id", "first_contact_on", "id")
        .values(*COUNTED_CASE_COLUMNS)
    )
    seen: set[int] = set()
    for row in queryset.iterator(chunk_size=5000):
        survivor = int(str(row["survivor_id"]))
        if survivor in seen:
            continue
        seen.add(survivor)
        yield row


def _forms_by_case(case_ids: list[int]) -> dict[int, tuple[str, ...]]:
    through = Case.exploitation_forms.through
    forms: dict[int, list[str]] = {}
    for start in range(0, len(case_ids), 20000):
        chunk = case_ids[start : start + 20000]
        for case_id, code in through.objects.filter(case_id__in=chunk).values_list(
            "case_id", "exploitationform__code"
        ):
            forms.setdefault(case_id, []).append(code)
    return {case_id: tuple(sorted(codes)) for case_id, codes in forms.items()}


def case_facts(
    *, on: datetime.date | None = None, record_level: bool = True
) -> list[rules.CaseFacts]:
    """The facts of every case the statistics may count, one per survivor: for a
    record-level export only survivors with a standing statistics consent."""
    day = on or datetime.date.today()
    rows = list(_counted_cases(on=day, record_level=record_level))
    forms = _forms_by_case([int(str(r["id"])) for r in rows])
    facts = []
    for r in rows:
        day_of = r["identified_on"] or r["first_contact_on"]
        assert isinstance(day_of, datetime.date)
        facts.append(
            rules.CaseFacts(
                year=day_of.year,
                sex=str(r["survivor__sex"]),
                birth_year=r["survivor__birth_year"],
                nationality=str(r["survivor__nationality"] or ""),
                country_of_exploitation=str(r["country_of_exploitation"] or ""),
                forms=forms.get(int(str(r["id"])), ()),
                means_of_control=tuple(r["means_of_control"] or ()),
                labour_sector=str(r["labour_sector"] or ""),
                recruiter_relationship=str(r["recruiter_relationship"] or ""),
                was_abducted=r["was_abducted"],
                age_at_recruitment=r["age_at_recruitment"],
                age_at_exploitation=r["age_at_exploitation"],
                hotline=r["identified_by"] == IdentificationChannel.HOTLINE,
                governorate=str(r["governorate_of_exploitation__code"] or ""),
            )
        )
    return facts


def himaya_victims(*, on: datetime.date | None = None) -> list[rules.Victim]:
    """Himaya's detected victims as the tables count them (aggregates: the statistics
    policy decides whether survivors without consent count)."""
    victims = []
    for f in case_facts(on=on, record_level=False):
        age = f.age
        group = "unknown" if age is None else ("child" if age < 18 else "adult")
        victims.append(
            rules.Victim(
                year=f.year,
                sex=f.sex,
                age_group=group,
                form=rules.unodc_form(f.forms),
                citizenship=f.nationality,
                country_of_exploitation=f.country_of_exploitation,
                flow=rules.flow_of(f.nationality, f.country_of_exploitation),
            )
        )
    return victims


def ctdc_victims(*, country: str = "") -> list[rules.Victim]:
    """The imported CTDC records as the tables count them, in CTDC's own codes."""
    queryset = StatisticalRecord.objects.filter(source=CTDC)
    if country:
        queryset = queryset.filter(country_of_exploitation=country)
    return [
        rules.Victim(
            year=year,
            sex=gender or "Unknown",
            age_group=majority or "Unknown",
            form=form,
            citizenship=citizenship or "Missing",
            country_of_exploitation=country_of or "Missing",
            flow=rules.flow_of(citizenship, country_of),
        )
        for year, gender, majority, form, citizenship, country_of in queryset.values_list(
            "year", "gender", "majority_status", "form", "citizenship", "country_of_exploitation"
        ).iterator(chunk_size=10000)
    ]


@lru_cache(maxsize=1)
def national_population() -> int:
    """Egypt's population: the sum of the governorates' (data/governorates.csv, CAPMAS)."""
    with open(DATA_DIR / "governorates.csv", encoding="utf-8") as handle:
        return sum(int(row["population"]) for row in csv.DictReader(handle))


def statistical_records_count(source: str = CTDC) -> int:
    return StatisticalRecord.objects.filter(Q(source=source)).count()
