"""In Arabic, every page a demo user reaches reads in Arabic: no raw code, English label or
untranslated choice, only the few Latin words that have no Arabic form (public codes,
usernames, e-mail addresses and a short list of acronyms)."""

import io
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from himaya.accounts.demo import USERS
from himaya.accounts.models import User
from himaya.core.nav import all_items

pytestmark = pytest.mark.django_db

LINK = re.compile(r'(?:href|hx-get)="(/[^"#]*)"')
SKIP = ("/static/", "/accounts/logout/", "/i18n/", "/jsi18n/", "/admin/", "/api/")
SKIP_PARTS = ("/api/", "/export", ".csv", ".xlsx", ".pdf", "/download", "/file")
PAGES_PER_ROUTE = 2  # two records of each kind show every label of their page

# Words that stay Latin in Arabic text, each for a reason.
ACRONYMS = {
    "PDF",  # file format, printed so on the files themselves
    "CSV",  # file format
    "XLSX",  # file format
    "TOTP",  # the second-factor standard named by authenticator applications
    "QR",  # the code the authenticator application scans
    "PNG",  # image format of supporting documents
    "JPEG",  # image format of supporting documents
    "ILO",  # International Labour Organization, named on the indicator catalogue
    "NCCPIM",  # the National Coordinating Committee's own acronym
    "CTDC",  # the Counter-Trafficking Data Collaborative, cited so as its terms of use ask
    "TIP",  # part of that acronym (NCCPIM&TIP)
}
# Latin spellings of a name, given as examples of what the name search finds.
NAME_EXAMPLES = {"Fatma", "Fatima"}
# Never words: a public code (core/codes.py) or the start of one in a hint ("CS-…"), a
# payment reference as the bank gives it, an e-mail address, an ISO date.
NOT_WORDS = re.compile(
    r"\b[A-Z]{2,3}-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]\b"
    r"|\b[A-Z]{2,3}-…"
    r"|\bTRF-[A-Z0-9-]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?\b"
)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
THEAD = re.compile(r"<thead>(.*?)</thead>", re.S)
HEADER_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
TAG = re.compile(r"<[^>]+>")
SEEN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and the labelling attributes, without
    scripts, styles and the parts marked as another language (the language switch)."""

    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def _hidden(self) -> bool:
        return any(hidden for _, hidden in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang")
        hidden = tag in ("script", "style", "template") or (lang is not None and lang != "ar")
        if not hidden and not self._hidden():
            self.parts.extend(values[name] or "" for name in SEEN_ATTRIBUTES if name in values)
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")
        if tag not in self.VOID:
            self._stack.append((tag, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.parts.append(data)


def latin_words(html: str, usernames: re.Pattern[str]) -> dict[str, str]:
    """Each Latin word left on the page, with the text around its first occurrence."""
    parser = _VisibleText()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    text = usernames.sub(" ", NOT_WORDS.sub(" ", text))
    found: dict[str, str] = {}
    for match in LATIN_WORD.finditer(text):
        word = match.group()
        if word not in ACRONYMS and word not in NAME_EXAMPLES and word not in found:
            found[word] = text[max(match.start() - 30, 0) : match.end() + 30]
    return found


def repeated_headers(html: str) -> set[str]:
    """Column headers that read the same twice in one table (in Arabic "case" and "status"
    are both الحالة unless a context tells them apart)."""
    repeated: set[str] = set()
    for head in THEAD.findall(html):
        names = [" ".join(TAG.sub(" ", cell).split()) for cell in HEADER_CELL.findall(head)]
        names = [name for name in names if name]
        repeated |= {name for name in names if names.count(name) > 1}
    return repeated


def _links(html: str) -> list[str]:
    found = {link.replace("&amp;", "&") for link in LINK.findall(html)}
    kept = (link for link in found if not link.startswith(SKIP))
    return sorted(link for link in kept if not any(part in link for part in SKIP_PARTS))


def _route(link: str) -> str:
    try:
        return resolve(urlsplit(link).path).route
    except Resolver404:
        return link


def test_every_page_of_every_demo_user_reads_in_arabic(settings) -> None:
    settings.DEMO_SKIP_OTP = True
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    # Usernames are typed in Latin letters and shown as typed.
    names = sorted(User.objects.values_list("username", flat=True), key=len, reverse=True)
    usernames = re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, names)) + r")(?![\w.])")
    offences: dict[str, set[str]] = defaultdict(set)
    contexts: dict[str, str] = {}
    visited = 0
    for username, *_ in USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
        pages = ["/", *(item.url for item in all_items() if user.has_perm(item.permission))]
        queue = list(dict.fromkeys(pages))
        seen = set(queue)
        per_route: dict[str, int] = defaultdict(int)
        depth = {page: 0 for page in queue}
        while queue:
            page = queue.pop(0)
            response = client.get(page)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            visited += 1
            html = response.content.decode()
            for word, context in latin_words(html, usernames).items():
                offences[word].add(page)
                contexts.setdefault(word, context)
            for header in repeated_headers(html):
                offences[f"[{header}] ×2"].add(page)
                contexts.setdefault(f"[{header}] ×2", "column header twice in one table")
            if depth[page] >= 2:
                continue
            for link in _links(html):
                route = _route(link)
                if link in seen or per_route[route] >= PAGES_PER_ROUTE:
                    continue
                seen.add(link)
                per_route[route] += 1
                depth[link] = depth[page] + 1
                queue.append(link)
    report = "\n".join(
        f"{word} «{contexts[word]}» on {', '.join(sorted(pages)[:3])}"
        for word, pages in sorted(offences.items())
    )
    assert visited > 200
    assert not offences, "Latin words or repeated headers on Arabic pages:\n" + report
