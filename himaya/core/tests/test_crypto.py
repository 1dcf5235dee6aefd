import pytest
from django.db import connection
from django.test import override_settings

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
