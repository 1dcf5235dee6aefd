"""The one way to write to the audit trail."""

from functools import lru_cache
from typing import Any, NamedTuple, Required, TypedDict, Unpack

from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from himaya.audit.anchors import audit_key
from himaya.audit.models import AuditEvent, ChainHead
from himaya.audit.rules import HASHED_FIELDS, event_hash, genesis_hash
from himaya.core import changes, context
from himaya.core.prepared import server_cursor

# The columns an event is written with, in the order of ``_statements``' placeholders: the
# hashed ones, then the hash.
EVENT_FIELDS = (*HASHED_FIELDS, "hash")


class Event(TypedDict, total=False):
    """What an event says. ``obj`` names the record by its public ``code`` (never by a
    name); ``details`` must hold no personal data."""

    action: Required[str]
    actor: Any
    obj: models.Model | None
    object_type: str
    object_code: str
    purpose: str
    request: HttpRequest | None
    details: dict[str, Any] | None
    actor_username: str


@lru_cache(maxsize=1)
def _event_fields() -> tuple["models.Field[Any, Any]", ...]:
    fields = tuple(AuditEvent._meta.get_field(name) for name in EVENT_FIELDS)
    assert all(isinstance(field, models.Field) for field in fields)
    return fields  # type: ignore[return-value]  # checked just above


def client_address(request: HttpRequest | None) -> str | None:
    """The address of the request (given, or the one being served), if any."""
    if request is None:
        return context.client_address()
    return request.META.get("REMOTE_ADDR") or None


class _Statements(NamedTuple):
    lock: str  # the head, locked until the commit
    lock_reading: str  # the same, and the commit of this transaction not waiting for the disk
    start: str  # the head of an empty chain
    insert: str  # the event (SQLite: its id is the cursor's last row id)
    move: str  # the head onto the event (on PostgreSQL: with the event, returning its id)


@lru_cache(maxsize=4)
def _statements(vendor: str) -> _Statements:
    """The SQL of an append, composed once per database kind.

    On PostgreSQL the event and the head are written by one statement (the head's update
    in a ``WITH`` part of the insert), and a reading's setting travels with the lock: an
    append is two round trips besides its transaction's. The key never reaches the
    database: each hash is made here.
    """
    # Only the models' own identifiers, quoted, are put into the text; values are parameters.
    quote = connection.ops.quote_name
    names = {
        "head": quote(ChainHead._meta.db_table),
        "events": quote(AuditEvent._meta.db_table),
        "columns": ", ".join(quote(field.column) for field in _event_fields()),
        "values": ", ".join(["%s"] * len(EVENT_FIELDS)),
        "row": f"{quote('sequence')}, {quote('hash')}",
        "sequence": quote("sequence"),
        "hash": quote("hash"),
    }
    start = "INSERT INTO {head} (id, {row}) VALUES (1, 0, %s) ON CONFLICT DO NOTHING"
    move = "UPDATE {head} SET {sequence} = %s, {hash} = %s WHERE id = 1"
    insert = "INSERT INTO {events} ({columns}) VALUES ({values})"
    lock = "SELECT {row} FROM {head} WHERE id = 1"
    if vendor != "postgresql":  # SQLite: one writer at a time holds the whole database
        statements = _Statements(lock, lock, start, insert, move)
    else:
        statements = _Statements(
            lock=lock + " FOR NO KEY UPDATE",
            lock_reading=(
                "SELECT {row}, set_config('synchronous_commit', 'off', true) "
                "FROM {head} WHERE id = 1 FOR NO KEY UPDATE"
            ),
            start=start,
            insert=insert,
            move=f"WITH moved AS ({move}) {insert} RETURNING id",
        )
    return _Statements(*(sql.format(**names) for sql in statements))


def _lock_head(cursor: Any, sql: _Statements, *, reading: bool) -> tuple[int, str]:
    lock = sql.lock_reading if reading else sql.lock
    cursor.execute(lock)
    row = cursor.fetchone()
    if row is None:  # the first event ever: the head starts at the keyed genesis value
        cursor.execute(sql.start, [genesis_hash(audit_key())])
        cursor.execute(lock)
        row = cursor.fetchone()
    return int(row[0]), str(row[1])


def _append(fields: dict[str, Any], *, reading: bool = False) -> AuditEvent:
    """Lock the chain's head, write the event linked to it and move the head onto it."""
    sql = _statements(connection.vendor)
    # The statements are the same for every event: on PostgreSQL they are prepared
    # statements of the connection, parsed and planned on their first run only.
    with server_cursor(connection) as cursor:
        sequence, previous = _lock_head(cursor, sql, reading=reading)
        fields["sequence"] = sequence + 1
        fields["previous_hash"] = previous
        fields["hash"] = event_hash(fields, key=audit_key())
        params = [
            field.get_db_prep_save(fields[field.attname], connection) for field in _event_fields()
        ]
        moved = [fields["sequence"], fields["hash"]]
        if connection.vendor == "postgresql":
            cursor.execute(sql.move, [*moved, *params])
            event_id = cursor.fetchone()[0]
        else:
            cursor.execute(sql.insert, params)
            event_id = cursor.lastrowid
            cursor.execute(sql.move, moved)
    event = AuditEvent(id=event_id, **fields)
    event._state.adding = False
    event._state.db = connection.alias
    changes.records_changed(action=fields["action"], day=timezone.localdate())
    return event


def _fields(event: Event) -> dict[str, Any]:
    actor, obj = event.get("actor"), event.get("obj")
    object_type, object_code = event.get("object_type", ""), event.get("object_code", "")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_code = object_code or str(getattr(obj, "code", "") or obj.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return {
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": (
            actor.get_username() if actor is not None else event.get("actor_username", "")
        ),
        "action": event["action"],
        "object_type": object_type,
        "object_code": object_code,
        "purpose": event.get("purpose", ""),
        "ip_address": client_address(event.get("request")),
        "details": event.get("details") or {},
    }


@transaction.atomic(savepoint=False)  # a part of the caller's write: no savepoint of its own
def record_event(**event: Unpack[Event]) -> AuditEvent:
    """Append one event. Call it inside the transaction of the write it records."""
    return _append(_fields(event))


def record_reading(**event: Unpack[Event]) -> AuditEvent:
    """Append one event that records a reading (a list, a search or a record shown), in a
    transaction of its own whose commit does not wait for the disk on PostgreSQL.

    A reading changes no data, and its event is appended while the chain's head is locked:
    a durable commit would hold that lock through a flush of the write-ahead log, one
    reader after another. With ``synchronous_commit`` off for this transaction alone the
    commit is still atomic and ordered in the log, and the writer flushes it within a
    fraction of a second; only a crash of the database server inside that moment loses
    the last readings, never a link in the middle of the chain (every durable commit after
    them flushes them too). Inside another transaction (a write that also reads), the
    event is part of that transaction and as durable as it.
    """
    if connection.in_atomic_block:
        return record_event(**event)
    with transaction.atomic():
        return _append(_fields(event), reading=True)


def flush_chain() -> None:
    """Make every committed event durable before the head is trusted outside the database.

    A transaction with a durable commit that moves the head (to itself) is written to the
    log after every event committed before it, and its flush carries them all to disk.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO ON")
        ChainHead.objects.filter(id=1).update(sequence=models.F("sequence"))
