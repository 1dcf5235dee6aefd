"""Encrypted, checksummed backups: a SQLite database backed up and restored comes back whole;
a damaged, altered or foreign backup is refused before anything is restored."""

import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from himaya.integrity import backup
from himaya.integrity.backup import BackupError, decrypt_stream, encrypt_stream

KEY = Fernet.generate_key()


def sample_database(path: Path, rows: int = 3) -> dict[str, Any]:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT)")
        db.executemany(
            "INSERT INTO person (name) VALUES (?)", [(f"ناجية {n}",) for n in range(rows)]
        )
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def names(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT name FROM person ORDER BY id")]


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    config = sample_database(tmp_path / "source.sqlite3")
    monkeypatch.setattr(
        backup, "connections", {"default": type("C", (), {"settings_dict": config})}
    )
    return config


def test_a_backup_restores_into_a_fresh_database_whole(
    source: dict[str, Any], tmp_path: Path
) -> None:
    taken = backup.take_backup(directory=tmp_path / "backups", keep=3)
    assert taken.engine == "sqlite"
    assert taken.checksum_path.read_text() == f"{taken.sha256}  {taken.path.name}\n"
    assert "ناجية".encode() not in taken.path.read_bytes()  # encrypted, not readable
    target = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.sqlite3")}
    header = backup.restore_backup(taken.path, target=target)
    assert header["engine"] == "sqlite"
    assert names(tmp_path / "restored.sqlite3") == ["ناجية 0", "ناجية 1", "ناجية 2"]


def test_only_the_newest_backups_are_kept(source: dict[str, Any], tmp_path: Path) -> None:
    taken = [backup.take_backup(directory=tmp_path / "b", keep=2) for _ in range(3)]
    assert backup.backups_in(tmp_path / "b") == [taken[1].path, taken[2].path]
    assert not taken[0].checksum_path.exists()


def test_a_backup_altered_after_it_was_taken_is_refused_before_restoring(
    source: dict[str, Any], tmp_path: Path
) -> None:
    taken = backup.take_backup(directory=tmp_path / "b", keep=1)
    data = bytearray(taken.path.read_bytes())
    data[100] ^= 1
    taken.path.write_bytes(bytes(data))
    target = sample_database(tmp_path / "target.sqlite3", rows=1)
    with pytest.raises(BackupError, match="does not match its checksum"):
        backup.restore_backup(taken.path, target=target)
    assert names(tmp_path / "target.sqlite3") == ["ناجية 0"]


def test_a_backup_without_its_checksum_is_refused(source: dict[str, Any], tmp_path: Path) -> None:
    taken = backup.take_backup(directory=tmp_path / "b", keep=1)
    taken.checksum_path.unlink()
    with pytest.raises(BackupError, match="no checksum"):
        backup.restore_backup(taken.path, target={**source, "NAME": str(tmp_path / "t.sqlite3")})


def test_a_backup_under_another_key_is_refused(
    source: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    taken = backup.take_backup(directory=tmp_path / "b", keep=1)
    settings.BACKUP_KEY = Fernet.generate_key().decode()
    with pytest.raises(BackupError, match="does not open"):
        backup.restore_backup(taken.path, target={**source, "NAME": str(tmp_path / "t.sqlite3")})


def test_the_backup_key_is_required_and_is_not_a_field_key(settings: Any) -> None:
    settings.BACKUP_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="must be set"):
        backup.backup_fernet()
    settings.BACKUP_KEY = settings.FIELD_ENCRYPTION_KEYS[0]
    with pytest.raises(ImproperlyConfigured, match="not be one of"):
        backup.backup_fernet()


def encrypted(content: bytes) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(content), out, header={"engine": "sqlite"}, fernet=Fernet(KEY))
    return out.getvalue()


def test_the_stream_is_encrypted_in_chunks_and_read_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup, "CHUNK", 10)
    content = bytes(range(256)) * 3
    header, chunks = decrypt_stream(io.BytesIO(encrypted(content)), fernet=Fernet(KEY))
    assert header == {"engine": "sqlite"}
    assert b"".join(chunks) == content


def test_a_stream_cut_after_a_whole_chunk_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup, "CHUNK", 10)
    data = encrypted(b"x" * 35)
    # Drop the last frame: every frame left is whole and genuine.
    frames = []
    stream = io.BytesIO(data[len(backup.MAGIC) :])
    while size := stream.read(8):
        frames.append(size + stream.read(int.from_bytes(size, "big")))
    cut = backup.MAGIC + b"".join(frames[:-1])
    _header, chunks = decrypt_stream(io.BytesIO(cut), fernet=Fernet(KEY))
    with pytest.raises(BackupError, match="cut off"):
        b"".join(chunks)


def test_the_commands_back_up_and_restore(source: dict[str, Any], tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("backup", dir=tmp_path / "b", keep=2, stdout=out)
    path = Path(out.getvalue().split()[0])
    restored = tmp_path / "r.sqlite3"
    call_command("restore", str(path), target=f"sqlite:///{restored}", stdout=io.StringIO())
    assert names(restored) == ["ناجية 0", "ناجية 1", "ناجية 2"]
    path.write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(path), target=f"sqlite:///{restored}")
