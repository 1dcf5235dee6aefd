from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaya.integrity.backup import BackupError, take_backup


class Command(BaseCommand):
    help = (
        "Back the database up, encrypted with HIMAYA_BACKUP_KEY, with a SHA-256 checksum file "
        "beside it; keep the newest HIMAYA_BACKUP_KEEP backups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, help="Where to write (HIMAYA_BACKUP_DIR).")
        parser.add_argument("--keep", type=int, help="How many backups to keep there.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup = take_backup(directory=options["dir"], keep=options["keep"])
        except (BackupError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{backup.path} sha256={backup.sha256}")
