"""Pages of spreadsheets in: the template, the upload that is checked first, the report of
each upload and the confirmation that imports it."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from himaya.accounts.acting import acting_user
from himaya.agencies.models import Agency
from himaya.core.errors import DomainError
from himaya.core.forms import StyledForm, show_refusal
from himaya.exchange import sheets
from himaya.exchange.sheet_actions import (
    OUTCOME_LABELS,
    confirm_sheet_import,
    kept_days,
    upload_sheet,
)
from himaya.exchange.sheet_models import SheetImport, SheetImportStatus
from himaya.exchange.sheet_selectors import (
    get_sheet_import_or_404,
    importing_agencies,
    may_import,
    sheet_imports_visible_to,
)

RECENT = 20


class SheetUploadForm(StyledForm):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency"),
        queryset=Agency.objects.none(),
        help_text=gettext_lazy("The agency that registers the survivors and leads the cases."),
    )
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("The Himaya template filled in, as XLSX, 2 MB at most."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = importing_agencies(user)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > sheets.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB: split it into smaller files.")
                % {"size": sheets.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


def _require_importer(request: HttpRequest) -> None:
    if not may_import(request.user):
        raise PermissionDenied


# Lines of the report a page shows at most; the others are reached by their outcome.
REPORT_LINES = 500


def report_rows(batch: SheetImport, outcome: str = "") -> list[dict[str, Any]]:
    """The report's entries (those of ``outcome`` only, when given) with the words of their
    outcome in the active language."""
    return [
        {**entry, "outcome_label": OUTCOME_LABELS.get(entry["outcome"], entry["outcome"])}
        for entry in batch.report
        if not outcome or entry["outcome"] == outcome
    ]


def _outcome_counts(batch: SheetImport) -> list[tuple[str, str, int]]:
    """Each outcome the report holds: its code, its words and its number of lines."""
    counts: dict[str, int] = {}
    for entry in batch.report:
        counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
    return [
        (code, str(label), counts[code]) for code, label in OUTCOME_LABELS.items() if code in counts
    ]


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    user = acting_user(request)
    posted = request.method == "POST"
    form = SheetUploadForm(
        request.POST if posted else None, request.FILES if posted else None, user=user
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                batch = upload_sheet(
                    by=user,
                    agency=form.cleaned_data["agency"],
                    file_name=upload_file.name or "",
                    content=upload_file.read(),
                )
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                return redirect("exchange_sheets:detail", code=batch.code)
        status = 400
    imports = sheet_imports_visible_to(user)[:RECENT]
    return render(
        request,
        "exchange/sheet_upload.html",
        {"form": form, "imports": imports, "max_rows": sheets.MAX_ROWS},
        status=status,
    )


@login_required
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    response = HttpResponse(sheets.template_bytes(), content_type=sheets.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{sheets.FILENAME}"'
    return response


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    _require_importer(request)
    batch = get_sheet_import_or_404(request.user, code)
    may_confirm = (
        batch.status == SheetImportStatus.PREVIEWED
        and batch.imported_at is None
        and batch.uploaded_by_id == request.user.pk
        and batch.rows_ready > 0
    )
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in OUTCOME_LABELS else ""
    rows = report_rows(batch, outcome)
    return render(
        request,
        "exchange/sheet_detail.html",
        {
            "batch": batch,
            "rows": rows[:REPORT_LINES],
            "more_lines": max(0, len(rows) - REPORT_LINES),
            "outcome": outcome,
            "outcomes": _outcome_counts(batch),
            "lines": len(batch.report),
            "may_confirm": may_confirm,
            "waiting": _waiting_until(batch),
            "expires_at": batch.created_at + timedelta(days=kept_days()),
        },
    )


def _waiting_until(batch: SheetImport) -> datetime | None:
    """When an import paused for the hourly allowance of duplicate checks goes on, else None."""
    at = batch.progress_at
    paused = batch.status == SheetImportStatus.IMPORTING and at is not None and at > timezone.now()
    return at if paused else None


@login_required
@require_GET
def progress(request: HttpRequest, code: str) -> HttpResponse:
    """The progress of the work on an upload, polled by its page; once the work is done
    the page is reloaded with its report."""
    _require_importer(request)
    batch = get_sheet_import_or_404(request.user, code)
    if not batch.is_working:
        return HttpResponseClientRefresh()
    return render(
        request,
        "exchange/partials/sheet_progress.html",
        {"batch": batch, "waiting": _waiting_until(batch)},
    )


@login_required
@require_POST
def confirm(request: HttpRequest, code: str) -> HttpResponse:
    _require_importer(request)
    batch = get_sheet_import_or_404(request.user, code)
    try:
        batch = confirm_sheet_import(batch=batch, by=acting_user(request))
    except DomainError as error:
        show_refusal(error, request=request)
        return redirect("exchange_sheets:detail", code=code)
    messages.success(
        request,
        _(
            "The import has started. This page shows its progress, then each line with its "
            "outcome; you may leave it and come back."
        ),
    )
    return redirect("exchange_sheets:detail", code=batch.code)
