"""Idempotency keys of API writes: one answer per user and key, kept for a while.

A client that sends ``Idempotency-Key`` with a POST to the API gets, for every repeat of
that key with the same request, the answer of the first one; the write happens once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=255)
    # SHA-256 of the method, the path and the body: the same key with another request is
    # refused.
    request_hash = models.CharField(_("request hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    # Empty while the first request is still being answered.
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    body = models.BinaryField(_("body"), blank=True, default=b"")

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="integrity_one_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
