"""Rows written by Jinja2 (``core.rows``): escaped as the pages' engine escapes, formatted
by the same filters in the reader's language, and served to a page as markup."""

import datetime

import pytest
from django.utils import translation

from himaya.core.rows import render_part


def row(**fields: object) -> dict[str, object]:
    return {
        "code": "SV-ABCD-EFGH-J",
        "sex": "أنثى",
        "birth_year": "1999",
        "age_is_estimated": False,
        "nationality": "EG",
        "governorate_of_origin": "",
        "registered_by_agency": "جمعية الأمل",
        "created_at": datetime.datetime(2026, 3, 15, 10, tzinfo=datetime.UTC),
        "masked_name": "",
        **fields,
    }


def written(*rows: dict[str, object], names: bool = False) -> str:
    return render_part(
        "survivors/rows.html",
        {"rows": rows, "names": names, "estimated": "مقدّر", "survivor_path": "/survivors/"},
    )


def test_text_in_a_row_is_escaped_and_the_rows_are_markup_for_the_page() -> None:
    with translation.override("ar"):
        html = written(row(registered_by_agency='<script>alert("x")</script> & co'))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in html
    assert hasattr(html, "__html__")  # a page writes it as it is, not escaped again


def test_a_row_is_written_in_the_readers_language_with_the_pages_filters() -> None:
    with translation.override("ar"):
        arabic = written(row(age_is_estimated=True))
    with translation.override("en"):
        english = written(row())
    assert (
        '<a class="code text-nowrap" href="/survivors/SV-ABCD-EFGH-J/" dir="ltr">SV-ABCD-EFGH-J</a>'
        in arabic
    )
    assert "<td>مصر</td>" in arabic and "<td>Egypt</td>" in english
    assert '1999 <span class="text-body-secondary small">(مقدّر)</span>' in arabic
    assert "(مقدّر)" not in english
    assert '<bdi class="date' in arabic and "مارس" in arabic and "March" in english
    assert "<td>—</td>" in arabic  # no governorate of origin


@pytest.mark.parametrize(("names", "cells"), [(False, 0), (True, 1)])
def test_the_masked_name_column_is_written_only_when_names_are_shown(
    names: bool, cells: int
) -> None:
    html = written(row(masked_name="ف***"), names=names)
    assert html.count('data-testid="masked-name"') == cells
    assert ("ف***" in html) is names


def test_every_word_a_jinja2_part_translates_is_in_the_arabic_catalogue() -> None:
    """``makemessages`` reads ``_("…")`` only as a plain literal at the start of a
    variable: a word written any other way would be left out of the catalogue and shown in
    English on an Arabic page."""
    import re
    from pathlib import Path

    from django.conf import settings

    parts = sorted(Path(settings.BASE_DIR, "himaya").glob("*/jinja2/**/*.html"))
    words = {
        word
        for part in parts
        for _quote, word in re.findall(r"""_\((["'])(.+?)\1\)""", part.read_text())
    }
    assert "Case notes" in words  # the case page's body is among the parts read
    with translation.override("ar"):
        untranslated = sorted(w for w in words if translation.gettext(w) == w)
    assert untranslated == []
    for part in parts:
        text = part.read_text()
        for variable in re.findall(r"\{\{(.*?)\}\}", text):
            if "_(" in variable:
                assert re.match(r"""\s*_\((["']).+?\1\)""", variable), (part.name, variable)
        for tag in re.findall(r"\{%(.*?)%\}", text, flags=re.DOTALL):
            assert "_(" not in tag, (part.name, tag)  # a tag's words are never extracted


def test_a_part_writes_addresses_as_reverse_does() -> None:
    from django.urls import NoReverseMatch, reverse

    from himaya.core.rows import path

    assert path("cases:detail", "CS-ABCD-EFGH-J") == reverse(
        "cases:detail", kwargs={"code": "CS-ABCD-EFGH-J"}
    )
    assert path("cases:list") == reverse("cases:list")
    assert path("cases:note_revise", "a b&c") == reverse(
        "cases:note_revise", kwargs={"code": "a b&c"}
    )
    for code in ("a/b", ""):
        with pytest.raises(NoReverseMatch):
            reverse("cases:note_revise", kwargs={"code": code})
        with pytest.raises(NoReverseMatch):
            path("cases:note_revise", code)


def test_a_translated_sentence_keeps_its_markup_and_escapes_its_values() -> None:
    from django.template import engines

    template = engines["rows"].from_string(
        "{{ _(\"Transfer to %(agency)s proposed on %(day)s, waiting for its supervisors' "
        'answer.")|safe|format(agency=agency, day=on|day) }}'
    )
    with translation.override("en"):
        html = template.render({"agency": "<b>A & B</b>", "on": datetime.date(2026, 3, 15)})
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in html
    assert '<bdi class="date' in html  # the day's own markup is kept
    assert "supervisors' answer" in html


def test_the_jinja2_field_writes_the_markup_of_the_pages_field_partial() -> None:
    """A form field is written by the pages' partial (``cases/partials/field.html``) on
    every page but the case page, whose body writes it with the Jinja2 macro: both must
    write the same markup, for each kind of widget, with help and errors."""
    import re

    from django import forms
    from django.template import engines

    class Sample(forms.Form):
        text = forms.CharField(widget=forms.Textarea, help_text="Say it <plainly>")
        agreed = forms.BooleanField(help_text="Tick it")
        colours = forms.MultipleChoiceField(
            choices=[("r", "Red"), ("g", "Green")], widget=forms.CheckboxSelectMultiple
        )
        size = forms.ChoiceField(choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect)
        on = forms.DateField(required=False)

    macro = engines["rows"].from_string(
        '{% from "core/field.html" import field_block %}{{ field_block(field) }}'
    )
    partial = engines["django"].get_template("cases/partials/field.html")

    def same(html: str) -> str:
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).replace("&#x27;", "&#39;").strip()

    for form in (Sample(), Sample(data={"text": "", "colours": ["x"], "size": "m", "on": "no"})):
        for field in form:
            with translation.override("ar"):
                assert same(macro.render({"field": field})) == same(
                    partial.render({"field": field})
                ), field.name


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_part_translates_its_words_in_the_language_active_when_it_is_written(
    language: str,
) -> None:
    context = {"start_text": "1 May", "end_text": "<b>31 May</b>"}
    with translation.override(language):
        html = render_part("monitoring/dashboard_period.html", context)
        expected = (
            translation.gettext("From %(start)s to %(end)s.")
            % {"start": "1 May", "end": "&lt;b&gt;31 May&lt;/b&gt;"},
            translation.gettext("Small numbers are hidden to protect survivors."),
        )
    assert all(sentence in html for sentence in expected)
    hidden = {"ar": "تُخفى الأعداد الصغيرة حمايةً للناجيات والناجين.", "en": "Small numbers are"}
    assert hidden[language] in html
