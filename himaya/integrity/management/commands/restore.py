from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from himaya.integrity.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an encrypted backup after checking its SHA-256 checksum: into the database "
        "given by --target (a database URL), or into the configured database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file (.hbk).")
        parser.add_argument("--target", help="A database URL to restore into.")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask before replacing the configured database.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["target"]:
            target = environ.Env.db_url_config(options["target"])
        else:
            if options["interactive"]:
                answer = input("This replaces the configured database. Type 'yes' to go on: ")
                if answer != "yes":
                    raise CommandError("restore cancelled")
            target = dict(connections["default"].settings_dict)
            connections["default"].close()
        try:
            header = restore_backup(options["path"], target=target)
        except (BackupError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored the {header['engine']} backup of {header['created_at']}")
