"""Pages of the exchange app: a case's trafficking details (a panel of the case page and
its form), the k-anonymous export and the international tables."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.audit.exports import password_confirmed
from himaya.cases.models import Case, LabourSector, MeansOfControl, RecruiterRelationship
from himaya.cases.selectors import get_case_or_404
from himaya.core.countries import country_name
from himaya.core.errors import DomainError
from himaya.core.forms import show_refusal
from himaya.core.locking import ConcurrentEditError
from himaya.exchange import actions, rules, selectors
from himaya.exchange.forms import ExportForm, TableForm, TraffickingDetailsForm
from himaya.monitoring.selectors import sees_small_cells

TABLE_LABELS = {
    "victims_by_sex_age": gettext_lazy("Victims by sex and age group"),
    "victims_by_form": gettext_lazy("Victims by form of exploitation"),
    "victims_by_citizenship": gettext_lazy("Victims by citizenship (domestic or foreign)"),
    "victims_by_country_of_exploitation": gettext_lazy("Victims by country of exploitation"),
    "victims_by_year": gettext_lazy("Victims by year"),
    "sdg_16_2_2": gettext_lazy("SDG 16.2.2: victims per 100,000 population"),
}
COLUMN_LABELS = {
    "year": gettext_lazy("Year"),
    "sex": gettext_lazy("Sex"),
    "age_group": gettext_lazy("Age group"),
    "age": gettext_lazy("Age group"),
    "form": gettext_lazy("Form of exploitation"),
    "citizenship": gettext_lazy("Citizenship"),
    "country_of_exploitation": gettext_lazy("Country of exploitation"),
    "series": gettext_lazy("Series"),
    "victims": gettext_lazy("Victims"),
    "per_100k": gettext_lazy("Per 100,000 population"),
}
VALUE_LABELS = {
    "female": gettext_lazy("Female"),
    "Female": gettext_lazy("Female"),
    "FEMALE": gettext_lazy("Female"),
    "male": gettext_lazy("Male"),
    "Male": gettext_lazy("Male"),
    "MALE": gettext_lazy("Male"),
    "other": gettext_lazy("Other"),
    "unknown": gettext_lazy("Not known"),
    "Unknown": gettext_lazy("Not known"),
    "UNKNOWN": gettext_lazy("Not known"),
    "Missing": gettext_lazy("Not known"),
    "Transgender/NonConforming": gettext_lazy("Transgender or non-conforming"),
    "child": gettext_lazy("Children (under 18)"),
    "Minor": gettext_lazy("Children (under 18)"),
    "Y0T17": gettext_lazy("Children (under 18)"),
    "adult": gettext_lazy("Adults (18 and over)"),
    "Adult": gettext_lazy("Adults (18 and over)"),
    "Y_GE18": gettext_lazy("Adults (18 and over)"),
    "domestic": gettext_lazy("Domestic"),
    "foreign": gettext_lazy("Foreign"),
    rules.SEXUAL: gettext_lazy("Sexual exploitation"),
    rules.LABOUR: gettext_lazy("Forced labour"),
    rules.MIXED: gettext_lazy("Mixed sexual exploitation and forced labour"),
    rules.CRIMINALITY: gettext_lazy("Forced criminal activity"),
    rules.MARRIAGE: gettext_lazy("Forced marriage"),
    rules.BEGGING: gettext_lazy("Forced begging"),
    rules.ORGANS: gettext_lazy("Organ removal"),
    rules.ADOPTION: gettext_lazy("Illegal adoption"),
    rules.OTHER: gettext_lazy("Other purposes"),
    rules.SDG_TOTAL: gettext_lazy("All detected victims"),
    "VC_HTF_DETVSX": gettext_lazy("Sexual exploitation"),
    "VC_HTF_DETVFL": gettext_lazy("Forced labour, servitude and slavery"),
    "VC_HTF_DETVOG": gettext_lazy("Organ removal"),
    "VC_HTF_DETVOP": gettext_lazy("Other purposes"),
}


def _shown(column: str, value: object) -> str:
    if value is None:
        return "—"
    text = str(value)
    if column in ("victims", "per_100k", "year"):
        return text or "—"
    if column in ("citizenship", "country_of_exploitation") and len(text) == 2:
        return country_name(text)
    label = VALUE_LABELS.get(text)
    return str(label) if label is not None else (text or "—")


# --- Trafficking details ---------------------------------------------------------------


def _details_rows(case: Case) -> list[tuple[str, str]]:
    means = [
        str(MeansOfControl(m).label) for m in case.means_of_control if m in MeansOfControl.values
    ]
    abducted = "—" if case.was_abducted is None else (_("Yes") if case.was_abducted else _("No"))
    return [
        (_("Means of control"), "، ".join(means) or "—"),
        (
            _("Sector of forced labour"),
            str(LabourSector(case.labour_sector).label) if case.labour_sector else "—",
        ),
        (
            _("Relationship to the recruiter"),
            str(RecruiterRelationship(case.recruiter_relationship).label)
            if case.recruiter_relationship
            else "—",
        ),
        (_("Abducted"), abducted),
        (_("Age at recruitment"), str(case.age_at_recruitment or "—")),
        (_("Age when the exploitation began"), str(case.age_at_exploitation or "—")),
        (_("Duration of exploitation (months)"), str(case.exploitation_months or "—")),
        (_("Place of recruitment"), case.place_of_recruitment or "—"),
        (
            _("Country of recruitment"),
            country_name(case.country_of_recruitment) if case.country_of_recruitment else "—",
        ),
    ]


@login_required
@permission_required("cases.work_cases", raise_exception=True)
@require_GET
def details_panel(request: HttpRequest, code: str) -> HttpResponse:
    """The case page's "trafficking details" section (an htmx fragment)."""
    case = get_case_or_404(acting_user(request), code)
    return render(
        request, "exchange/partials/details_panel.html", {"case": case, "rows": _details_rows(case)}
    )


@login_required
@permission_required("cases.work_cases", raise_exception=True)
def details_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    case = get_case_or_404(user, code)
    means, abducted = selectors.screening_proposals(case)
    if request.method != "POST":
        form = TraffickingDetailsForm(
            initial=TraffickingDetailsForm.initial_for(case, means, abducted)
        )
        return _details_page(
            request, case, form, proposed=bool(means) and not case.means_of_control
        )
    form = TraffickingDetailsForm(request.POST)
    if not form.is_valid():
        return _details_page(request, case, form, status=400)
    try:
        actions.update_trafficking_details(
            case=case,
            by=user,
            expected_version=form.cleaned_data["version"],
            changes=form.changes(),
        )
    except ConcurrentEditError:
        form.add_error(None, _("Someone saved this case meanwhile: reload the page and try again."))
        return _details_page(request, case, form, status=409)
    except DomainError as error:
        show_refusal(error, form=form)
        return _details_page(request, case, form, status=error.status)
    messages.success(request, _("Trafficking details saved."))
    return redirect(reverse("cases:detail", kwargs={"code": case.code}))


def _details_page(
    request: HttpRequest,
    case: Case,
    form: TraffickingDetailsForm,
    *,
    proposed: bool = False,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "exchange/details.html",
        {"case": case, "form": form, "proposed": proposed},
        status=status,
    )


# --- Export and tables ---------------------------------------------------------------------


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The k-anonymous export in the CTDC or HTCDS layout (password and purpose asked)."""
    user = acting_user(request)
    require_capability(user, actions.EXPORT_STATISTICS)
    if request.method != "POST":
        form = ExportForm(initial={"k": selectors.default_k()})
        return render(request, "exchange/export.html", {"form": form})
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(request, "exchange/export.html", {"form": form}, status=400)
    data = form.cleaned_data
    if not password_confirmed(request, data["password"]):
        form.add_error("password", _("The password is not right."))
        return render(request, "exchange/export.html", {"form": form}, status=403)
    try:
        result = actions.export_statistics(
            by=user, purpose=data["purpose"], k=data["k"], layout=data["layout"], fmt=data["format"]
        )
    except DomainError as error:
        show_refusal(error, form=form)
        return render(request, "exchange/export.html", {"form": form}, status=error.status)
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


@login_required
@require_GET
def tables(request: HttpRequest) -> HttpResponse:
    """The international tables on screen; ``format=xlsx`` or ``csv`` downloads one."""
    user = acting_user(request)
    require_capability(user, actions.VIEW_TABLES)
    form = TableForm(request.GET or None)
    name, source = "victims_by_sex_age", selectors.HIMAYA
    if form.is_bound:
        if not form.is_valid():
            return render(request, "exchange/tables.html", {"form": form}, status=400)
        name = form.cleaned_data.get("name") or name
        source = form.cleaned_data.get("source") or source
    suppress = not sees_small_cells(user)
    fmt = request.GET.get("format", "")
    if fmt in actions.FORMATS:
        result = actions.export_table(
            name=name,
            by=user,
            purpose=_("table download"),
            source=source,
            fmt=fmt,
            suppress=suppress,
        )
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        return response
    table = actions.build_table(name, source=source, suppress=suppress)
    headers = [str(COLUMN_LABELS[c]) for c in table.columns]
    body = [[_shown(c, v) for c, v in zip(table.columns, row, strict=True)] for row in table.rows]
    return render(
        request,
        "exchange/tables.html",
        {
            "form": form,
            "name": name,
            "source": source,
            "title": TABLE_LABELS[name],
            "headers": headers,
            "body": body,
            "hidden": table.suppressed,
            "tables": [(n, TABLE_LABELS[n]) for n in rules.TABLE_NAMES],
            "ctdc": source == selectors.CTDC,
        },
    )
