"""Model fields for identifying data."""

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from himaya.core import crypto

if TYPE_CHECKING:
    _TextField = models.TextField[str, str]
    _CharField = models.CharField[str, str]
else:
    _TextField = models.TextField
    _CharField = models.CharField


class EncryptedTextField(_TextField):
    """Text stored as a Fernet token; read back as plain text.

    The database holds only ciphertext. Lookups other than ``isnull`` are meaningless on
    it: search through a blind index column instead. ``None`` stays NULL, and the empty
    string is encrypted like any other value.
    """

    description = "Encrypted text"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt(str(value))

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None:
            return None
        return crypto.decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull"}:
            raise TypeError(
                f"encrypted fields cannot be searched with '{lookup_name}'; use a blind index"
            )
        return super().get_lookup(lookup_name)


class BlindIndexField(_CharField):
    """A keyed digest column (64 hex characters) beside an encrypted field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)
