"""The shared PDF helper: Amiri named and embedded, page numbers and the footer in the
reader's language, nothing fetched, and file names limited to codes."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import translation

from himaya.core import pdf
from himaya.core.templatetags.pdf import direction
from himaya.core.tests.pdftext import pdf_fonts


def test_the_page_numbers_follow_the_translated_sentence() -> None:
    with translation.override("en"):
        assert pdf.page_numbers_css() == '"Page " counter(page) " of " counter(pages)'


def test_the_footer_isolates_the_time_and_the_username() -> None:
    with translation.override("en"):
        line = pdf.produced_line("2026-11-29 10:00", "<b>x</b>")

    assert line == (
        'Produced on <bdi class="code">2026-11-29 10:00</bdi> for '
        '<bdi class="code">&lt;b&gt;x&lt;/b&gt;</bdi>'
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("منسي", "rtl"), ("Mansy", "ltr"), ("+20 100 555 0101", "ltr"), ("", "ltr"), (None, "ltr")],
)
def test_user_text_takes_the_direction_of_its_first_strong_letter(
    value: str | None, expected: str
) -> None:
    assert direction(value) == expected


def test_nothing_is_fetched_while_rendering() -> None:
    with pytest.raises(ValueError, match="disallowed protocol"):
        pdf._fetch_nothing().fetch("file:///etc/hostname")


@pytest.mark.parametrize("name", ["a name.pdf", "../x.pdf", "x.html", 'x".pdf', "اسم.pdf"])
def test_a_file_name_other_than_a_code_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a safe file name"):
        pdf.pdf_response(b"%PDF-", filename=name)


def test_the_arabic_font_is_named_and_embedded() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override("ar"):
        content = pdf.render_pdf(request, "core/pdf/base.html", {})

    assert content.startswith(b"%PDF-")
    assert "Amiri" in pdf_fonts(content)
    assert "DejaVu" not in pdf_fonts(content)
