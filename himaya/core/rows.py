"""The parts of the busiest pages written by Jinja2: the rows of the long lists, the
body of the case page, and the frame of every page (its head and navigation bar).

A list page writes the same few cells for each of its rows, and the case page a few hundred
fields, links and labels; Django's template engine resolves every variable and filter
through its context, and that is most of what such a page costs. Jinja2 compiles a template
to Python, so the same markup costs a fraction of that, with the same escaping (autoescape
on). The page around the part (layout, navigation, messages) stays a Django template; the
part is written by ``render_part`` from a template in an app's ``jinja2/`` folder and handed
to the page as markup.

What a part may use besides its context: the project's formatting filters (``day``,
``moment``, ``country``, ``linebreaksbr``), ``_("…")`` for a word to translate (read by
``makemessages`` as in a Django template: a plain string literal, with ``|safe|format(…)``
for one with placeholders, whose values are escaped as ``blocktranslate`` escapes them), and
``path(name, code)`` for an address (reversed once per name, the code put in its place), and
``static(name)`` for the address of a static file.

A part written by ``render_part`` translates its words through the catalogue of the
language active when it is written, looked up once per part: a page of a few hundred
words otherwise looks the active language up again for each of them.
"""

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.template.loader import get_template
from django.templatetags.static import static as static_address
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, trans_real
from jinja2 import Environment

from himaya.core.templatetags.himaya_format import country, day, moment

ENGINE = "rows"


def environment(**options: Any) -> Environment:
    """The Jinja2 environment of the rows (``TEMPLATES``' ``rows`` engine)."""
    env = Environment(**options)  # noqa: S701  # autoescape is set by Django's backend  # nosec B701
    env.filters.update(country=country, day=day, moment=moment, linebreaksbr=linebreaksbr)
    env.globals.update(_=gettext, path=path, static=static)
    return env


def static(name: str) -> str:
    """The address of a static file, as ``{% static %}`` writes it, found once per name."""
    return _static(name, settings.STATIC_URL)


@functools.lru_cache(maxsize=256)
def _static(name: str, prefix: str) -> str:
    # The storage answers the same address for a name for the life of the process (its
    # manifest is read once); the prefix is part of the key for the settings a test changes.
    return static_address(name)


# What no record's code holds: reversed in place of the code, then replaced by it.
_CODE = "~"


@functools.lru_cache(maxsize=256)
def _address(name: str, keyed: bool, prefix: str, urlconf: str | None) -> tuple[str, str]:
    if not keyed:
        return reverse(name, urlconf=urlconf), ""
    before, after = reverse(name, kwargs={"code": _CODE}, urlconf=urlconf).split(_CODE)
    return before, after


def path(name: str, code: str | None = None) -> str:
    """The address of the URL ``name``, with ``code`` as its one argument if given: what
    ``reverse`` gives, the pattern reversed once per name, prefix and URL configuration."""
    urlconf = get_urlconf()
    before, after = _address(name, code is not None, get_script_prefix(), urlconf)
    if code is None:
        return before
    code = str(code)
    if not code or "/" in code:  # what the code's pattern (``<str:code>``) never matches
        raise NoReverseMatch(f"no address of {name} for {code!r}")
    return f"{before}{quote(code, safe=RFC3986_SUBDELIMS + '~:@')}{after}"


def _translator() -> Callable[[str], str]:
    """``gettext`` bound to the catalogue of the active language: what ``gettext`` gives
    for a word of a template (a plain literal, never empty or marked safe), without looking
    the language up on every call."""
    catalogue = trans_real.catalog()

    def translate(message: str) -> str:
        if not message or "\r" in message:  # as ``gettext`` reads them
            return gettext(message)
        return catalogue.gettext(message)

    return translate


def render_part(template_name: str, context: dict[str, Any]) -> SafeString:
    """The markup written by ``template_name`` (of the ``rows`` engine), for a page:
    escaped by Jinja2 as the page's engine would escape it, its words translated into the
    active language."""
    written = get_template(template_name, using=ENGINE).render({**context, "_": _translator()})
    return mark_safe(written)  # noqa: S308  # escaped by Jinja2's autoescape  # nosec B308 B703
