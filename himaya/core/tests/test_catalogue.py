"""The Arabic catalogues are complete: every app's messages are translated, none fuzzy."""

from pathlib import Path

import polib
import pytest

HIMAYA = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(HIMAYA.glob("*/locale/ar/LC_MESSAGES/django.po"))


def test_every_app_with_translatable_text_has_an_arabic_catalogue() -> None:
    apps_with_text = {
        path.parent.name
        for path in HIMAYA.glob("*/apps.py")
    }
    apps_with_catalogue = {path.parents[3].name for path in CATALOGUES}
    assert apps_with_text == apps_with_catalogue


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parents[3].name)
def test_arabic_catalogue_has_no_untranslated_or_fuzzy_entry(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
