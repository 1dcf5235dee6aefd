"""Accessibility rules that a reading of the templates can check, without a browser (the
browser test runs axe-core on the rendered pages)."""

import re
from pathlib import Path

import pytest

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


def test_the_page_shell_has_landmarks_a_skip_link_and_the_language() -> None:
    base = (ROOT / "core" / "templates" / "base.html").read_text()
    assert (
        '<html lang="{{ LANGUAGE_CODE }}" dir="{% if LANGUAGE_BIDI %}rtl{% else %}ltr{% endif %}">'
        in base
    )
    assert base.index('href="#main">{% translate "Skip to content" %}</a>') < base.index("<header>")
    assert base.index("<header>") < base.index("<nav ") < base.index('<main id="main"')
    assert base.index('<main id="main"') < base.index("<footer")
