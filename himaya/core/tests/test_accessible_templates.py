"""Accessibility rules that a reading of the templates can check, without a browser (the
browser test runs axe-core on the rendered pages)."""

import re
from pathlib import Path

import pytest
from django.test import Client

import himaya

ROOT = Path(himaya.__file__).parent
# Printed documents are laid out for paper (WeasyPrint), not read with a keyboard.
TEMPLATES = sorted(
    path
    for folder in ("templates", "jinja2")  # the pages, and the rows Jinja2 writes
    for path in ROOT.rglob(f"{folder}/**/*.html")
    if "pdf" not in path.parts
)
TABINDEX = re.compile(r'tabindex="(-?\d+)"')
HEADER_CELL = re.compile(r"<th\b([^>]*)>")
IMAGE = re.compile(r"<img\b([^>]*)>")


def test_there_are_templates_to_read() -> None:
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_template_keeps_the_natural_keyboard_order_and_names_its_headers(path: Path) -> None:
    text = path.read_text()
    positive = [value for value in TABINDEX.findall(text) if int(value) > 0]
    assert positive == [], "a positive tabindex changes the keyboard order"
    without_scope = [attrs for attrs in HEADER_CELL.findall(text) if "scope=" not in attrs]
    assert without_scope == [], "every table header says whether it heads a column or a row"
    without_alt = [attrs for attrs in IMAGE.findall(text) if "alt=" not in attrs]
    assert without_alt == [], "every image has a text alternative"


@pytest.mark.django_db
def test_the_page_shell_has_landmarks_a_skip_link_and_the_language(client: Client) -> None:
    client.cookies["himaya_language"] = "ar"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert page.index('href="#main">انتقل إلى المحتوى</a>') < page.index("<header>")
    assert page.index("<header>") < page.index("<nav ") < page.index('<main id="main"')
    assert page.index('<main id="main"') < page.index("<footer")
    client.cookies["himaya_language"] = "en"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert page.index('href="#main">Skip to content</a>') < page.index("<header>")
