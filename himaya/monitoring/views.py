"""Pages of the monitoring app: the dashboard (it reads only the daily values and the
declared indicators), each indicator's definition, its settings, and the downloads."""

import csv
import io
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.core.errors import DomainError
from himaya.core.forms import show_refusal
from himaya.monitoring import actions, figures, selectors
from himaya.monitoring.figures import shown, unit_label
from himaya.monitoring.forms import SettingForm
from himaya.monitoring.indicators import DIMENSIONS, FAMILIES, Indicator, get_indicator
from himaya.monitoring.models import IndicatorSettingChange
from himaya.monitoring.panels import dashboard_panels_for

VIEW = actions.VIEW_DASHBOARD
MANAGE = actions.MANAGE_INDICATORS


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard. Its parts are drawn from the daily values alone and kept in the
    ``pages`` cache under the values' edition (``figures.served``)."""
    user = acting_user(request)
    require_capability(user, VIEW)
    parts = figures.served(request.GET, small=selectors.sees_small_cells(user))
    return render(
        request,
        "monitoring/dashboard.html",
        {
            # Rendered by the templates above: safe strings, kept so by the cache.
            "period": parts["period"],
            "figures": parts["figures"],
            "cards": parts[figures.CARDS],
            "panels": dashboard_panels_for(request.user),
        },
    )


def _shown(request: HttpRequest) -> dict[str, Any]:
    """The figures of the view the reader asked, for its downloads."""
    user = acting_user(request)
    require_capability(user, VIEW)
    return figures.dashboard_data(request.GET, small=selectors.sees_small_cells(user), cards=False)


def _export_rows(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    item: Indicator = data["item"]
    header = [
        _("Day"),
        _("Indicator"),
        _("Break down by"),
        _("Member"),
        _("Numerator"),
        _("Denominator"),
        _("Value"),
        _("Unit"),
    ]
    lines = []
    for p in data["points"]:
        lines.append(
            [
                p.day.isoformat(),
                str(item.name),
                str(DIMENSIONS[p.dimension]) if p.dimension else _("Total"),
                p.label if p.dimension else "",
                _("hidden (small number)") if p.suppressed else p.numerator,
                "" if p.suppressed or p.denominator is None else p.denominator,
                "" if p.suppressed or p.value is None else p.value,
                unit_label(item.unit),
            ]
        )
    return header, lines


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    data = _shown(request)
    header, lines = _export_rows(data)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(lines)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"{data['item'].code}-{data['start']}-{data['end']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    import xlsxwriter

    data = _shown(request)
    header, lines = _export_rows(data)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(data["item"].code[:31])
    if request.LANGUAGE_CODE.startswith("ar"):
        sheet.right_to_left()
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    for number, line in enumerate(lines, start=1):
        sheet.write_row(number, 0, [float(v) if isinstance(v, Decimal) else v for v in line])
    sheet.set_column(0, len(header) - 1, 18)
    book.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{data['item'].code}-{data['start']}-{data['end']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _indicator_or_404(code: str) -> Indicator:
    item = get_indicator(code)
    if item is None:
        raise Http404
    return item


@login_required
def definition(request: HttpRequest, code: str) -> HttpResponse:
    """An indicator's definition; an administrator of indicators changes its thresholds."""
    user = acting_user(request)
    require_capability(user, VIEW, MANAGE)
    item = _indicator_or_404(code)
    limits = selectors.thresholds([item])[code]
    may_manage = user.has_perm(MANAGE)
    form = None
    status = 200
    if may_manage:
        initial = {
            "target": limits.target,
            "warning": limits.warning,
            "critical": limits.critical,
            "version": limits.version,
        }
        form = SettingForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                actions.change_indicator_setting(
                    code=code,
                    target=data["target"],
                    warning=data["warning"],
                    critical=data["critical"],
                    expected_version=data["version"],
                    by=user,
                )
            except DomainError as error:
                show_refusal(error, form=form)
                status = error.status
            else:
                messages.success(request, _("The target and thresholds were saved."))
                return redirect("monitoring:definition", code=code)
        elif request.method == "POST":
            status = 400
    elif request.method == "POST":
        require_capability(user, MANAGE)
    history = (
        list(
            IndicatorSettingChange.objects.filter(setting__indicator=code).select_related(
                "changed_by"
            )[:20]
        )
        if may_manage
        else []
    )
    return render(
        request,
        "monitoring/definition.html",
        {
            "item": item,
            "family": FAMILIES[item.family],
            "unit": unit_label(item.unit),
            "dimensions": [DIMENSIONS[d] for d in item.dimensions],
            "limits": limits,
            "target": shown(limits.target, item.unit) if limits.target is not None else "",
            "warning": shown(limits.warning, item.unit) if limits.warning is not None else "",
            "critical": shown(limits.critical, item.unit) if limits.critical is not None else "",
            "form": form,
            "history": history,
        },
        status=status,
    )
