"""Writes of the exchange app: a case's trafficking details, the CTDC import, and the
exports (each export writes its audit row with its purpose)."""

import csv
import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.audit.actions import record_event
from himaya.cases.actions import require_works_on
from himaya.cases.models import Case, LabourSector, MeansOfControl, RecruiterRelationship
from himaya.core.errors import Forbidden, Invalid
from himaya.core.locking import save_with_version
from himaya.core.tabular import FORMULA_START
from himaya.core.tabular import neutralise as neutralise_text
from himaya.exchange import rules, selectors
from himaya.exchange.models import StatisticalImport, StatisticalRecord
from himaya.monitoring import rules as monitoring_rules
from himaya.monitoring.selectors import suppress_below
from himaya.timeline.actions import record_on_case
from himaya.timeline.models import EventKind

EXPORT_STATISTICS = "exchange.export_statistics"
IMPORT_STATISTICS = "exchange.import_statistics"
VIEW_TABLES = "exchange.view_tables"

LAYOUTS = ("ctdc", "htcds")
FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
MAX_K = 1000
MAX_REJECTIONS_KEPT = 1000
BATCH_SIZE = 5000

TRAFFICKING_FIELDS = (
    "means_of_control",
    "labour_sector",
    "recruiter_relationship",
    "was_abducted",
    "age_at_recruitment",
    "age_at_exploitation",
    "exploitation_months",
    "place_of_recruitment",
    "country_of_recruitment",
)


# --- Trafficking details of a case --------------------------------------------------------


@transaction.atomic
def update_trafficking_details(
    *, case: Case, by: User, expected_version: int, changes: dict[str, Any]
) -> Case:
    """Record what the standards count of how the person was trafficked (every field
    optional); refused on a closed case or when someone saved the case meanwhile."""
    require_works_on(by, case)
    if case.is_closed:
        raise Invalid(_("This case is closed: it can no longer be changed."))
    unknown = set(changes) - set(TRAFFICKING_FIELDS)
    if unknown:
        raise Invalid(_("These details cannot be changed here."))
    means = changes.get("means_of_control")
    if means is not None:
        if not isinstance(means, list) or set(means) - set(MeansOfControl.values):
            raise Invalid(_("Choose means of control from the list."), field="means_of_control")
        changes["means_of_control"] = [m for m in MeansOfControl.values if m in means]
    choices = {
        "labour_sector": LabourSector.values,
        "recruiter_relationship": RecruiterRelationship.values,
    }
    for name, allowed in choices.items():
        if changes.get(name) and changes[name] not in allowed:
            raise Invalid(_("Choose a value from the list."), field=name)
    for name, limit in (
        ("age_at_recruitment", 120),
        ("age_at_exploitation", 120),
        ("exploitation_months", 1200),
    ):
        value = changes.get(name)
        if value is not None and not (isinstance(value, int) and 0 <= value <= limit):
            raise Invalid(
                _("Enter a whole number from 0 to %(limit)s.") % {"limit": limit}, field=name
            )
    recruited, exploited = (
        changes.get("age_at_recruitment", case.age_at_recruitment),
        changes.get("age_at_exploitation", case.age_at_exploitation),
    )
    if recruited is not None and exploited is not None and exploited < recruited:
        raise Invalid(
            _("The exploitation cannot begin before the recruitment."),
            field="age_at_exploitation",
        )
    country = changes.get("country_of_recruitment")
    if country:
        country = str(country).strip().upper()
        if len(country) != 2 or not country.isascii() or not country.isalpha():
            raise Invalid(_("Enter a two-letter country code."), field="country_of_recruitment")
        changes["country_of_recruitment"] = country
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    for name, value in changes.items():
        setattr(locked, name, value)
    save_with_version(locked, expected_version=expected_version, fields=list(changes))
    record_on_case(
        case=locked,
        kind=EventKind.CASE_UPDATED,
        by=by,
        summary=lambda: str(_("Trafficking details updated")),
        obj=locked,
        action="exchange.trafficking_details_updated",
        details={"fields": sorted(changes)},
    )
    return locked


# --- The CTDC import ------------------------------------------------------------------


@dataclass
class Rejection:
    line: int
    reason: str


def _rows(handle: IO[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    reader = csv.DictReader(handle)
    header = set(reader.fieldnames or [])
    missing = rules.REQUIRED_HEADER - header
    if missing:
        raise Invalid(
            _("The file is not in the CTDC layout: columns missing: %(columns)s")
            % {"columns": ", ".join(sorted(missing))}
        )
    for row in reader:
        yield reader.line_num, row


# The columns of a stored record that an imported row gives as they are; the others are
# its source, its import and its published values.
IMPORTED_FIELDS = (
    "row_hash",
    "year",
    "gender",
    "age_broad",
    "majority_status",
    "citizenship",
    "country_of_exploitation",
    "form",
)


def _write_records(rows: list[rules.ImportedRow], run: StatisticalImport, batch_size: int) -> None:
    """Write imported rows to the store: on PostgreSQL in one ``COPY`` (a bulk insert
    there sends every batch as arrays that the driver escapes value by value, most of
    the import's time), elsewhere in one bulk insert."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        StatisticalRecord.objects.bulk_create(
            [
                StatisticalRecord(
                    source=selectors.CTDC,
                    batch=run,
                    values=p.values,
                    **{name: getattr(p, name) for name in IMPORTED_FIELDS},
                )
                for p in rows
            ],
            batch_size=batch_size,
        )
        return
    meta = StatisticalRecord._meta
    column_of = {f.name: f.column for f in meta.concrete_fields}
    names = (*IMPORTED_FIELDS, "source", "batch", "values")
    columns = ", ".join(connection.ops.quote_name(column_of[name]) for name in names)
    table = connection.ops.quote_name(meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for p in rows:
            copy.write_row(
                (
                    *(getattr(p, name) for name in IMPORTED_FIELDS),
                    selectors.CTDC,
                    run.pk,
                    json.dumps(p.values),
                )
            )


def import_ctdc(
    *,
    path: str | Path,
    by: User | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
    batch_size: int = BATCH_SIZE,
) -> StatisticalImport:
    """Import a CTDC-layout CSV into the statistical store (no survivor is created).

    Every row is validated; a bad row is reported with its line and reason and the rest
    imports. Rows are written in batches, each in one transaction, so no row is ever half
    written. A row already in the store (same digest: its values and its occurrence
    among identical rows of the file) is not written again: the same file twice changes
    nothing. ``by`` is checked for ``exchange.import_statistics`` (the command line runs
    without a user)."""
    if by is not None and not by.has_perm(IMPORT_STATISTICS):
        raise Forbidden(_("You may not import statistics."))
    path = Path(path)
    digest = hashlib.sha256()
    with open(path, "rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
    run = StatisticalImport.objects.create(
        file_name=path.name[:255], file_sha256=digest.hexdigest(), imported_by=by
    )
    rejections: list[Rejection] = []
    occurrences: Counter[str] = Counter()
    pending: list[rules.ImportedRow] = []
    counts = Counter[str]()

    def flush() -> None:
        if not pending:
            return
        with transaction.atomic():
            present = set(
                StatisticalRecord.objects.filter(
                    row_hash__in=[p.row_hash for p in pending]
                ).values_list("row_hash", flat=True)
            )
            fresh = [p for p in pending if p.row_hash not in present]
            _write_records(fresh, run, batch_size)
        counts["imported"] += len(fresh)
        counts["present"] += len(pending) - len(fresh)
        pending.clear()

    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows: Iterable[tuple[int, dict[str, str | None]]] = _rows(handle)
        if progress is not None:
            rows = progress(rows)
        for line, row in rows:
            counts["read"] += 1
            key = rules.content_key(row)
            occurrences[key] += 1
            try:
                parsed = rules.parse_ctdc_row(row, occurrences[key])
            except ValueError as error:
                rejections.append(Rejection(line=line, reason=str(error)))
                continue
            pending.append(parsed)
            if len(pending) >= batch_size:
                flush()
        flush()
    run.rows_read = counts["read"]
    run.rows_imported = counts["imported"]
    run.rows_already_present = counts["present"]
    run.rows_rejected = len(rejections)
    run.rejections = [
        {"line": r.line, "reason": r.reason} for r in rejections[:MAX_REJECTIONS_KEPT]
    ]
    with transaction.atomic():
        run.save()
        record_event(
            action="exchange.statistics_imported",
            actor=by,
            obj=run,
            object_code=str(run.pk),
            actor_username="" if by else "manage.py",
            details={
                "file_sha256": run.file_sha256,
                "read": run.rows_read,
                "imported": run.rows_imported,
                "already_present": run.rows_already_present,
                "rejected": run.rows_rejected,
            },
        )
    run.rejection_list = rejections  # type: ignore[attr-defined]
    return run


# --- Exports --------------------------------------------------------------------------


@dataclass
class Export:
    content: bytes
    filename: str
    content_type: str
    rows: int
    report: dict[str, Any]


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would read as a formula, escaped with a quote."""
    return neutralise_text(value) if isinstance(value, str) else value


def _csv_bytes(header: Iterable[str], lines: Iterable[Iterable[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(header))
    for line in lines:
        # The formula check written inline: most cells are "0", "1" or "", and a file has
        # millions.
        writer.writerow(
            [
                neutralise_text(v) if isinstance(v, str) and v.startswith(FORMULA_START) else v
                for v in line
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _xlsx_bytes(
    title: str, header: list[str], lines: Iterable[Iterable[object]], notes: list[str]
) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    row_number = 0
    for row_number, line in enumerate(lines, start=1):
        for column, value in enumerate(line):
            if value is None or value == "":
                continue
            if isinstance(value, int | float):
                sheet.write_number(row_number, column, value)
            else:
                sheet.write_string(row_number, column, str(neutralise(value)))
    sheet.set_column(0, max(len(header) - 1, 0), 16)
    if notes:
        about = book.add_worksheet("notes")
        for number, note in enumerate(notes):
            about.write_string(number, 0, str(neutralise(note)))
    book.close()
    return buffer.getvalue()


def _check_export(by: User | None, purpose: str, capability: str) -> str:
    if by is not None and not by.has_perm(capability):
        raise Forbidden(_("You may not export statistics."))
    purpose = (purpose or "").strip()
    if not purpose or len(purpose) > 300:
        raise Invalid(_("Say why the data are exported (up to 300 characters)."), field="purpose")
    return purpose


@transaction.atomic
def export_statistics(
    *,
    by: User | None,
    purpose: str,
    k: int | None = None,
    layout: str = "ctdc",
    fmt: str = "csv",
) -> Export:
    """The k-anonymous record-level export of Himaya's cases in the CTDC (v6) or HTCDS
    layout: only survivors whose statistics consent stands; ages in CTDC's bands, dates
    as years; generalised, then suppressed; with the report of what was suppressed. The
    audit trail records it with its purpose. (The caller has checked a recent
    re-authentication of ``by``; the command line runs without a user.)"""
    purpose = _check_export(by, purpose, EXPORT_STATISTICS)
    k = selectors.default_k() if k is None else k
    if not isinstance(k, int) or not 2 <= k <= MAX_K:
        raise Invalid(_("k must be a whole number from 2 to %(max)s.") % {"max": MAX_K}, field="k")
    if layout not in LAYOUTS:
        raise Invalid(_("Unknown layout."), field="layout")
    if fmt not in FORMATS:
        raise Invalid(_("Unknown format."), field="format")
    facts = selectors.case_facts(record_level=True)
    anonymised = rules.k_anonymise(
        [rules.ctdc_row(f) for f in facts],
        k=k,
        max_suppressed_share=selectors.max_suppressed_share(),
    )
    if layout == "ctdc":
        header = list(rules.CTDC_COLUMNS)
        lines = [[row[c] for c in header] for row in anonymised.rows]
    else:
        header = list(rules.HTCDS_COLUMNS)
        lines = [
            [rules.htcds_row(facts[i], row)[c] for c in header]
            for i, row in zip(anonymised.kept, anonymised.rows, strict=True)
        ]
    report = {
        "k": k,
        "layout": layout,
        "records_considered": len(facts),
        "records_published": len(anonymised.rows),
        "records_suppressed": anonymised.suppressed,
        "groups_suppressed": anonymised.suppressed_groups,
        "quasi_identifiers": list(anonymised.quasi_identifiers),
        "generalisation": dict(anonymised.levels),
    }
    notes = [
        f"k = {k}; quasi-identifiers: {', '.join(anonymised.quasi_identifiers)}",
        f"records considered: {len(facts)}; published: {len(anonymised.rows)}; "
        f"suppressed (groups smaller than k): {anonymised.suppressed} "
        f"in {anonymised.suppressed_groups} groups",
        *[f"generalised {line}" for line in anonymised.report],
    ]
    stamp = timezone.localdate().isoformat()
    name = f"himaya-{layout}-k{k}-{stamp}.{fmt}"
    if fmt == "csv":
        content, kind = _csv_bytes(header, lines), CSV
    else:
        content, kind = _xlsx_bytes(layout.upper(), header, lines, notes), XLSX
    record_event(
        action="exchange.statistics_exported",
        actor=by,
        object_type="exchange.export",
        object_code=name,
        purpose=purpose,
        actor_username="" if by else "manage.py",
        details={key: value for key, value in report.items() if key != "quasi_identifiers"},
    )
    return Export(content=content, filename=name, content_type=kind, rows=len(lines), report=report)


def build_table(name: str, *, source: str = selectors.HIMAYA, suppress: bool = True) -> rules.Table:
    """An international table in long format: one column per disaggregation, in the
    codes of the source, then ``victims`` (and ``per_100k`` for SDG 16.2.2), with the
    dashboard's small-cell suppression (a hidden cell has no figure)."""
    if name not in rules.TABLES:
        raise Invalid(_("Unknown table."), field="name")
    if source not in selectors.SOURCES:
        raise Invalid(_("Unknown source."), field="source")
    sdg = name == "sdg_16_2_2"
    if source == selectors.HIMAYA:
        victims = selectors.himaya_victims()
    else:
        # The rate needs a population: CTDC's records exploited in Egypt only.
        victims = selectors.ctdc_victims(country="EG" if sdg else "")
    counts = rules.count_table(name, victims)
    hidden = (
        rules.hidden_cells(counts, suppress_below(), monitoring_rules.suppress_row)
        if suppress
        else set()
    )
    population = selectors.national_population()
    columns = rules.TABLES[name] + (("victims", "per_100k") if sdg else ("victims",))
    rows: list[tuple[object, ...]] = []
    for key in sorted(counts):
        count = counts[key]
        if key in hidden:
            rows.append((*key, None, None) if sdg else (*key, None))
        elif sdg:
            rows.append((*key, count, rules.per_100k(count, population)))
        else:
            rows.append((*key, count))
    return rules.Table(name=name, columns=columns, rows=rows, suppressed=len(hidden))


@transaction.atomic
def export_table(
    *,
    name: str,
    by: User | None,
    purpose: str = "",
    source: str = selectors.HIMAYA,
    fmt: str = "csv",
    suppress: bool = True,
) -> Export:
    """A table as CSV or XLSX; the audit trail records the download."""
    if by is not None and not by.has_perm(VIEW_TABLES):
        raise Forbidden(_("You may not see the international tables."))
    if fmt not in FORMATS:
        raise Invalid(_("Unknown format."), field="format")
    table = build_table(name, source=source, suppress=suppress)
    lines = [["" if v is None else v for v in row] for row in table.rows]
    notes = []
    if source == selectors.CTDC:
        notes.append("Source: Counter-Trafficking Data Collaborative (CTDC)")
    file_name = f"{name}-{source}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        content, kind = _csv_bytes(table.columns, lines), CSV
    else:
        content, kind = _xlsx_bytes(name, list(table.columns), lines, notes), XLSX
    record_event(
        action="exchange.table_exported",
        actor=by,
        object_type="exchange.table",
        object_code=name,
        purpose=(purpose or "").strip()[:300],
        actor_username="" if by else "manage.py",
        details={"source": source, "format": fmt, "rows": len(lines), "hidden": table.suppressed},
    )
    return Export(
        content=content,
        filename=file_name,
        content_type=kind,
        rows=len(lines),
        report={"suppressed": table.suppressed},
    )
