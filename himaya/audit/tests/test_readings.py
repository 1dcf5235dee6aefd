"""Readings: events that record what was shown, appended without waiting for the disk."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from himaya.audit.actions import flush_chain, record_event, record_reading
from himaya.audit.anchors import append_anchor, read_anchors
from himaya.audit.management.commands import anchor_audit
from himaya.audit.models import AuditEvent, ChainHead
from himaya.audit.rules import Anchor
from himaya.audit.selectors import verify_chain
from himaya.audit.tests.queries import AUDIT_ROW_QUERIES

ASYNC = "set_config('synchronous_commit', 'off', true)"
ON_POSTGRESQL = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")


def _statements(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries]


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.postgres
@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_reading_on_its_own_commits_without_waiting_for_the_disk_and_keeps_the_chain(
    case_worker,
) -> None:
    record_event(action="test.event", actor=case_worker, object_code="SV-1")
    with CaptureQueriesContext(connection) as captured:
        reading = record_reading(
            action="survivor.search", actor=case_worker, object_type="survivors.survivor"
        )
    [lock] = [sql for sql in _statements(captured) if ASYNC in sql]
    assert lock.startswith("SELECT") and lock.endswith("FOR NO KEY UPDATE")
    assert not connection.in_atomic_block
    assert _synchronous_commit() == "on"  # the setting ended with its transaction
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", "action")) == [
        (1, "test.event"),
        (2, "survivor.search"),
    ]
    assert reading.sequence == 2
    assert ChainHead.objects.get().hash == reading.hash
    assert verify_chain().broken is None


@pytest.mark.django_db
def test_a_reading_inside_a_write_belongs_to_that_write_and_is_as_durable(case_worker) -> None:
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        record_event(action="test.event", actor=case_worker, object_code="SV-1")
        record_reading(action="survivor.search", actor=case_worker)
    assert not [sql for sql in _statements(captured) if ASYNC in sql]
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "test.event",
        "survivor.search",
    ]
    assert verify_chain().broken is None


@pytest.mark.django_db
def test_a_reading_inside_a_write_that_fails_is_rolled_back_with_it(case_worker) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record_reading(action="survivor.search", actor=case_worker)
        raise RuntimeError("the write failed")
    assert AuditEvent.objects.count() == 0
    assert not ChainHead.objects.filter(sequence__gt=0).exists()


@pytest.mark.django_db(transaction=True)
def test_flushing_the_chain_leaves_its_head_and_every_event_as_they_were(case_worker) -> None:
    for n in range(3):
        record_reading(action="survivor.search", actor=case_worker, details={"n": n})
    before = ChainHead.objects.values_list("sequence", "hash").get()
    events = list(AuditEvent.objects.order_by("sequence").values_list("sequence", "hash"))
    with CaptureQueriesContext(connection) as captured:
        flush_chain()
    assert ChainHead.objects.values_list("sequence", "hash").get() == before
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", "hash")) == events
    assert any("audit_chainhead" in sql for sql in _statements(captured))
    if connection.vendor == "postgresql":
        assert "SET LOCAL synchronous_commit TO ON" in _statements(captured)
    assert verify_chain().broken is None


@pytest.mark.django_db(transaction=True)
def test_an_anchor_is_written_after_the_chain_is_flushed(
    case_worker, anchor_file: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_reading(action="survivor.search", actor=case_worker)
    steps: list[str] = []

    def flushed() -> None:
        with CaptureQueriesContext(connection) as captured:
            flush_chain()
        updates = [sql for sql in _statements(captured) if sql.startswith("UPDATE")]
        assert len(updates) == 1 and "audit_chainhead" in updates[0]
        steps.append("flushed")

    def appended(anchor: Anchor) -> Path:
        steps.append("anchored")
        return append_anchor(anchor)

    monkeypatch.setattr(anchor_audit, "flush_chain", flushed)
    monkeypatch.setattr(anchor_audit, "append_anchor", appended)
    call_command("anchor_audit")
    assert steps == ["flushed", "anchored"]
    [anchor] = read_anchors(anchor_file)
    assert (anchor.sequence, anchor.hash) == ChainHead.objects.values_list("sequence", "hash").get()
    assert "anchored at event #1" in capsys.readouterr().out


@pytest.mark.django_db
def test_an_audit_row_inside_a_write_costs_the_queries_the_page_counts_assume(
    case_worker,
) -> None:
    record_event(action="survivor.identity_listed", actor=case_worker)  # the chain started
    # Readings move no indicator, so no day is marked for computing again beside them.
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        record_event(action="survivor.identity_listed", actor=case_worker)
        record_reading(action="survivor.search", actor=case_worker)
    assert len(captured.captured_queries) == 2 * AUDIT_ROW_QUERIES


@pytest.mark.postgres
@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_the_chains_statements_are_prepared_once_per_connection_and_keep_the_chain(
    case_worker,
) -> None:
    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    record_event(action="test.event", actor=case_worker, object_code="SV-1")
    for number in range(3):
        record_reading(action="survivor.search", actor=case_worker, details={"n": number})
        with transaction.atomic():
            record_event(action="test.event", actor=case_worker, object_code=f"SV-{number}")
    statements = prepared()
    locks = [sql for sql in statements if '"audit_chainhead"' in sql and "FOR NO KEY UPDATE" in sql]
    appends = [sql for sql in statements if sql.startswith("WITH moved AS")]
    assert len(locks) == 2  # a write's lock and a reading's, each prepared once
    assert len(appends) == 1  # the same insert for every event
    assert AuditEvent.objects.count() == 7
    assert AuditEvent.objects.get(sequence=2).details == {"n": 0}
    assert verify_chain().broken is None
