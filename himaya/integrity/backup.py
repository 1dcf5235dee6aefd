"""Encrypted, checksummed backups of the database, and their restore.

A backup is the database's own dump — SQLite's online backup (``sqlite3`` backup API),
PostgreSQL's custom format (``pg_dump -Fc``) — encrypted as it is written, in chunks,
with ``settings.BACKUP_KEY`` (Fernet: AES-128-CBC and HMAC-SHA256), a key of its own that
is none of the field keys. The file is::

    MAGIC, then frames of (8-byte big-endian length, Fernet token)

The first frame holds a JSON header (format, engine, time); each plaintext is prefixed by
its frame number and a last-frame flag, so frames cannot be reordered, dropped or cut off
unnoticed. A ``<name>.sha256`` file beside it (``sha256sum`` format) is checked before
anything is restored. The newest ``settings.BACKUP_KEEP`` backups are kept.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # pg_dump and pg_restore run without a shell, fixed arguments  # nosec B404
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.utils import timezone

MAGIC = b"HIMAYA-BACKUP-1\n"
CHUNK = 1024 * 1024
SUFFIX = ".hbk"
PREFIX = "himaya-"
SQLITE, POSTGRESQL = "sqlite", "postgresql"


class BackupError(Exception):
    """A backup cannot be taken, trusted or restored."""


@dataclass(frozen=True)
class Backup:
    path: Path
    checksum_path: Path
    sha256: str
    engine: str


def backup_fernet(key: str | None = None) -> Fernet:
    key = key if key is not None else str(settings.BACKUP_KEY)
    if not key:
        raise ImproperlyConfigured("HIMAYA_BACKUP_KEY must be set to take or restore a backup")
    if key in set(settings.FIELD_ENCRYPTION_KEYS):
        raise ImproperlyConfigured("HIMAYA_BACKUP_KEY must not be one of HIMAYA_FIELD_KEYS")
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured("HIMAYA_BACKUP_KEY must be a Fernet key") from exc


def engine_of(config: dict[str, Any]) -> str:
    engine = str(config["ENGINE"])
    if engine.endswith("sqlite3"):
        return SQLITE
    if "postgresql" in engine:
        return POSTGRESQL
    raise BackupError(f"no backup for the database engine {engine}")


# --- the encrypted stream -------------------------------------------------------------


def _frame(fernet: Fernet, number: int, last: bool, data: bytes) -> bytes:
    token = fernet.encrypt(number.to_bytes(8, "big") + (b"\x01" if last else b"\x00") + data)
    return len(token).to_bytes(8, "big") + token


def encrypt_stream(
    source: IO[bytes], target: IO[bytes], *, header: dict[str, Any], fernet: Fernet
) -> None:
    """Encrypt ``source`` into ``target`` chunk by chunk (never the whole in memory)."""
    target.write(MAGIC)
    target.write(_frame(fernet, 0, False, json.dumps(header).encode("utf-8")))
    number = 1
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        target.write(_frame(fernet, number, last, chunk))
        if last:
            return
        number, chunk = number + 1, following


def _frames(source: BinaryIO) -> Iterator[bytes]:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("not a Himaya backup")
    while True:
        size = source.read(8)
        if not size:
            return
        if len(size) != 8:
            raise BackupError("the backup is cut off")
        token = source.read(int.from_bytes(size, "big"))
        if len(token) != int.from_bytes(size, "big"):
            raise BackupError("the backup is cut off")
        yield token


def decrypt_stream(source: BinaryIO, *, fernet: Fernet) -> tuple[dict[str, Any], Iterator[bytes]]:
    """The header of a backup, and its content chunk by chunk (checked as it is read)."""
    frames = _frames(source)

    def opened(token: bytes, expected: int) -> tuple[bool, bytes]:
        try:
            plain = fernet.decrypt(token)
        except InvalidToken as exc:
            raise BackupError("the backup key does not open this backup") from exc
        if int.from_bytes(plain[:8], "big") != expected:
            raise BackupError("the backup's chunks are out of order")
        return plain[8:9] == b"\x01", plain[9:]

    first = next(frames, None)
    if first is None:
        raise BackupError("the backup is empty")
    _last, raw_header = opened(first, 0)
    header = json.loads(raw_header)

    def content() -> Iterator[bytes]:
        number = 1
        for token in frames:
            last, data = opened(token, number)
            yield data
            if last:
                if next(frames, None) is not None:
                    raise BackupError("the backup goes on after its last chunk")
                return
            number += 1
        raise BackupError("the backup is cut off")

    return header, content()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def verify_checksum(path: Path) -> str:
    """The backup's SHA-256, after checking it against the file beside it."""
    beside = checksum_path(path)
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    if not beside.is_file():
        raise BackupError(f"no checksum beside the backup ({beside.name})")
    expected = beside.read_text(encoding="ascii").split()[0] if beside.stat().st_size else ""
    actual = file_sha256(path)
    if expected != actual:
        raise BackupError("the backup does not match its checksum: it is damaged or altered")
    return actual


# --- the database side ----------------------------------------------------------------


def pg_environment(config: dict[str, Any]) -> dict[str, str]:
    """The libpq variables of a database configuration (the password never on the command line)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for variable, name in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if config.get(name):
            env[variable] = str(config[name])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed")
    return found


def _private_tempfile(directory: Path) -> IO[bytes]:
    directory.mkdir(parents=True, exist_ok=True)
    return tempfile.NamedTemporaryFile(dir=directory, prefix=".plain-", delete=True)


def _dump_sqlite(
    config: dict[str, Any], target: BinaryIO, *, header: dict[str, Any], fernet: Fernet, work: Path
) -> None:
    with _private_tempfile(work) as plain:
        source = sqlite3.connect(str(config["NAME"]))
        copy = sqlite3.connect(plain.name)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        with open(plain.name, "rb") as dumped:
            encrypt_stream(dumped, target, header=header, fernet=fernet)


def _dump_postgresql(
    config: dict[str, Any], target: BinaryIO, *, header: dict[str, Any], fernet: Fernet
) -> None:
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl"]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603  # fixed arguments, no shell  # nosec B603
            command, stdout=subprocess.PIPE, stderr=errors, env=pg_environment(config)
        )
        if process.stdout is None:  # pragma: no cover (Popen with stdout=PIPE)
            raise BackupError("pg_dump gave no output")
        encrypt_stream(process.stdout, target, header=header, fernet=fernet)
        if process.wait() != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip()
            raise BackupError(f"pg_dump failed: {message}")


def take_backup(
    *, directory: Path | None = None, keep: int | None = None, alias: str = "default"
) -> Backup:
    """Back the database up into ``directory``; keep the newest ``keep`` backups there."""
    directory = Path(directory or settings.BACKUP_DIR)
    keep = settings.BACKUP_KEEP if keep is None else keep
    fernet = backup_fernet()
    config = connections[alias].settings_dict
    engine = engine_of(config)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    path = directory / f"{PREFIX}{stamp}-{engine}{SUFFIX}"
    partial = path.with_name("." + path.name + ".partial")
    header = {"format": 1, "engine": engine, "created_at": timezone.now().isoformat()}
    try:
        with partial.open("wb") as target:
            os.chmod(partial, 0o600)
            if engine == SQLITE:
                _dump_sqlite(config, target, header=header, fernet=fernet, work=directory)
            else:
                _dump_postgresql(config, target, header=header, fernet=fernet)
            target.flush()
            os.fsync(target.fileno())
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    digest = file_sha256(path)
    beside = checksum_path(path)
    beside.write_text(f"{digest}  {path.name}\n", encoding="ascii")
    prune_backups(directory, keep=keep)
    return Backup(path=path, checksum_path=beside, sha256=digest, engine=engine)


def backups_in(directory: Path) -> list[Path]:
    """The backups in a directory, oldest first (their names sort by time)."""
    return sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))


def prune_backups(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups (at least one is always kept)."""
    old = backups_in(directory)[: -max(keep, 1)]
    for path in old:
        path.unlink(missing_ok=True)
        checksum_path(path).unlink(missing_ok=True)
    return old


def _write_chunks(chunks: Iterable[bytes], target: IO[bytes]) -> None:
    for chunk in chunks:
        target.write(chunk)


def _pg_restore(command: list[str], chunks: Iterable[bytes], *, env: dict[str, str]) -> None:
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603  # fixed arguments, no shell  # nosec B603
            command, stdin=subprocess.PIPE, stderr=errors, env=env
        )
        if process.stdin is None:  # pragma: no cover (Popen with stdin=PIPE)
            raise BackupError("pg_restore took no input")
        try:
            _write_chunks(chunks, process.stdin)
        except BaseException:
            process.stdin.close()
            process.kill()
            process.wait()
            raise
        process.stdin.close()
        if process.wait() != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip()
            raise BackupError(f"pg_restore failed: {message}")


def restore_backup(path: Path, *, target: dict[str, Any]) -> dict[str, Any]:
    """Restore a backup into the database ``target`` (a Django database configuration),
    after checking its checksum; answer the backup's header.

    SQLite: the target file is replaced, through the backup API, by the backup's copy.
    PostgreSQL: ``pg_restore --clean --if-exists`` into the target database.
    """
    verify_checksum(path)
    fernet = backup_fernet()
    engine = engine_of(target)
    with path.open("rb") as source:
        header, chunks = decrypt_stream(source, fernet=fernet)
        if header.get("engine") != engine:
            raise BackupError(f"a {header.get('engine')} backup cannot go into {engine}")
        if engine == SQLITE:
            work = Path(str(target["NAME"])).resolve().parent
            with _private_tempfile(work) as plain:
                _write_chunks(chunks, plain)
                plain.flush()
                copy = sqlite3.connect(plain.name)
                destination = sqlite3.connect(str(target["NAME"]))
                try:
                    copy.backup(destination)
                finally:
                    destination.close()
                    copy.close()
        else:
            command = [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                str(target["NAME"]),
            ]
            _pg_restore(command, chunks, env=pg_environment(target))
    return header
