"""Re-encrypt every encrypted field under the newest key.

Put the new key first in HIMAYA_FIELD_KEYS (keeping the old ones after it), run this
command, then remove the old keys once it reports success.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from himaya.core.fields import EncryptedTextField

CHUNK = 500


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields under the newest key of HIMAYA_FIELD_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            names = [
                f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
            ]
            if not names:
                continue
            pks = list(model._default_manager.values_list("pk", flat=True).order_by("pk"))
            for start in range(0, len(pks), CHUNK):
                with transaction.atomic():
                    rows = model._default_manager.filter(pk__in=pks[start : start + CHUNK])
                    for row in rows.only("pk", *names):
                        # Reading decrypts with any listed key; writing encrypts with the newest.
                        values = {name: getattr(row, name) for name in names}
                        model._default_manager.filter(pk=row.pk).update(**values)
                        total += 1
            self.stdout.write(f"{model._meta.label}: {len(pks)} rows re-encrypted")
        self.stdout.write(f"{total} rows re-encrypted under the newest key")
