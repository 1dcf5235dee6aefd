"""Pages of the monitoring app: the dashboard (it reads only the daily values and the
declared indicators), each indicator's definition, its settings, and the downloads."""

import csv
import datetime
import hashlib
import io
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import json_script
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.core.errors import DomainError
from himaya.core.forms import show_refusal
from himaya.core.rows import render_part
from himaya.core.templatetags.himaya_format import day_text
from himaya.core.typing import AnyUser
from himaya.monitoring import actions, maps, rules, selectors
from himaya.monitoring.forms import PERIODS, DashboardForm, SettingForm, period
from himaya.monitoring.indicators import (
    DIMENSIONS,
    FAMILIES,
    GOVERNORATE,
    Indicator,
    all_indicators,
    get_indicator,
)
from himaya.monitoring.models import IndicatorSettingChange
from himaya.monitoring.panels import dashboard_panels_for

VIEW = actions.VIEW_DASHBOARD
MANAGE = actions.MANAGE_INDICATORS


def unit_label(unit: str) -> str:
    return {
        rules.COUNT: _("number"),
        rules.PERCENT: _("percent"),
        rules.DAYS: _("days"),
        rules.RATE: _("per 100,000 population"),
        rules.EGP: _("Egyptian pounds"),
    }[unit]


def shown(value: Decimal | None, unit: str) -> str:
    """A value as people read it (no trailing zeros for counts)."""
    if value is None:
        return "—"
    if unit == rules.COUNT:
        return number_format(int(value), force_grouping=True)
    text = number_format(value, decimal_pos=2 if unit != rules.PERCENT else 1, force_grouping=True)
    return f"{text} %" if unit == rules.PERCENT else text


def signed(change: Decimal | None, unit: str) -> str:
    """A change with its sign ("+3", "−1.5 %"), or a dash without one."""
    if change is None:
        return "—"
    text = shown(abs(change), unit)
    return text if change == 0 else ("+" if change > 0 else "−") + text


@lru_cache(maxsize=64)
def _definition_url(code: str) -> str:
    return reverse("monitoring:definition", args=[code])


@lru_cache(maxsize=4)
def _card_texts(language: str) -> dict[str, dict[str, str]]:
    """What a card says that never changes, in ``language``: made once per language, not
    translated again for every card of every page."""
    return {
        item.code: {
            "code": item.code,
            "name": str(item.name),
            "family": str(FAMILIES[item.family]),
            "url": _definition_url(item.code),
            "spark_label": _("%(name)s over the last 30 days") % {"name": item.name},
        }
        for item in all_indicators()
    }


def _status_labels() -> dict[str, str]:
    return {
        rules.GOOD: _("On track"),
        rules.WARNING: _("Warning"),
        rules.CRITICAL: _("Critical"),
        rules.NO_STATUS: _("No value"),
    }


@lru_cache(maxsize=4)
def _indicator_options(language: str) -> tuple[tuple[str, str], ...]:
    return tuple((item.code, str(item.name)) for item in all_indicators())


def _filters(form: DashboardForm, dimension: str) -> list[dict[str, Any]]:
    """The filters as plain fields for the template (the same names, ids and classes as
    the form's widgets would give, without rendering a widget template for each). Each
    list shows what the page shows (the indicator, breakdown and period used, also when
    none or a wrong one was asked); the day keeps what was typed, to be corrected."""
    chosen = form.chosen_indicator()
    options = {
        "indicator": _indicator_options(get_language() or ""),
        "dimension": (("", _("Total only")), *((d, str(DIMENSIONS[d])) for d in chosen.dimensions)),
        "days": tuple((value, str(label)) for value, label in PERIODS),
    }
    fields = []
    shown = {"indicator": chosen.code, "dimension": dimension, "days": form.choices()["days"]}
    for name in ("indicator", "dimension", "days", "end"):
        value = shown[name] if name in shown else form[name].value()
        field: dict[str, Any] = {
            "name": name,
            "id": f"id_{name}",
            "label": form.fields[name].label,
            "value": "" if value is None else str(value),
        }
        if name in options:
            field["options"] = [
                (code, label, code == field["value"]) for code, label in options[name]
            ]
        fields.append(field)
    return fields


def _card(
    item: Indicator,
    points: dict[datetime.date, selectors.Point],
    end: datetime.date,
    limits: selectors.Thresholds,
    texts: dict[str, str],
    status_labels: dict[str, str],
) -> dict[str, Any]:
    today = points.get(end)
    week = points.get(end - datetime.timedelta(days=7))
    month = points.get(end - datetime.timedelta(days=30))
    value = today.value if today else None
    status = rules.status_of(
        value,
        warning=limits.warning,
        critical=limits.critical,
        higher_is_better=item.higher_is_better,
    )
    return {
        **texts,
        "value": shown(value, item.unit),
        "suppressed": bool(today and today.suppressed),
        "week": signed(rules.trend(value, week.value if week else None), item.unit),
        "month": signed(rules.trend(value, month.value if month else None), item.unit),
        "target": shown(limits.target, item.unit) if limits.target is not None else "",
        "status": status,
        "status_label": status_labels[status],
    }


def _dashboard_data(request: HttpRequest, *, cards: bool = True) -> dict[str, Any]:
    """The chosen view's figures and, with ``cards``, every indicator's card and spark
    line (the one part that does not depend on the view)."""
    user = acting_user(request)
    require_capability(user, VIEW)
    form = DashboardForm(request.GET or None)
    chosen = form.choices()
    item: Indicator = chosen["indicator"]
    end = chosen["end"] or selectors.latest_day() or timezone.localdate()
    start, end = period(chosen["days"], end)
    dimension = chosen["dimension"] if chosen["dimension"] in item.dimensions else ""
    items = all_indicators() if cards else [item]
    limits = selectors.thresholds(items)
    month = [end - datetime.timedelta(days=n) for n in range(30, -1, -1)]
    drawn: list[dict[str, Any]] = []
    sparks: dict[str, list[float | None]] = {}
    if cards:
        compared = (end, end - datetime.timedelta(days=7), month[0])
        totals = selectors.totals(user, items, start=month[0], end=end, exact_days=compared)
        texts, status_labels = _card_texts(get_language() or ""), _status_labels()
        for i in items:
            drawn.append(
                _card(i, totals.exact[i.code], end, limits[i.code], texts[i.code], status_labels)
            )
            by_day = totals.floats[i.code]
            sparks[i.code] = [by_day.get(d) for d in month]
    points = selectors.values(user, item, start=start, end=end, dimension=dimension)
    if dimension == GOVERNORATE:
        gov_points = [p for p in points if p.day == end and p.dimension == GOVERNORATE]
    elif GOVERNORATE in item.dimensions:
        gov_points = [
            p
            for p in selectors.values(user, item, start=end, end=end, dimension=GOVERNORATE)
            if p.dimension == GOVERNORATE
        ]
    else:
        gov_points = []
    tiles, legend = maps.tile_map(
        {p.member: p.value for p in gov_points}, {p.member for p in gov_points if p.suppressed}
    )
    return {
        "form": form,
        "item": item,
        "start": start,
        "end": end,
        "dimension": dimension,
        "member": chosen["member"],
        "cards": drawn,
        "sparks": {"labels": [d.isoformat() for d in month], "series": sparks},
        "points": points,
        "limits": limits[item.code],
        "tiles": tiles,
        "legend": legend,
        "has_map": GOVERNORATE in item.dimensions,
    }


def _chart(data: dict[str, Any]) -> dict[str, Any]:
    """What dashboard.js draws: the days, the total or the chosen member, the target."""
    item: Indicator = data["item"]
    days = []
    day = data["start"]
    while day <= data["end"]:
        days.append(day)
        day += datetime.timedelta(days=1)
    member = data["member"]
    wanted = f"{data['dimension']}={member}" if data["dimension"] and member else ""
    by_day = {p.day: p for p in data["points"] if p.cell == wanted}
    label = next((p.label for p in data["points"] if p.cell == wanted and p.label), "")
    target = data["limits"].target
    return {
        "labels": [day_text(d) for d in days],
        "series": [
            None if by_day.get(d) is None or by_day[d].value is None else float(by_day[d].value)
            for d in days
        ],
        "name": f"{item.name} — {label}" if label else str(item.name),
        "target": None if target is None else float(target),
        "targetLabel": _("Target"),
    }


def _breakdown(data: dict[str, Any]) -> list[selectors.Point]:
    return [p for p in data["points"] if p.day == data["end"] and p.dimension]


# The choices the dashboard reads from its address; nothing else of it changes the page.
FILTER_NAMES = ("indicator", "dimension", "member", "days", "end")


def _query(data: dict[str, Any]) -> str:
    """The view shown, for its downloads: the filters used, not the words typed."""
    chosen = {
        "indicator": data["item"].code,
        "dimension": data["dimension"],
        "member": data["member"] if data["dimension"] else "",
        "days": str((data["end"] - data["start"]).days + 1),
        "end": data["end"].isoformat() if data["form"].choices()["end"] else "",
    }
    return urlencode([(name, chosen[name]) for name in FILTER_NAMES if chosen[name]])


# The parts of the dashboard drawn from the values: the period and the chosen view (filters,
# chart, map, breakdown), and every indicator's card, the same whatever the view.
VIEW_PARTS = ("period", "figures")
CARDS = "cards"


def _figures(request: HttpRequest, *, cards: bool = True) -> dict[str, str]:
    """The dashboard's parts rendered: ``VIEW_PARTS``, and with ``cards`` the cards."""
    data = _dashboard_data(request, cards=cards)
    item: Indicator = data["item"]
    rows = [{"point": p, "value": shown(p.value, item.unit)} for p in _breakdown(data)]
    members = sorted(
        {(p.member, p.label) for p in data["points"] if p.dimension}, key=lambda m: m[1]
    )
    context = {
        **data,
        "chart": _chart(data),
        "rows": rows,
        "members": members,
        "dimension_label": DIMENSIONS.get(data["dimension"], ""),
        "unit": unit_label(item.unit),
        "query": _query(data),
        "filters": _filters(data["form"], data["dimension"]),
        "map_width": maps.WIDTH,
        "map_height": maps.HEIGHT,
        "tile_size": maps.TILE,
    }
    words = {
        "hidden_label": _("hidden (small number)"),
        "no_value_label": _("no value"),
        "week_label": _("Change in 7 days"),
        "month_label": _("in 30 days"),
        "target_label": _("Target"),
        "definition_label": _("Definition"),
    }
    context.update(
        words,
        chart_script=json_script(context.pop("chart"), "chart-data"),
        spark_script=json_script(data["sparks"], "spark-data"),
        start_text=day_text(data["start"]),
        end_text=day_text(data["end"]),
    )
    parts = (*VIEW_PARTS, CARDS) if cards else VIEW_PARTS
    return {part: render_part(f"monitoring/dashboard_{part}.html", context) for part in parts}


APP_DIR = Path(__file__).resolve().parent
# What draws the figures besides the data: kept figures are served only by the code that
# drew them, never by a later release with other templates, formats or translations.
DRAWN_BY = (
    "views.py",
    "maps.py",
    "rules.py",
    "indicators.py",
    "jinja2/monitoring/dashboard_period.html",
    "jinja2/monitoring/dashboard_figures.html",
    "jinja2/monitoring/dashboard_cards.html",
    "locale/ar/LC_MESSAGES/django.mo",
)


@lru_cache(maxsize=1)
def drawn_by() -> str:
    """A digest of the files that draw the figures (read once per process)."""
    digest = hashlib.sha256()
    for name in DRAWN_BY:
        path = APP_DIR / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def _kept_view(request: HttpRequest) -> tuple[str, ...] | None:
    """The view asked, when its figures are kept: the indicator, breakdown and period
    used (the same figures whatever else was typed). None for a view of a chosen day or of
    one member's trend: those are drawn afresh, so that what the cache holds stays bounded
    by the indicators, their breakdowns and the four periods."""
    if request.GET.get("end", "").strip() or request.GET.get("member", "").strip():
        return None
    # The form offers only the chosen indicator's breakdowns: another one is dropped.
    chosen = DashboardForm(request.GET or None).choices()
    return (chosen["indicator"].code, chosen["dimension"], str(chosen["days"]))


def _figures_keys(user: AnyUser, *views: tuple[str, ...]) -> list[str]:
    """The cache key of each view's figures: everything they depend on, that is the code
    that draws them, the values' edition, the reader's language and whether small cells
    are shown to them, the threshold, today, and the view itself."""
    common = [
        drawn_by(),
        selectors.edition(),
        get_language() or "",
        "all" if selectors.sees_small_cells(user) else str(selectors.suppress_below()),
        timezone.localdate().isoformat(),
    ]
    return [
        "monitoring:dashboard:" + hashlib.sha256("\x1f".join([*common, *view]).encode()).hexdigest()
        for view in views
    ]


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard. Its parts are drawn from the daily values alone, so they are kept in
    the ``pages`` cache under the values' edition: the next reader with the same language,
    the same view of small cells and the same view (``_kept_view``) gets them without
    reading the values again, until the values or a setting change. The cards are kept
    apart from the view: a reader who turns to another indicator, breakdown, period or
    member reads that view's values only (a chosen day draws its cards afresh)."""
    user = acting_user(request)
    require_capability(user, VIEW)
    view = _kept_view(request)
    # The cards show the last day computed, or the day chosen: those of a chosen day are
    # drawn with it, never kept.
    cards_kept = not request.GET.get("end", "").strip()
    if view is None and not cards_kept:
        parts = _figures(request)
    else:
        pages = caches["pages"]
        keys = _figures_keys(user, view or (), (CARDS,))
        view_key = keys[0] if view is not None else ""
        cards_key = keys[1] if cards_kept else ""
        kept = pages.get_many([key for key in (view_key, cards_key) if key])
        shown, cards = kept.get(view_key), kept.get(cards_key)
        if shown is None or cards is None:
            drawn = _figures(request, cards=cards is None)
            shown = shown or {part: drawn[part] for part in VIEW_PARTS}
            cards = cards or drawn[CARDS]
            pages.set_many(
                {key: part for key, part in ((view_key, shown), (cards_key, cards)) if key}
            )
        parts = {**shown, CARDS: cards}
    return render(
        request,
        "monitoring/dashboard.html",
        {
            # Rendered by the templates above: safe strings, kept so by the cache.
            "period": parts["period"],
            "figures": parts["figures"],
            "cards": parts[CARDS],
            "panels": dashboard_panels_for(request.user),
        },
    )


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
    data = _dashboard_data(request, cards=False)
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

    data = _dashboard_data(request, cards=False)
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
