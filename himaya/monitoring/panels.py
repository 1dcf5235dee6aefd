"""Panels of the dashboard contributed by the apps above monitoring.

An app (exchange: the monthly national reports) registers a panel with the URL name of a
view without arguments that returns an HTML fragment; the dashboard loads each panel the
user may see with htmx. Monitoring imports none of those apps.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from himaya.core.typing import AnyUser


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    label: str | Promise
    url_name: str  # a view without arguments returning a fragment
    permission: str
    order: int = 100


_panels: dict[str, DashboardPanel] = {}


def register_dashboard_panel(*panels: DashboardPanel) -> None:
    for panel in panels:
        _panels[panel.key] = panel


def dashboard_panels_for(user: AnyUser) -> list[tuple[DashboardPanel, str]]:
    """The panels ``user`` may see, in order, each with the address of its fragment."""
    return [
        (panel, reverse(panel.url_name))
        for panel in sorted(_panels.values(), key=lambda panel: (panel.order, panel.key))
        if user.has_perm(panel.permission)
    ]
