"""Anchors: signed checkpoints of the chain head, kept outside the database."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from himaya.audit.actions import record_event
from himaya.audit.anchors import read_anchors
from himaya.audit.models import AuditEvent, ChainHead
from himaya.audit.rules import HASHED_FIELDS, anchor_mac, event_hash

pytestmark = pytest.mark.django_db

KEY = settings.AUDIT_KEY.encode()


def _events(count: int) -> list[AuditEvent]:
    return [
        record_event(action="test.event", actor_username="system", object_code=f"SV-{n}")
        for n in range(count)
    ]


def _sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _rewind_to(sequence: int) -> None:
    """Delete the events after ``sequence`` and move the head back onto it: a valid prefix."""
    _sql("DELETE FROM audit_auditevent WHERE sequence > %s", [sequence])
    kept = AuditEvent.objects.get(sequence=sequence).hash
    _sql("UPDATE audit_chainhead SET sequence = %s, hash = %s WHERE id = 1", [sequence, kept])


def test_anchor_audit_appends_a_signed_checkpoint_of_the_head(anchor_file: Path, capsys) -> None:
    events = _events(3)
    call_command("anchor_audit")
    assert capsys.readouterr().out.strip() == f"audit chain anchored at event #3 in {anchor_file}"
    [line] = anchor_file.read_text().splitlines()
    anchor = json.loads(line)
    assert (anchor["sequence"], anchor["hash"]) == (3, events[-1].hash)
    assert anchor["mac"] == anchor_mac(
        sequence=3, hash=events[-1].hash, anchored_at=anchor["anchored_at"], key=KEY
    )


def test_anchors_accumulate_and_verify_audit_checks_each(anchor_file: Path, capsys) -> None:
    _events(2)
    call_command("anchor_audit")
    _events(3)
    call_command("anchor_audit")
    assert [a.sequence for a in read_anchors()] == [2, 5]
    capsys.readouterr()
    call_command("verify_audit")
    assert capsys.readouterr().out.strip() == "audit chain intact: 5 events, 2 anchors"


def test_a_rewind_is_invisible_without_anchors_and_named_with_one(anchor_file: Path) -> None:
    _events(5)
    call_command("anchor_audit")
    _rewind_to(3)
    anchor_file.rename(anchor_file.with_suffix(".aside"))
    call_command("verify_audit")  # a rewound chain is a valid prefix: only anchors tell
    anchor_file.with_suffix(".aside").rename(anchor_file)
    with pytest.raises(
        CommandError,
        match=r"broken at event #5: chain head rewound to #3, before this anchored event",
    ):
        call_command("verify_audit")


def test_a_rewritten_and_rewound_chain_behind_an_anchor_is_named(anchor_file: Path) -> None:
    _events(5)
    call_command("anchor_audit")
    rows = list(AuditEvent.objects.order_by("sequence").values())
    rows[3]["purpose"] = "forged"
    rows[3]["hash"] = event_hash(rows[3], key=b"the attacker's key")
    _sql(
        "UPDATE audit_auditevent SET purpose = %s, hash = %s WHERE sequence = 4",
        ["forged", rows[3]["hash"]],
    )
    _sql("DELETE FROM audit_auditevent WHERE sequence = 5", [])
    _sql("UPDATE audit_chainhead SET sequence = 4, hash = %s WHERE id = 1", [rows[3]["hash"]])
    with pytest.raises(CommandError, match=r"broken at event #4: content changed"):
        call_command("verify_audit")


def test_an_anchored_link_replaced_even_with_the_key_is_named(anchor_file: Path) -> None:
    """A chain rebuilt with the key after an anchor (a restored or swapped database)."""
    _events(5)
    call_command("anchor_audit")
    last = AuditEvent.objects.filter(sequence=5).values().get()
    last["purpose"] = "rebuilt"
    rebuilt = event_hash({name: last[name] for name in HASHED_FIELDS}, key=KEY)
    _sql(
        "UPDATE audit_auditevent SET purpose = %s, hash = %s WHERE sequence = 5",
        ["rebuilt", rebuilt],
    )
    _sql("UPDATE audit_chainhead SET hash = %s WHERE id = 1", [rebuilt])
    with pytest.raises(CommandError, match=r"broken at event #5: does not match its anchor"):
        call_command("verify_audit")
    with pytest.raises(CommandError, match=r"#5: does not match its anchor; nothing anchored"):
        call_command("anchor_audit")
    assert len(read_anchors()) == 1


def test_a_forged_anchor_line_is_refused(anchor_file: Path) -> None:
    _events(2)
    call_command("anchor_audit")
    anchor = json.loads(anchor_file.read_text())
    anchor["sequence"] = 1
    anchor_file.write_text(json.dumps(anchor) + "\n")
    with pytest.raises(CommandError, match=r"anchor line 1 of .* is not signed by the audit key"):
        call_command("verify_audit")
    with pytest.raises(CommandError, match=r"anchor line 1 .* not signed"):
        call_command("anchor_audit")
    assert anchor_file.read_text() == json.dumps(anchor) + "\n"


def test_a_broken_chain_is_never_anchored(anchor_file: Path) -> None:
    _events(3)
    call_command("anchor_audit")
    _events(2)
    _sql("UPDATE audit_auditevent SET purpose = %s WHERE sequence = 4", ["changed"])
    with pytest.raises(CommandError, match=r"broken at event #4: content changed; nothing"):
        call_command("anchor_audit")
    assert [a.sequence for a in read_anchors()] == [3]


def test_anchor_audit_refuses_a_chain_rewound_behind_its_last_anchor(anchor_file: Path) -> None:
    _events(4)
    call_command("anchor_audit")
    _rewind_to(2)
    with pytest.raises(CommandError, match=r"#4: chain head rewound to #2"):
        call_command("anchor_audit")
    assert [a.sequence for a in read_anchors()] == [4]
    assert ChainHead.objects.get().sequence == 2


def test_an_empty_chain_is_not_anchored(anchor_file: Path, capsys) -> None:
    call_command("anchor_audit")
    assert capsys.readouterr().out.strip() == "audit chain empty: nothing anchored"
    assert not anchor_file.exists()


def test_verify_audit_says_when_there_are_no_anchors(anchor_file: Path, capsys) -> None:
    _events(1)
    call_command("verify_audit")
    captured = capsys.readouterr()
    assert captured.out.strip() == "audit chain intact: 1 events, 0 anchors"
    assert f"no anchors in {anchor_file}" in captured.err
