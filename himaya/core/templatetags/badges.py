"""Status badges: a colour by state, and always the state's translated name as text.

Colour alone never carries the meaning (WCAG 1.4.1): the badge shows the label it is given,
the state's display name in the active language. Each state maps to one tone, and each tone
to a Bootstrap class whose text keeps a contrast of at least 4.5:1 on its background
(``text-bg-warning`` and ``text-bg-info`` write dark text, the others white text)::

    {% load badges %}
    {% status_badge payment.status payment.get_status_display testid="status" %}
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

DANGER, WARNING, SUCCESS, INFO, SECONDARY = "danger", "warning", "success", "info", "secondary"

# States by their stored value, across the apps (the values are shared words: "approved"
# means the same for a payment, a care plan or a report). Unknown states are neutral.
TONES: dict[str, str] = {
    # refused, stopped or at risk
    "declined": DANGER,
    "rejected": DANGER,
    "refused": DANGER,
    "dropped_out": DANGER,
    "cancelled": DANGER,
    "reversed": DANGER,
    "withdrawn": DANGER,
    "overdue": DANGER,
    "indicated": DANGER,
    "critical": DANGER,
    "high": DANGER,
    # waiting for someone, or needing attention
    "sent": WARNING,
    "requested": WARNING,
    "pending": WARNING,
    "proposed": WARNING,
    "submitted": WARNING,
    "returned": WARNING,
    "referred": WARNING,
    "struggling": WARNING,
    "probable": WARNING,
    "child_protection": DANGER,
    "medium": WARNING,
    # done, or in good standing
    "accepted": SUCCESS,
    "approved": SUCCESS,
    "paid": SUCCESS,
    "completed": SUCCESS,
    "released": SUCCESS,
    "delivered": SUCCESS,
    "enrolled": SUCCESS,
    "active": SUCCESS,
    "in_force": SUCCESS,
    "low": SUCCESS,
    # information only
    "draft": INFO,
    "planned": INFO,
    "exploitation": INFO,
}

CLASSES: dict[str, str] = {
    DANGER: "text-bg-danger",
    WARNING: "text-bg-warning",
    SUCCESS: "text-bg-success",
    INFO: "text-bg-info",
    SECONDARY: "text-bg-secondary",
}


def tone_of(state: object) -> str:
    """The tone of a state's stored value; neutral for any state not listed."""
    return TONES.get(str(state), SECONDARY)


@register.filter
def badge_class(state: object) -> str:
    """The Bootstrap class of the state's badge, for markup that builds its own badge."""
    return CLASSES[tone_of(state)]


@register.simple_tag
def status_badge(state: object, label: object, testid: str = "") -> SafeString:
    """A badge coloured by ``state`` that shows ``label`` (the translated state)."""
    text = label if label not in (None, "") else state
    if testid:
        return format_html(
            '<span class="badge {}" data-status="{}" data-testid="{}">{}</span>',
            badge_class(state),
            state,
            testid,
            text,
        )
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>', badge_class(state), state, text
    )
