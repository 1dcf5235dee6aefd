"""The dashboard's figures: what its cards, chart, map, breakdown and filters show, drawn
from the daily values alone for a reader who sees small cells or not, and kept in the
``pages`` cache under the values' edition (see ``docs/monitoring.md``). The pages and the
task queue draw them through ``served`` and ``warm``; the views check the reader's right."""

import datetime
import hashlib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.html import json_script
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from himaya.core.rows import render_part
from himaya.core.templatetags.himaya_format import day_text
from himaya.monitoring import maps, rules, selectors
from himaya.monitoring.forms import PERIODS, DashboardForm, period
from himaya.monitoring.indicators import (
    DIMENSIONS,
    FAMILIES,
    GOVERNORATE,
    Indicator,
    all_indicators,
)


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
    used = {"indicator": chosen.code, "dimension": dimension, "days": form.choices()["days"]}
    for name in ("indicator", "dimension", "days", "end"):
        value = used[name] if name in used else form[name].value()
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


def dashboard_data(query: QueryDict, *, small: bool, cards: bool = True) -> dict[str, Any]:
    """The figures of the view asked in ``query`` (the dashboard's address) and, with
    ``cards``, every indicator's card and spark line (the one part that does not depend
    on the view), for a reader who sees small cells (``small``) or not. The reader's
    right to see the dashboard is the caller's to check."""
    form = DashboardForm(query or None)
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
        totals = selectors.totals(items, start=month[0], end=end, exact_days=compared, small=small)
        texts, status_labels = _card_texts(get_language() or ""), _status_labels()
        for i in items:
            drawn.append(
                _card(i, totals.exact[i.code], end, limits[i.code], texts[i.code], status_labels)
            )
            by_day = totals.floats[i.code]
            sparks[i.code] = [by_day.get(d) for d in month]
    points = selectors.values(item, start=start, end=end, dimension=dimension, small=small)
    if dimension == GOVERNORATE:
        gov_points = [p for p in points if p.day == end and p.dimension == GOVERNORATE]
    elif GOVERNORATE in item.dimensions:
        gov_points = [
            p
            for p in selectors.values(item, start=end, end=end, dimension=GOVERNORATE, small=small)
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


def query_of(data: dict[str, Any]) -> str:
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


def draw(query: QueryDict, *, small: bool, cards: bool = True) -> dict[str, str]:
    """The dashboard's parts rendered in the active language: ``VIEW_PARTS``, and with
    ``cards`` the cards."""
    data = dashboard_data(query, small=small, cards=cards)
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
        "query": query_of(data),
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
    "figures.py",
    "selectors.py",
    "forms.py",
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


def kept_view(query: QueryDict) -> tuple[str, ...] | None:
    """The view asked, when its figures are kept: the indicator, breakdown and period
    used (the same figures whatever else was typed). None for a view of a chosen day or of
    one member's trend: those are drawn afresh, so that what the cache holds stays bounded
    by the indicators, their breakdowns and the four periods."""
    if query.get("end", "").strip() or query.get("member", "").strip():
        return None
    # The form offers only the chosen indicator's breakdowns: another one is dropped.
    chosen = DashboardForm(query or None).choices()
    return (chosen["indicator"].code, chosen["dimension"], str(chosen["days"]))


def keys(small: bool, *views: tuple[str, ...]) -> list[str]:
    """The cache key of each view's figures: everything they depend on, that is the code
    that draws them, the values' edition, the active language and whether the reader sees
    small cells (or the threshold that hides them), today, and the view itself."""
    common = [
        drawn_by(),
        selectors.edition(),
        get_language() or "",
        "all" if small else str(selectors.suppress_below()),
        timezone.localdate().isoformat(),
    ]
    return [
        "monitoring:dashboard:" + hashlib.sha256("\x1f".join([*common, *view]).encode()).hexdigest()
        for view in views
    ]


def served(query: QueryDict, *, small: bool) -> dict[str, str]:
    """The dashboard's parts for the view asked in ``query``, from the ``pages`` cache when
    they are kept there (read under the values' edition, see ``keys``), else drawn and
    kept. The cards are kept apart from the view: a reader who turns to another
    indicator, breakdown, period or member reads that view's values only. A view of a
    chosen day draws its cards with it and keeps neither."""
    view = kept_view(query)
    # The cards show the last day computed, or the day chosen: those of a chosen day are
    # drawn with it, never kept.
    cards_kept = not query.get("end", "").strip()
    if view is None and not cards_kept:
        return draw(query, small=small)
    pages = caches["pages"]
    view_key, cards_key = keys(small, view or (), (CARDS,))
    view_key = view_key if view is not None else ""
    cards_key = cards_key if cards_kept else ""
    kept = pages.get_many([key for key in (view_key, cards_key) if key])
    shown, cards = kept.get(view_key), kept.get(cards_key)
    if shown is None or cards is None:
        drawn = draw(query, small=small, cards=cards is None)
        shown = shown or {part: drawn[part] for part in VIEW_PARTS}
        cards = cards or drawn[CARDS]
        pages.set_many({key: part for key, part in ((view_key, shown), (cards_key, cards)) if key})
    return {**shown, CARDS: cards}


def kept_for_every_process() -> bool:
    """Whether the ``pages`` cache is one for every process of the service (Redis), not
    each process's own memory or none."""
    return not isinstance(caches["pages"], LocMemCache | DummyCache)


def warm() -> int:
    """Draw and keep, under the values' current edition, what the first readers of the
    dashboard ask: its opening view and the cards, in every language, for readers who see
    small cells and for those who do not. Run by the task queue after a computation that
    made a new edition, so that the first reader of the edition does not draw them.
    Answer how many parts were drawn (none already kept is drawn again)."""
    pages = caches["pages"]
    opening = QueryDict()
    view = kept_view(opening)
    assert view is not None  # the opening view is always kept
    drawn = 0
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for small in (True, False):
                view_key, cards_key = keys(small, view, (CARDS,))
                if len(pages.get_many([view_key, cards_key])) == 2:
                    continue
                parts = draw(opening, small=small)
                pages.set_many(
                    {
                        view_key: {part: parts[part] for part in VIEW_PARTS},
                        cards_key: parts[CARDS],
                    }
                )
                drawn += 1
    return drawn
