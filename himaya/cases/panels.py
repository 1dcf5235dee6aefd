"""Panels of the case page contributed by the apps above cases.

An app (referrals, services, shelters, fund, empowerment…) registers a panel with the
URL name of a view that takes the case ``code`` and returns an HTML fragment; the case
page loads each panel the user may see with htmx. Cases imports none of those apps.
"""

from dataclasses import dataclass

from django.utils.functional import Promise

from himaya.core.typing import AnyUser


@dataclass(frozen=True)
class CasePanel:
    key: str
    label: str | Promise
    url_name: str  # a view taking ``code`` (the case code) and returning a fragment
    permission: str
    order: int = 100


_panels: dict[str, CasePanel] = {}


def register_panel(*panels: CasePanel) -> None:
    for panel in panels:
        _panels[panel.key] = panel


def panels_for(user: AnyUser) -> list[CasePanel]:
    return sorted(
        (panel for panel in _panels.values() if user.has_perm(panel.permission)),
        key=lambda panel: (panel.order, panel.key),
    )
