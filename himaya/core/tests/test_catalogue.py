"""The Arabic catalogues are complete: every app's messages are translated, none fuzzy."""

import re
from pathlib import Path

import polib
import pytest

HIMAYA = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(HIMAYA.glob("*/locale/ar/LC_MESSAGES/django.po"))


def test_every_app_with_translatable_text_has_an_arabic_catalogue() -> None:
    apps_with_text = {path.parent.name for path in HIMAYA.glob("*/apps.py")}
    apps_with_catalogue = {path.parents[3].name for path in CATALOGUES}
    assert apps_with_text == apps_with_catalogue


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parents[3].name)
def test_arabic_catalogue_has_no_untranslated_or_fuzzy_entry(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def _extracted_messages(app_dir: Path, workspace: Path) -> set[tuple[str, str]]:
    """The messages makemessages finds in a copy of the app today (msgctxt, msgid)."""
    import os
    import shutil

    from django.core.management import call_command

    copy = workspace / app_dir.name
    shutil.copytree(app_dir, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    here = Path.cwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["ar"], ignore_patterns=["tests/*"], verbosity=0)
    finally:
        os.chdir(here)
    fresh = polib.pofile(str(copy / "locale" / "ar" / "LC_MESSAGES" / "django.po"))
    return {(entry.msgctxt or "", entry.msgid) for entry in fresh if not entry.obsolete}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parents[3].name)
def test_arabic_catalogue_holds_every_message_of_its_app(path: Path, tmp_path: Path) -> None:
    committed = {
        (entry.msgctxt or "", entry.msgid)
        for entry in polib.pofile(str(path))
        if not entry.obsolete
    }
    missing = _extracted_messages(path.parents[3], tmp_path) - committed
    assert missing == set(), "run makemessages for this app and translate the new entries"


def test_a_message_reads_the_same_in_every_app() -> None:
    """Django merges the apps' catalogues into one, where the first app listed wins: a
    message translated two ways would show one app's words on another app's page. A
    message that must read differently takes a context (``pgettext``)."""
    seen: dict[tuple[str, str, str], dict[str, object]] = {}
    for path in CATALOGUES:
        app = path.parents[3].name
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            key = (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")
            text = (
                tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
            )
            seen.setdefault(key, {})[app] = text
    differing = {
        key[1]: sorted(by_app) for key, by_app in seen.items() if len(set(by_app.values())) > 1
    }
    assert differing == {}


# A word for survivors in the masculine only: a plural (ناجين، ناجون) not paired with the
# feminine plural, a singular (ناجٍ، الناجي، ناجيًا) with no feminine ending after a slash, or
# the construct plural (ناجي الجهة).
_LETTER = "\u0621-\u064a\u064b-\u0652"
_MASCULINE_ONLY = re.compile(
    rf"(?<![{_LETTER}])(?:و?(?:لل|ال|بال|ل)?)(?:ناجين|ناجون|ناجي|ناجٍ|ناجيًا)(?![{_LETTER}/])"
)
_INCLUSIVE_PAIR = re.compile(
    rf"(?:ال|لل)?ناجيات\s+و(?:ال|لل)?(?:ناجين|ناجون|ناجي)(?![{_LETTER}])"
    rf"|(?:ال|لل)?ناجية\s+أو\s+(?:ال|لل)?ناجي(?![{_LETTER}])"
    rf"|(?:ال|لل)?ناجي\s+أو\s+(?:ال|لل)?ناجية"
)


# Contexts of messages that name one survivor known to be a man or a boy, where the
# masculine is the form that fits the record.
SPEAKS_OF_A_MAN = {"a man or boy"}


def masculine_only_words(text: str) -> list[str]:
    """The masculine-only survivor words of an Arabic text, once inclusive pairs are set aside."""
    return _MASCULINE_ONLY.findall(_INCLUSIVE_PAIR.sub("", text))


def test_the_masculine_only_detector_reads_inclusive_forms_as_inclusive() -> None:
    assert masculine_only_words("تسجيل الناجين") == ["الناجين"]
    assert masculine_only_words("هوية الناجي.") == ["الناجي"]
    assert masculine_only_words("لا يوجد ناجٍ بهذا الرمز") == ["ناجٍ"]
    assert masculine_only_words("تسجيل الناجيات والناجين") == []
    assert masculine_only_words("هوية الناجي/ة") == []
    assert masculine_only_words("لا يوجد ناجٍ/ناجية بهذا الرمز") == []
    assert masculine_only_words("الناجية") == []
    assert masculine_only_words("أبلغ الناجية أو الناجي بما يلي") == []
    assert masculine_only_words("موافقة الناجي أو الناجية") == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parents[3].name)
def test_arabic_speaks_of_survivors_in_inclusive_forms(path: Path) -> None:
    offending = {}
    for entry in polib.pofile(str(path)):
        if entry.obsolete or entry.msgctxt in SPEAKS_OF_A_MAN:
            continue
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        words = [word for text in texts for word in masculine_only_words(text)]
        if words:
            offending[entry.msgid] = words
    assert offending == {}
