"""The restore drill: back the configured database up, restore the backup into a fresh
database, and compare the two — the row count of every table, the audit chain (intact,
same head) and the monitoring indicator values — then check every invariant on the copy.

    python scripts/backup_drill.py [--seed]

``--seed`` loads the demo data first when the database holds no case (CI starts from an
empty database). The database comes from the settings (``DATABASE_URL``): on PostgreSQL
the fresh database is ``<name>_drill`` on the same server, dropped afterwards; on SQLite a
file beside the backup. HIMAYA_BACKUP_KEY is used when set, else a key made for the
drill. Exits non-zero when anything differs.
"""

import hashlib
import json
import os
import subprocess  # this script runs itself and manage.py, no shell  # nosec B404
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaya.settings")
    import django

    django.setup()


def snapshot() -> dict[str, Any]:
    """What the drill compares, read from the configured database."""
    setup()
    from django.db import connection

    from himaya.audit.selectors import verify_chain
    from himaya.integrity.selectors import check_invariants
    from himaya.monitoring.models import DailyValue

    quote = connection.ops.quote_name
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608  # names from the schema  # nosec B608
            counts[table] = int(cursor.fetchone()[0])
    chain = verify_chain()
    values = DailyValue.objects.order_by("indicator", "day", "cell").values_list(
        "indicator", "day", "cell", "numerator", "denominator", "value"
    )
    digest = hashlib.sha256()
    for row in values.iterator(chunk_size=5000):
        digest.update(json.dumps([str(part) for part in row]).encode("utf-8"))
    findings = {name: [str(f) for f in found] for name, found in check_invariants().items()}
    return {
        "counts": counts,
        "audit": {
            "head": chain.head_sequence,
            "hash": chain.head_hash,
            "broken": None if chain.broken is None else str(chain.broken),
        },
        "indicators": {"rows": values.count(), "sha256": digest.hexdigest()},
        "invariants": {name: found for name, found in findings.items() if found},
    }


def run(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(  # noqa: S603  # fixed arguments, no shell  # nosec B603
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {' '.join(args)}")
    return done.stdout


def snapshot_of(database_url: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    if database_url:
        env["DATABASE_URL"] = database_url
    out = run(str(Path(__file__).resolve()), "--snapshot", env=env)
    return dict(json.loads(out.strip().splitlines()[-1]))


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for table in sorted(set(before["counts"]) | set(after["counts"])):
        was, now = before["counts"].get(table), after["counts"].get(table)
        if was != now:
            found.append(f"table {table}: {was} rows, {now} after restore")
    for part in ("audit", "indicators"):
        if before[part] != after[part]:
            found.append(f"{part}: {before[part]} before, {after[part]} after restore")
    if after["audit"]["broken"]:
        found.append(f"restored audit chain broken: {after['audit']['broken']}")
    if after["invariants"]:
        found.append(f"restored invariants broken: {after['invariants']}")
    return found


def drill(seed: bool) -> int:
    setup()
    from cryptography.fernet import Fernet
    from django.conf import settings
    from django.db import connection

    from himaya.cases.models import Case
    from himaya.integrity.backup import restore_backup, take_backup

    if seed and not Case.objects.exists():
        run("manage.py", "seed_demo")
    if not settings.BACKUP_KEY:
        settings.BACKUP_KEY = Fernet.generate_key().decode("ascii")
    before = snapshot_of(None)
    config = dict(connection.settings_dict)
    with tempfile.TemporaryDirectory(prefix="himaya-drill-") as work:
        backup = take_backup(directory=Path(work), keep=1)
        print(
            f"backup {backup.path.name}: {backup.path.stat().st_size} bytes, sha256 {backup.sha256}"
        )
        if connection.vendor == "postgresql":
            name = f"{config['NAME']}_drill"
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
            target = {**config, "NAME": name}
            user = f"{config['USER']}{':' + config['PASSWORD'] if config.get('PASSWORD') else ''}@"
            url = (
                f"postgres://{user}{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}/{name}"
            )
        else:
            name = str(Path(work) / "restored.sqlite3")
            target = {**config, "NAME": name}
            url = f"sqlite:///{name}"
        try:
            restore_backup(backup.path, target=target)
            after = snapshot_of(url)
        finally:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
    found = differences(before, after)
    tables = len(before["counts"])
    rows = sum(before["counts"].values())
    print(
        f"restored {tables} tables, {rows} rows; audit chain head #{after['audit']['head']}; "
        f"{after['indicators']['rows']} indicator values"
    )
    for line in found:
        print(f"DIFFERS: {line}")
    print("restore drill passed" if not found else "restore drill FAILED")
    return 1 if found else 0


if __name__ == "__main__":
    if "--snapshot" in sys.argv:
        print(json.dumps(snapshot(), default=str))
    else:
        raise SystemExit(drill(seed="--seed" in sys.argv))
