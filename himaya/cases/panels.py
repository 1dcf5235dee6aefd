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


@dataclass(frozen=True)
class QueueSection:
    """A section of the case worker's work queue contributed by another app.

    ``url_name`` names a view without arguments returning a fragment (for example the
    referrals app's count of overdue referrals); the queue loads it with htmx.
    """

    key: str
    label: str | Promise
    url_name: str
    permission: str
    order: int = 100


_queue_sections: dict[str, QueueSection] = {}


def register_queue_section(*sections: QueueSection) -> None:
    for section in sections:
        _queue_sections[section.key] = section


def queue_sections_for(user: AnyUser) -> list[QueueSection]:
    return sorted(
        (s for s in _queue_sections.values() if user.has_perm(s.permission)),
        key=lambda section: (section.order, section.key),
    )
