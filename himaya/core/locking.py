"""Optimistic locking for records that people edit.

A form or API payload carries the ``version`` it was read at. ``save_with_version``
writes the changes only if the row still has that version, and bumps it; otherwise it
raises ``ConcurrentEditError`` and the database is left as it was.
"""

from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from himaya.core.errors import Conflict
from himaya.core.models import VersionedModel


class ConcurrentEditError(Conflict):
    """Someone else saved the record after it was read."""

    message = _(
        "This record was changed by someone else after you opened it. "
        "Your changes were not saved: reload it and apply them again."
    )

    def __init__(self, instance: models.Model | None = None) -> None:
        super().__init__(type(self).message, field="version")
        self.instance = instance


def save_with_version(
    instance: VersionedModel, *, expected_version: int, fields: list[str]
) -> VersionedModel:
    """Persist ``fields`` of ``instance`` if its row is still at ``expected_version``."""
    model = type(instance)
    changes: dict[str, Any] = {name: getattr(instance, name) for name in fields}
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False) and field.name not in changes:
            changes[field.name] = field.pre_save(instance, add=False)
    # Prepare values through the fields (encryption, choices) as a regular save would.
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **changes
    )
    if updated != 1:
        raise ConcurrentEditError(instance)
    instance.version = expected_version + 1
    return instance
