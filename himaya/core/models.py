"""Abstract bases shared by every app; core has no tables of its own."""

from collections.abc import Iterable
from typing import Any, ClassVar, NoReturn, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaya.core.codes import new_code, new_codes
from himaya.core.errors import Forbidden


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A record edited by people: every change goes through ``core.locking``.

    ``version`` starts at 1 and grows by one with each saved change, so that an edit made
    from a stale copy is detected and refused instead of overwriting someone else's work.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class PublicCodeModel(models.Model):
    """A record known outside the database by a random public code."""

    CODE_PREFIX: ClassVar[str] = "HM"

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)

    class Meta:
        abstract = True

    # A new random code collides with a stored one about once in 5 * 10**11 draws per row
    # held; a collision is retried with a fresh code, inside a savepoint.
    CODE_ATTEMPTS: ClassVar[int] = 5

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.code:
            super().save(*args, **kwargs)
            return
        for attempt in range(self.CODE_ATTEMPTS):
            self.code = new_code(self.CODE_PREFIX)
            try:
                with transaction.atomic(using=kwargs.get("using")):
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                collided = type(self)._base_manager.filter(code=self.code).exists()
                self.code = ""
                if not collided or attempt == self.CODE_ATTEMPTS - 1:
                    raise

    @classmethod
    def fresh_codes(cls, count: int) -> list[str]:
        """``count`` distinct codes that no stored row of this model holds (bulk inserts)."""

        def taken(candidates: Iterable[str]) -> list[str]:
            pending, found = list(candidates), list[str]()
            for start in range(0, len(pending), 5000):
                chunk = pending[start : start + 5000]
                stored = cls._base_manager.filter(code__in=chunk).values_list("code", flat=True)
                found.extend(stored)
            return found

        return new_codes(cls.CODE_PREFIX, count, taken=taken)


class BilingualNamed(models.Model):
    """Reference data named in Arabic and English; ``name`` follows the active language."""

    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ar").startswith("en") else self.name_ar


class DeletionRefused(Forbidden):
    """A record kept for ever (money, grants) cannot be deleted: corrections are new records."""


def _refuse_deletion() -> NoReturn:
    raise DeletionRefused(_("These records are kept for ever: record a correction instead."))


_Model = TypeVar("_Model", bound=models.Model)


class UndeletableQuerySet(models.QuerySet[_Model]):
    def delete(self) -> NoReturn:
        _refuse_deletion()


class Undeletable(models.Model):
    """A record that is never deleted, one by one or in bulk."""

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_deletion()
