"""Stored blind indexes still match after the normalisation changed.

Indexes written before invisible characters were removed and digits of every script folded
are recomputed by the data migration (and by ``manage.py reindex_survivors``).
"""

import hashlib
import hmac
import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from himaya.survivors.indexes import (
    DOCUMENT,
    NAME,
    document_index,
    name_index,
    survivor_match_tokens,
)
from himaya.survivors.models import Survivor, SurvivorDocument, SurvivorMatchKey
from himaya.survivors.selectors import possible_duplicates, search_survivors
from himaya.survivors.tests.factories import SurvivorDocumentFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


def index_as_before(normalised: str, purpose: str) -> str:
    """An index as the previous normalisation stored it, from its normalised text."""
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{purpose}\x1f{normalised}".encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def stored_before(case_worker, agency_a):
    """Rows whose indexes the previous normalisation computed differently."""
    survivor = SurvivorFactory(
        name_ar="فاط\u200bمة أحمد",  # the zero-width space used to split the word
        name_latin="Salma Omar",  # unchanged by the new normalisation
        birth_year=1999,
        registered_by_agency=agency_a,
        registered_by=case_worker,
    )
    unchanged_latin = survivor.name_latin_index
    Survivor.objects.filter(pk=survivor.pk).update(
        name_ar_index=index_as_before("فاط مه احمد", NAME)
    )
    document = SurvivorDocumentFactory(survivor=survivor, number="A-١٢٣٤٥")
    # Arabic-Indic digits used to be kept as they were.
    SurvivorDocument.objects.filter(pk=document.pk).update(
        number_index=index_as_before("a١٢٣٤٥", DOCUMENT)
    )
    return survivor, document, unchanged_latin


def migration_step():
    module = importlib.import_module(
        "himaya.survivors.migrations.0004_fill_normalised_blind_indexes"
    )
    return module.fill_normalised_blind_indexes


def test_before_the_migration_old_indexes_no_longer_match(case_worker, stored_before) -> None:
    assert list(search_survivors(case_worker, "A12345")) == []
    assert (
        possible_duplicates(
            name_indexes={name_index("فاطمة أحمد")}, birth_year=1999, document_indexes=set()
        )
        == []
    )


def test_the_migration_recomputes_the_indexes_that_changed_and_nothing_else(
    case_worker, stored_before
) -> None:
    survivor, document, unchanged_latin = stored_before
    untouched = SurvivorFactory(name_ar="نور علي", registered_by=case_worker)
    untouched_index = untouched.name_ar_index
    migration_step()(apps, None)
    survivor.refresh_from_db()
    document.refresh_from_db()
    untouched.refresh_from_db()
    assert survivor.name_ar_index == name_index("فاطمة أحمد")
    assert survivor.name_latin_index == unchanged_latin
    assert document.number_index == document_index("A12345")
    assert untouched.name_ar_index == untouched_index
    # A recomputed index is not an edit: the versions stay.
    assert (survivor.version, document.version) == (1, 1)
    assert list(search_survivors(case_worker, "A ١٢٣٤٥")) == [survivor]
    assert list(search_survivors(case_worker, "A12345")) == [survivor]
    assert list(search_survivors(case_worker, "فاطمة أحمد")) == [survivor]
    assert possible_duplicates(
        name_indexes={name_index("فاطمة\u200c أحمد")}, birth_year=1999, document_indexes=set()
    ) == [survivor]


def test_the_command_reports_what_it_recomputed_and_a_second_run_changes_nothing(
    stored_before,
) -> None:
    out = StringIO()
    call_command("reindex_survivors", stdout=out)
    assert out.getvalue().splitlines()[0] == "1 survivors and 1 documents re-indexed"
    out = StringIO()
    call_command("reindex_survivors", stdout=out)
    assert out.getvalue().splitlines()[0] == "0 survivors and 0 documents re-indexed"


def test_the_command_writes_the_blocking_keys_afresh_under_the_current_key(case_worker) -> None:
    survivor = SurvivorFactory(
        name_ar="فاطمة أحمد علي", name_latin="", birth_year=1999, registered_by=case_worker
    )
    SurvivorMatchKey.objects.create(survivor=survivor, key="0" * 32)  # keyed under an old key
    out = StringIO()
    call_command("reindex_survivors", stdout=out)
    stored = set(SurvivorMatchKey.objects.filter(survivor=survivor).values_list("key", flat=True))
    assert stored == survivor_match_tokens(survivor, [])
    assert "0" * 32 not in stored
    assert out.getvalue().splitlines()[-1] == f"{len(stored)} blocking keys written"


def test_a_name_with_nothing_left_once_normalised_loses_its_index(case_worker) -> None:
    survivor = SurvivorFactory(name_ar="", name_latin="Real Name", registered_by=case_worker)
    Survivor.objects.filter(pk=survivor.pk).update(
        name_ar="\u200b", name_ar_index=index_as_before("", NAME)
    )
    call_command("reindex_survivors", stdout=StringIO())
    survivor.refresh_from_db()
    assert survivor.name_ar_index == ""
