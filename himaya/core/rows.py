"""The rows of the long lists, written by Jinja2.

A list page writes the same few cells for each of its rows; Django's template engine
resolves every variable and filter of every cell through its context, and that is most of
what such a page costs. Jinja2 compiles a template to Python, so a row costs a fraction of
that, with the same markup and the same escaping (autoescape on). The page around the rows
(layout, filters, pagination, every translated word) stays a Django template; the rows are
written by ``render_rows`` from a template in an app's ``jinja2/`` folder, with the
project's formatting filters, and handed to the page as markup. A row template holds no
words to translate: the view passes them already translated, so that ``makemessages``
finds them in Python.
"""

from typing import Any

from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment

from himaya.core.templatetags.himaya_format import country, day

ENGINE = "rows"


def environment(**options: Any) -> Environment:
    """The Jinja2 environment of the rows (``TEMPLATES``' ``rows`` engine)."""
    env = Environment(**options)  # noqa: S701  # autoescape is set by Django's backend  # nosec B701
    env.filters.update(country=country, day=day)
    return env


def render_rows(template_name: str, context: dict[str, Any]) -> SafeString:
    """The rows written by ``template_name`` (of the ``rows`` engine), as markup for a page:
    escaped by Jinja2 as the page's engine would escape them."""
    written = get_template(template_name, using=ENGINE).render(context)
    return mark_safe(written)  # noqa: S308  # escaped by Jinja2's autoescape  # nosec B308 B703
