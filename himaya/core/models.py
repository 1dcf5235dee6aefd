"""Abstract bases shared by every app; core has no tables of its own."""

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaya.core.codes import new_code


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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.code:
            self.code = new_code(self.CODE_PREFIX)
        super().save(*args, **kwargs)


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
