"""Printable documents: a template rendered to PDF with WeasyPrint, the same way everywhere.

A document's template extends ``core/pdf/base.html``, which sets the page (A4), the
header with the Ministry's name in Arabic and in English, and the footer with the page
numbers, the time the document was produced and the username of the reader who asked
for it. The fonts are named explicitly: Amiri for Arabic (with other fonts, DejaVu among
them, lam-alef is drawn or extracted wrongly) and Liberation Sans for Latin text. The
document follows the active language: right to left in Arabic.

Nothing is fetched while rendering (no file, no address): a document holds only what
its template writes. The file name carries a public code, never a name.
"""

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

PDF = "application/pdf"
ARABIC_FONT = "Amiri"
LATIN_FONT = "Liberation Sans"
# The Ministry's name, in both languages on every page whatever the reader's language.
MINISTRY_AR = "وزارة التضامن الاجتماعي"
MINISTRY_EN = "Ministry of Social Solidarity"

_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.pdf")
_PAGE, _PAGES = "\x00page\x00", "\x00pages\x00"


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def page_numbers_css() -> str:
    """The CSS ``content`` value of the footer's "Page 1 of 3", translated: the page
    counters take the places of the placeholders, wherever the language puts them."""
    text = _("Page %(page)s of %(pages)s") % {"page": _PAGE, "pages": _PAGES}
    parts: list[str] = []
    for piece in re.split(f"({_PAGE}|{_PAGES})", text):
        if piece == _PAGE:
            parts.append("counter(page)")
        elif piece == _PAGES:
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def produced_line(when: str, reader: str) -> SafeString:
    """The footer's "Produced on … for …", translated, with the time and the username
    isolated from the surrounding text (so that neither is reordered right to left)."""
    text = _("Produced on %(when)s for %(reader)s")
    values = {"%(when)s": when, "%(reader)s": reader}
    parts: list[str] = []
    for piece in re.split(r"(%\(when\)s|%\(reader\)s)", text):
        if piece in values:
            parts.append(format_html('<bdi class="code">{}</bdi>', values[piece]))
        elif piece:
            parts.append(escape(piece))
    return format_html("{}" * len(parts), *parts)


def _fetch_nothing() -> URLFetcher:
    """A fetcher that allows no protocol: every image, stylesheet or link is refused."""
    return URLFetcher(allowed_protocols=(), allow_redirects=False, timeout=1)


def render_pdf(request: HttpRequest, template: str, context: dict[str, Any]) -> bytes:
    """The PDF of ``template`` (which extends ``core/pdf/base.html``) in the active
    language, for the signed-in reader of ``request``."""
    bidi = get_language_bidi()
    page = {
        "lang": get_language() or "ar",
        "dir": "rtl" if bidi else "ltr",
        "start": "right" if bidi else "left",
        "end": "left" if bidi else "right",
        "sep": "، " if bidi else ", ",
        "arabic_font": ARABIC_FONT,
        "latin_font": LATIN_FONT,
        "ministry_ar": MINISTRY_AR,
        "ministry_en": MINISTRY_EN,
        "page_numbers": page_numbers_css(),
        "produced": produced_line(
            timezone.localtime().strftime("%Y-%m-%d %H:%M"), request.user.get_username()
        ),
    }
    html = render_to_string(template, {**context, "page": page})
    document = HTML(string=html, base_url=None, url_fetcher=_fetch_nothing())
    content: bytes = document.write_pdf()
    return content


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """The PDF shown inline by the browser, under ``filename`` (a code, never a name)."""
    if not _FILENAME.fullmatch(filename):
        raise ValueError(f"not a safe file name for a document: {filename!r}")
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
