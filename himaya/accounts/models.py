from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Roles come from memberships of agencies, never from flags."""

    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("ar", _("Arabic")), ("en", _("English"))],
        default="ar",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username
