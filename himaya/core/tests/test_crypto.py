import sys
import unicodedata

import pytest
from django.db import connection
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from himaya.core import crypto
from himaya.core.crypto import DecryptionError, blind_index, normalise
from himaya.survivors.models import Survivor

pytestmark = pytest.mark.django_db

NEW_KEY = "zYJf0u7Hk6oVHj2M1X3wq5m9pU4r8sT7yB2nC6dE1aQ="


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def survivor(case_worker):
    agency = case_worker.memberships.get().agency
    return Survivor.objects.create(
        name_ar="فاطمة أحمد",
        phone="+20 100 123 4567",
        registered_by_agency=agency,
        registered_by=case_worker,
    )


def test_the_database_column_holds_ciphertext_not_the_value(survivor) -> None:
    stored = _raw("survivors_survivor", "name_ar", survivor.pk)
    assert "فاطمة" not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert Survivor.objects.get(pk=survivor.pk).name_ar == "فاطمة أحمد"


def test_two_encryptions_of_one_value_differ() -> None:
    assert crypto.encrypt("same") != crypto.encrypt("same")


def test_rotation_keeps_values_readable_and_moves_them_to_the_new_key(survivor, settings) -> None:
    from django.core.management import call_command

    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, *old_keys]):
        call_command("rotate_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert Survivor.objects.get(pk=survivor.pk).phone == "+20 100 123 4567"
    # Only the new key is now needed: the old ones can be dropped.
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert Survivor.objects.get(pk=survivor.pk).name_ar == "فاطمة أحمد"


def test_a_wrong_key_fails_loudly(survivor) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(DecryptionError):
        Survivor.objects.get(pk=survivor.pk)


def test_encrypted_fields_refuse_lookups_that_would_compare_ciphertext() -> None:
    with pytest.raises(TypeError, match="blind index"):
        Survivor.objects.filter(name_ar="فاطمة أحمد").count()


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("فاطمة أحمد", "فاطمه احمد"),
        ("إيمان", "ايمان"),
        ("مُحَمَّد", "محمد"),
        ("مصطفى", "مصطفي"),
        ("  Fatma   AHMED ", "fatma ahmed"),
        ("A-123/45", "a 123 45"),
    ],
)
def test_spelling_variants_share_one_blind_index(one: str, other: str) -> None:
    assert normalise(one) == normalise(other)
    assert blind_index(one, purpose="name") == blind_index(other, purpose="name")


def test_word_order_and_purpose_change_the_blind_index() -> None:
    assert blind_index("محمد فاطمة", purpose="name") != blind_index("فاطمة محمد", purpose="name")
    assert blind_index("123", purpose="name") != blind_index("123", purpose="document")


def test_the_blind_index_depends_on_its_own_key() -> None:
    before = blind_index("فاطمة", purpose="name")
    with override_settings(BLIND_INDEX_KEY="another-key"):
        assert blind_index("فاطمة", purpose="name") != before


# Every invisible format character named by the normalisation rule, plus the soft hyphen.
INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",  # embeddings and overrides
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",  # isolates
    "\u00ad",  # soft hyphen
]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("A١٢٣٤٥٦٧", "A1234567"),  # Arabic-Indic digits
        ("A۱۲۳۴۵۶۷", "A1234567"),  # Persian digits
        ("A١٢٣۴۵۶٧", "a1234567"),  # both, mixed
        ("A１２３", "A123"),  # full-width digits
        ("فاط\u200bمة أحمد", "فاطمة أحمد"),
        ("Fat\u200dma\u2060 Ahmed", "Fatma Ahmed"),
        ("\u202bفاطمة\u202c", "فاطمة"),
        ("\u2067Fatma\u2069 \u200eAhmed\u200f", "Fatma Ahmed"),
        ("\ufeffA\u200c123", "A123"),
    ],
)
def test_digits_of_every_script_and_invisible_characters_do_not_change_the_blind_index(
    one: str, other: str
) -> None:
    assert normalise(one) == normalise(other)
    assert blind_index(one, purpose="document") == blind_index(other, purpose="document")


@pytest.mark.parametrize("invisible", INVISIBLE)
def test_each_invisible_character_is_a_unicode_format_character_and_is_removed(
    invisible: str,
) -> None:
    assert unicodedata.category(invisible) == "Cf"
    assert crypto.strip_invisible(f"فا{invisible}طمة") == "فاطمة"
    assert normalise(f"فا{invisible}طمة") == normalise("فاطمة")
    assert normalise(invisible * 3) == ""


def test_every_unicode_decimal_digit_normalises_to_its_ascii_digit() -> None:
    digits = [
        chr(point)
        for point in range(sys.maxunicode + 1)
        if unicodedata.category(chr(point)) == "Nd"
    ]
    assert len(digits) > 600  # every script's digits, not only Arabic-Indic and Persian
    wrong = [ch for ch in digits if normalise(ch) != str(unicodedata.digit(ch))]
    assert wrong == []


@given(
    text=st.text(max_size=30),
    inserted=st.lists(
        st.tuples(st.integers(min_value=0, max_value=30), st.sampled_from(INVISIBLE)),
        max_size=5,
    ),
)
def test_inserting_invisible_characters_anywhere_changes_nothing(
    text: str, inserted: list[tuple[int, str]]
) -> None:
    text = crypto.strip_invisible(text)
    spoiled = text
    for position, invisible in inserted:
        spoiled = spoiled[:position] + invisible + spoiled[position:]
    assert normalise(spoiled) == normalise(text)


def test_ascii_digits_keeps_everything_that_is_not_a_digit() -> None:
    assert crypto.ascii_digits("رقم ٤٥ و۶ · A9") == "رقم 45 و6 · A9"
