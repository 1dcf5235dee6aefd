"""Writes of spreadsheets in: an upload is checked (the preview), then imported row by row.

The page and the API only keep the upload (``upload_sheet``) and start its import
(``confirm_sheet_import``); the task queue does the work (``work_on``), writing its
progress as it goes, so that a file of thousands of rows never holds a web request. A run
that dies half-way is taken up again by the sweep and goes on where it stopped.

Every row goes through the registration and case forms (the same rules as the pages),
then through ``survivors.actions.register_survivor`` and ``cases.actions.open_case`` (the
same rules again, the duplicate check, the scope, the audit trail and the timeline), in
one transaction per row: a row is imported whole or not at all. The importer's agency
registers the survivor and leads the case; the importer is its case worker.
"""

import base64
import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.actions import record_event
from himaya.cases.actions import open_case
from himaya.cases.forms import CaseDetailsFields
from himaya.core import bounds
from himaya.core.errors import Conflict, DomainError, Forbidden
from himaya.exchange import sheets
from himaya.exchange.sheet_models import WORKING, SheetImport, SheetImportStatus, SheetRow
from himaya.exchange.sheet_selectors import may_import
from himaya.survivors.actions import (
    REVIEW_NOTICE,
    DocumentInput,
    DuplicateSuspected,
    TooManyDuplicateChecks,
    register_survivor,
)
from himaya.survivors.forms import RegisterForm
from himaya.survivors.selectors import awaits_review

READY = "ready"
IMPORTED = "imported"
ALREADY = "already_imported"
DUPLICATE = "duplicate"
REFUSED = "refused"
NOT_ATTEMPTED = "not_attempted"

OUTCOME_LABELS = {
    READY: gettext_lazy("Ready to import"),
    IMPORTED: gettext_lazy("Imported"),
    ALREADY: gettext_lazy("Already imported"),
    DUPLICATE: gettext_lazy("Likely duplicate: not imported"),
    REFUSED: gettext_lazy("Refused"),
    NOT_ATTEMPTED: gettext_lazy("Not attempted"),
}

# Django's own words (translated in its catalogue), without the value typed.
INVALID_CHOICE = gettext_lazy(
    "Select a valid choice. That choice is not one of the available choices."
)

PROGRESS_EVERY = 25  # rows between two writes of the progress
MAX_ATTEMPTS = 3  # runs of the work on one upload before it is stopped
STALLED_AFTER = datetime.timedelta(minutes=10)  # no progress for so long: queued again
RESUME_AFTER = datetime.timedelta(minutes=10)  # a wait for the duplicate checks' allowance

# Form fields that feed a column of another name.
FIELD_COLUMNS = {"exploitation_forms": "exploitation_form"}


def _require_importer(by: User, agency: Agency) -> None:
    if not may_import(by, agency):
        raise Forbidden(_("You can import spreadsheets only for your own agency."))


@dataclass
class RowCheck:
    """A row read and checked by the forms, ready for the actions when ``problems`` is empty."""

    row: sheets.SheetRowData
    key: str
    survivor_form: RegisterForm
    case_form: CaseDetailsFields
    problems: list[str] = field(default_factory=list)


def _label(name: str, form: forms.BaseForm) -> str:
    column = sheets.BY_KEY.get(FIELD_COLUMNS.get(name, name))
    if column is not None:
        return str(column.label)
    form_field = form.fields.get(name)
    return str(form_field.label) if form_field is not None else ""


def _form_problems(form: forms.BaseForm) -> list[str]:
    problems = []
    for name, messages in form.errors.items():
        label = _label(name, form) if name != NON_FIELD_ERRORS else ""
        for message in messages:
            problems.append(f"{label}: {message}" if label else str(message))
    return problems


def _case_date_problems(case_form: CaseDetailsFields) -> list[str]:
    """The bounds that ``open_case`` checks on the dates, said before anything is written."""
    if not case_form.is_valid():
        return []
    today = timezone.localdate()
    first = case_form.cleaned_data["first_contact_on"]
    if first > today:
        return [str(gettext_lazy("The first contact cannot be in the future."))]
    problems = []
    for name, what in (
        ("first_contact_on", gettext_lazy("The date of first contact")),
        ("identified_on", gettext_lazy("The identification date")),
    ):
        problem = bounds.record_date_problem(case_form.cleaned_data[name], what=what, today=today)
        if problem is not None:
            problems.append(str(problem))
    return problems


ChoiceCache = dict[tuple[type[forms.BaseForm], str], list[Any]]
FormT = TypeVar("FormT", bound=forms.BaseForm)


def _fixed_choices(form: FormT, cache: ChoiceCache) -> FormT:
    """The form with the options of its choice fields computed once per file (the list of
    countries is otherwise sorted again for every field of every row); same options. A
    value outside the list is refused without repeating it: the report is kept, and a
    name typed in the wrong column must not be."""
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.ChoiceField) and not isinstance(
            form_field, forms.ModelChoiceField
        ):
            key = (type(form), name)
            if key not in cache:
                cache[key] = list(form_field.choices)  # type: ignore[arg-type]
            # Set past the property: the list is already in Django's normalised form, and
            # the setter would walk it again for the field and again for its widget.
            form_field._choices = form_field.widget._choices = cache[key]  # type: ignore[attr-defined]
            form_field.error_messages["invalid_choice"] = INVALID_CHOICE
    return form


def _check_row(
    row: sheets.SheetRowData, *, agency: Agency, known: sheets.Lookups, cache: ChoiceCache
) -> RowCheck:
    survivor_data, case_data = sheets.form_data(row, agency=agency, known=known)
    survivor_form = RegisterForm(survivor_data, agencies=Agency.objects.filter(pk=agency.pk))
    case_form = CaseDetailsFields(case_data)
    check = RowCheck(
        row=row,
        key=sheets.import_key(row, agency=agency),
        survivor_form=_fixed_choices(survivor_form, cache),
        case_form=_fixed_choices(case_form, cache),
        problems=sheets.cell_problems(row, known),
    )
    if not check.problems:
        check.problems += _form_problems(check.survivor_form)
        check.problems += _form_problems(check.case_form)
        check.problems += _case_date_problems(check.case_form)
    return check


def _entry(line: int, outcome: str, reason: str = "", **codes: Any) -> dict[str, Any]:
    return {"line": line, "outcome": outcome, "reason": reason, **codes}


def _stored_rows(agency: Agency, keys: list[str]) -> dict[str, SheetRow]:
    """The rows of ``agency`` already imported under these keys (read a thousand at a time)."""
    stored: dict[str, SheetRow] = {}
    for start in range(0, len(keys), 1000):
        for row in SheetRow.objects.filter(
            agency=agency, key__in=keys[start : start + 1000]
        ).select_related("survivor", "case"):
            stored[row.key] = row
    return stored


def _check_rows(
    rows: list[sheets.SheetRowData],
    *,
    agency: Agency,
    batch: SheetImport | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[RowCheck], dict[int, dict[str, Any]]]:
    """Each row checked; the entries already decided (refused, repeated, already imported).

    A row that ``batch`` itself imported (by an earlier run of its import, stopped half-way)
    is reported as imported. ``progress`` is told the number of rows checked now and then.
    """
    known = sheets.lookups()
    cache: ChoiceCache = {}
    checks = []
    for number, row in enumerate(rows, start=1):
        checks.append(_check_row(row, agency=agency, known=known, cache=cache))
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
    stored = _stored_rows(agency, [check.key for check in checks])
    decided: dict[int, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    for check in checks:
        line = check.row.line
        if check.key in first_line:
            decided[line] = _entry(
                line,
                REFUSED,
                _("The same row or reference as line %(line)s.") % {"line": first_line[check.key]},
            )
            continue
        first_line[check.key] = line
        if check.key in stored:
            done = stored[check.key]
            if batch is not None and done.batch_id == batch.pk:
                reason = str(REVIEW_NOTICE) if awaits_review(done.survivor) else ""
                outcome = IMPORTED
            else:
                reason, outcome = _("Imported before."), ALREADY
            decided[line] = _entry(
                line,
                outcome,
                reason,
                survivor=done.survivor.code,
                case=done.case.code,
            )
        elif check.problems:
            decided[line] = _entry(line, REFUSED, " ".join(check.problems))
    return checks, decided


def _count(report: list[dict[str, Any]], outcome: str) -> int:
    return sum(1 for entry in report if entry["outcome"] == outcome)


def _fill_counts(batch: SheetImport) -> None:
    report = batch.report
    batch.rows_read = len(report)
    batch.rows_ready = _count(report, READY)
    batch.rows_imported = _count(report, IMPORTED)
    batch.rows_already_present = _count(report, ALREADY)
    batch.rows_duplicate = _count(report, DUPLICATE)
    batch.rows_refused = _count(report, REFUSED)
    batch.rows_not_attempted = _count(report, NOT_ATTEMPTED)


def _counts(batch: SheetImport) -> dict[str, int]:
    return {
        "read": batch.rows_read,
        "ready": batch.rows_ready,
        "imported": batch.rows_imported,
        "already_imported": batch.rows_already_present,
        "duplicate": batch.rows_duplicate,
        "refused": batch.rows_refused,
        "not_attempted": batch.rows_not_attempted,
    }


def upload_sheet(
    *,
    by: User,
    agency: Agency,
    file_name: str,
    content: bytes,
    then_import: bool = False,
    queue: bool = True,
) -> SheetImport:
    """Keep an upload, encrypted, for its rows to be checked (and imported at once when
    ``then_import``). A file that is not the template, or holds too many rows, is refused at
    once (``Invalid``) and nothing is kept. With ``queue`` the task queue does the work after
    the commit and the page follows its progress; without it the caller runs ``work_on``."""
    _require_importer(by, agency)
    rows = sheets.read_sheet(content)
    with transaction.atomic():
        batch = SheetImport(
            agency=agency,
            uploaded_by=by,
            file_name=file_name[:255],
            file_sha256=hashlib.sha256(content).hexdigest(),
            content=base64.b64encode(content).decode("ascii"),
            status=SheetImportStatus.CHECKING,
            rows_read=len(rows),
            progress_at=timezone.now(),
            import_when_checked=then_import,
        )
        batch.save()
        record_event(
            action="exchange.sheet_uploaded",
            actor=by,
            obj=batch,
            details={"agency": agency.code, "rows": len(rows), "then_import": then_import},
        )
        if queue:
            _queue(batch)
    return batch


def _queue(batch: SheetImport) -> None:
    from himaya.exchange.tasks import queue_sheet_work

    batch_id = batch.pk
    transaction.on_commit(lambda: queue_sheet_work(batch_id))


def _claim(batch_id: int, status: str) -> SheetImport | None:
    """One run of the work on an upload in ``status``, counted; ``None`` when the upload is
    not (or no longer) in that status. Past ``MAX_ATTEMPTS`` runs the upload is stopped."""
    with transaction.atomic():
        batch = (
            SheetImport.objects.select_for_update()
            .select_related("agency", "uploaded_by")
            .filter(pk=batch_id, status=status)
            .first()
        )
        if batch is None:
            return None
        batch.attempts += 1
        if batch.attempts > MAX_ATTEMPTS:
            _stop(batch)
            return None
        batch.rows_done = 0
        batch.progress_at = timezone.now()
        batch.save(update_fields=["attempts", "rows_done", "progress_at"])
    return batch


def _stop(batch: SheetImport) -> None:
    """An upload whose work failed every time: the file is deleted; when it was being
    imported, the rows it made stay and are listed (inside the caller's transaction)."""
    made = SheetRow.objects.filter(batch=batch).select_related("survivor", "case")
    batch.report = [
        _entry(row.line, IMPORTED, survivor=row.survivor.code, case=row.case.code)
        for row in made.order_by("line")
    ]
    batch.status = SheetImportStatus.FAILED
    batch.content = ""
    read = batch.rows_read  # the rows of the file, though the report lists only those made
    _fill_counts(batch)
    batch.rows_read = read
    batch.save()
    record_event(
        action="exchange.sheet_failed",
        actor=batch.uploaded_by,
        obj=batch,
        details={"agency": batch.agency.code, "rows": _counts(batch)},
    )


def _progress(batch_id: int) -> Callable[[int], None]:
    def tell(done: int) -> None:
        SheetImport.objects.filter(pk=batch_id).update(rows_done=done, progress_at=timezone.now())

    return tell


def work_on(batch_id: int) -> SheetImport | None:
    """The task queue's step on an upload: check it, or import it (after a check that was
    asked to import at once, the import follows in the same run)."""
    batch = SheetImport.objects.filter(pk=batch_id).only("status").first()
    if batch is None:
        return None
    if batch.status == SheetImportStatus.CHECKING:
        checked = check_sheet(batch_id)
        if checked is None or checked.status != SheetImportStatus.IMPORTING:
            return checked
    return import_rows(batch_id)


def check_sheet(batch_id: int) -> SheetImport | None:
    """Check an upload without importing anything: each row through the forms' rules, the
    keys already imported, the rows repeated in the file. The upload then awaits its
    uploader's confirmation, or moves on to its import when it was asked at upload."""
    batch = _claim(batch_id, SheetImportStatus.CHECKING)
    if batch is None:
        return None
    rows = sheets.read_sheet(base64.b64decode(batch.content))
    checks, decided = _check_rows(rows, agency=batch.agency, progress=_progress(batch.pk))
    report = [decided.get(check.row.line) or _entry(check.row.line, READY) for check in checks]
    with transaction.atomic():
        batch.report = report
        _fill_counts(batch)
        batch.rows_done = batch.rows_read
        batch.progress_at = timezone.now()
        batch.status = SheetImportStatus.PREVIEWED
        if batch.import_when_checked:
            batch.status = SheetImportStatus.IMPORTING
            batch.imported_at = timezone.now()
            batch.attempts = 0
        batch.save()
        record_event(
            action="exchange.sheet_previewed",
            actor=batch.uploaded_by,
            obj=batch,
            details={"agency": batch.agency.code, "rows": _counts(batch)},
        )
    return batch


def _import_row(check: RowCheck, *, by: User, agency: Agency, batch: SheetImport) -> dict[str, Any]:
    """One row in one transaction: the survivor registered, the case opened, the key kept.

    A likely duplicate that the user may see leaves only the audit row of its check, as on
    the registration page. ``TooManyDuplicateChecks`` is passed on.
    """
    line = check.row.line
    survivor_data = check.survivor_form.cleaned_data
    case_data = check.case_form.cleaned_data
    documents = []
    if survivor_data.get("document_kind"):
        documents.append(
            DocumentInput(
                kind=survivor_data["document_kind"],
                number=survivor_data["document_number"],
                issuing_country=survivor_data.get("document_country") or "",
            )
        )
    try:
        with transaction.atomic():
            try:
                survivor = register_survivor(
                    by=by,
                    agency=agency,
                    identity=check.survivor_form.identity(),
                    clear=check.survivor_form.clear(),
                    documents=documents,
                    confirm_duplicate=bool(survivor_data.get("confirm_duplicate")),
                )
            except DuplicateSuspected as duplicate:
                return _entry(
                    line,
                    DUPLICATE,
                    _(
                        "A survivor with the same name and year of birth, or the same "
                        "document number, is already registered: %(codes)s. Check the "
                        "record; if it is another person, write yes in the column "
                        "“%(column)s”."
                    )
                    % {
                        "codes": ", ".join(duplicate.visible_codes),
                        "column": sheets.BY_KEY["confirm_duplicate"].label,
                    },
                    existing=duplicate.visible_codes,
                )
            case = open_case(
                survivor=survivor,
                by=by,
                lead_agency=agency,
                first_contact_on=case_data["first_contact_on"],
                identified_on=case_data["identified_on"],
                identified_by=case_data["identified_by"],
                identifying_agency=case_data["identifying_agency"],
                exploitation_forms=case_data["exploitation_forms"],
                recruitment_channel=case_data["recruitment_channel"],
                country_of_exploitation=case_data["country_of_exploitation"],
                governorate_of_exploitation=case_data["governorate_of_exploitation"],
                is_transnational=case_data["is_transnational"],
                screening_code=case_data["screening_code"],
            )
            SheetRow.objects.create(
                agency=agency, key=check.key, batch=batch, line=line, survivor=survivor, case=case
            )
            review = awaits_review(survivor)
    except TooManyDuplicateChecks:
        raise
    except IntegrityError:
        # The same key, imported at this moment by another upload of the same row.
        return _entry(line, ALREADY, _("Imported before."))
    except DomainError as error:
        return _entry(line, REFUSED, _refusal(error))
    return _entry(
        line,
        IMPORTED,
        str(REVIEW_NOTICE) if review else "",
        survivor=survivor.code,
        case=case.code,
    )


def _refusal(error: DomainError) -> str:
    messages = []
    for name, texts in error.errors.items():
        label = _label(name, RegisterForm()) or _label(name, CaseDetailsFields())
        messages += [f"{label}: {text}" if label else str(text) for text in texts]
    return " ".join(messages) or str(error.message)


def confirm_sheet_import(*, batch: SheetImport, by: User, queue: bool = True) -> SheetImport:
    """Start the import of a checked upload (its uploader only, once): the task queue
    imports it after the commit (without ``queue``, the caller runs ``import_rows``)."""
    _require_importer(by, batch.agency)
    if batch.uploaded_by_id != by.pk:
        raise Forbidden(_("Only the person who uploaded the file may import it."))
    now = timezone.now()
    with transaction.atomic():
        claimed = SheetImport.objects.filter(
            pk=batch.pk, status=SheetImportStatus.PREVIEWED, imported_at__isnull=True
        ).update(
            status=SheetImportStatus.IMPORTING,
            imported_at=now,
            rows_done=0,
            attempts=0,
            progress_at=now,
        )
        if not claimed:
            batch.refresh_from_db(fields=["status"])
            if batch.status in (SheetImportStatus.IMPORTING, SheetImportStatus.IMPORTED):
                raise Conflict(_("This file was already imported."))
            raise Conflict(
                _("This upload cannot be imported: %(status)s.")
                % {"status": batch.get_status_display()}
            )
        batch.refresh_from_db()
        record_event(
            action="exchange.sheet_confirmed",
            actor=by,
            obj=batch,
            details={"agency": batch.agency.code, "rows": batch.rows_ready},
        )
        if queue:
            _queue(batch)
    return batch


def import_rows(batch_id: int, *, wait_for_allowance: bool = True) -> SheetImport | None:
    """Import the rows of a confirmed upload, each in its own transaction. Rows refused,
    already imported or likely duplicates are reported with their line and reason.

    Over the hourly limit of duplicate checks, the import waits: it is queued again for
    later and goes on where it stopped (the rows it made are recognised by their keys).
    Without ``wait_for_allowance`` (the command) the rows left are reported as not
    attempted instead: the same file uploaded later imports them and skips the others.
    A run stopped half-way by a crash is taken up again the same way.
    """
    batch = _claim(batch_id, SheetImportStatus.IMPORTING)
    if batch is None:
        return None
    by, agency = batch.uploaded_by, batch.agency
    tell = _progress(batch.pk)
    checks, decided = _check_rows(
        sheets.read_sheet(base64.b64decode(batch.content)), agency=agency, batch=batch
    )
    report: list[dict[str, Any]] = []
    limited = False
    for number, check in enumerate(checks, start=1):
        line = check.row.line
        if line in decided:
            report.append(decided[line])
        elif limited:
            report.append(_entry(line, NOT_ATTEMPTED, str(_limit_reason())))
        else:
            try:
                report.append(_import_row(check, by=by, agency=agency, batch=batch))
            except TooManyDuplicateChecks:
                if wait_for_allowance:
                    return _wait_for_allowance(batch, done=number - 1)
                limited = True
                report.append(_entry(line, NOT_ATTEMPTED, str(_limit_reason())))
        if number % PROGRESS_EVERY == 0:
            tell(number)
    with transaction.atomic():
        batch.report = report
        batch.status = SheetImportStatus.IMPORTED
        batch.content = ""
        batch.rows_done = len(report)
        batch.progress_at = timezone.now()
        _fill_counts(batch)
        batch.save()
        record_event(
            action="exchange.sheet_imported",
            actor=by,
            obj=batch,
            details={"agency": agency.code, "rows": _counts(batch)},
        )
    return batch


def _wait_for_allowance(batch: SheetImport, *, done: int) -> SheetImport:
    """The import pauses until the hourly allowance of duplicate checks has room again."""
    from himaya.exchange.tasks import queue_sheet_work

    resumes_at = timezone.now() + RESUME_AFTER
    SheetImport.objects.filter(pk=batch.pk).update(
        rows_done=done, progress_at=resumes_at, attempts=0
    )
    batch.refresh_from_db()
    queue_sheet_work(batch.pk, delay=RESUME_AFTER)
    return batch


def _limit_reason() -> str:
    return _(
        "The hourly limit of duplicate checks was reached: upload the same file again "
        "later; the rows already imported will be skipped."
    )


def preview_sheet(*, by: User, agency: Agency, file_name: str, content: bytes) -> SheetImport:
    """Check an upload at once, without the task queue (the command, and the tests)."""
    batch = upload_sheet(by=by, agency=agency, file_name=file_name, content=content, queue=False)
    check_sheet(batch.pk)
    batch.refresh_from_db()
    return batch


def import_sheet(*, by: User, agency: Agency, file_name: str, content: bytes) -> SheetImport:
    """Check and import an upload at once, without the task queue (the command): over the
    hourly limit of duplicate checks the rows left are reported as not attempted."""
    batch = upload_sheet(
        by=by, agency=agency, file_name=file_name, content=content, then_import=True, queue=False
    )
    check_sheet(batch.pk)
    import_rows(batch.pk, wait_for_allowance=False)
    batch.refresh_from_db()
    return batch


def sweep_sheet_imports(*, now: datetime.datetime | None = None) -> tuple[list[int], int]:
    """Queue again the uploads whose work stopped moving (a consumer that died), and
    delete the files of checked uploads that were not confirmed in time. Returns the
    uploads queued again and the number expired."""
    from himaya.exchange.tasks import queue_sheet_work

    now = now or timezone.now()
    stalled = list(
        SheetImport.objects.filter(
            status__in=WORKING, progress_at__lt=now - STALLED_AFTER
        ).values_list("pk", flat=True)
    )
    queued = []
    for batch_id in stalled:
        # Claimed by moving the mark, so that two sweeps at once queue it once.
        if SheetImport.objects.filter(
            pk=batch_id, status__in=WORKING, progress_at__lt=now - STALLED_AFTER
        ).update(progress_at=now):
            queue_sheet_work(batch_id)
            queued.append(batch_id)
    expired = 0
    cutoff = now - datetime.timedelta(days=kept_days())
    for batch in SheetImport.objects.filter(
        status=SheetImportStatus.PREVIEWED, created_at__lt=cutoff
    ).select_related("agency"):
        with transaction.atomic():
            if not SheetImport.objects.filter(
                pk=batch.pk, status=SheetImportStatus.PREVIEWED
            ).update(status=SheetImportStatus.EXPIRED):
                continue
            batch.status = SheetImportStatus.EXPIRED
            batch.content = ""
            batch.save(update_fields=["status", "content"])
            record_event(
                action="exchange.sheet_expired",
                obj=batch,
                details={"agency": batch.agency.code, "days": kept_days()},
            )
            expired += 1
    return queued, expired


def kept_days() -> int:
    """Days a checked upload waits for its confirmation before its file is deleted."""
    return int(getattr(settings, "HIMAYA_SHEET_KEEP_DAYS", 7))
