from typing import Any

from django.conf import settings
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

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        """Django's answer, kept on this instance (one request's user) for the questions a
        page asks again and again: a navigation entry, a button, a decorator. What a role
        allows is itself kept per instance (``agencies.permissions.roles_of``) and forgotten
        with it (``forget_roles``); the flags that change the answer are part of the key."""
        if obj is not None:
            return super().has_perm(perm, obj)
        answers: dict[tuple[str, bool, bool], bool] = self.__dict__.setdefault("_perm_answers", {})
        key = (perm, self.is_active, self.is_superuser)
        if key not in answers:
            answers[key] = self._capability(perm)
        return answers[key]

    def _capability(self, perm: str) -> bool:
        # A declared capability is answered from the role table when its backend is the
        # first asked (as Django would, after the active superuser's yes), without walking
        # the list of backends; anything else goes the way Django goes.
        from himaya.agencies.backends import answers_first, declared_answer

        if not (self.is_active and self.is_superuser) and answers_first(
            tuple(settings.AUTHENTICATION_BACKENDS)
        ):
            answer = declared_answer(self, perm)
            if answer is not None:
                return answer
        return super().has_perm(perm)

    def __str__(self) -> str:
        return self.username


class EnrolmentCode(models.Model):
    """A one-time code, issued by an administrator, that lets a user enrol an authenticator.

    Only a salted hash of the code is kept; the code itself is shown once to the
    administrator who issues it. It is spent by the enrolment it allows, it expires, and
    issuing a new code for the same user revokes the earlier ones.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="enrolment_codes",
    )
    code_hash = models.CharField(max_length=200, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.issued_at:%Y-%m-%d %H:%M}"
