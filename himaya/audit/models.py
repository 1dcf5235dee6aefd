"""The append-only, keyed hash chain of the audit trail.

Each event carries its sequence number, the hash of the previous event and its own hash: an
HMAC-SHA256 of its content under the audit key (``HIMAYA_AUDIT_KEY``), which is never in the
database. Editing or deleting any event breaks the chain at that point, and a copy of the
database is not enough to re-hash the rest: ``manage.py verify_audit`` accepts only links
signed with the key (a plain SHA-256 chain fails at its first event) and checks the chain
against the signed anchors that ``manage.py anchor_audit`` keeps outside the database. The
trail never holds personal data: records are named by their public codes only.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaya.audit import labels


class AppendOnlyError(Exception):
    """The audit trail is never changed or deleted through the application."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("record type"), max_length=64, blank=True)
    object_code = models.CharField(_("record"), max_length=64, blank=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        # A person's events of one kind since a moment (the limit on duplicate checks
        # counts the last hour's): read by index, however long the trail grows.
        indexes = [
            models.Index(fields=["actor", "action", "occurred_at"], name="audit_actor_action_time")
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")

    @property
    def action_label(self) -> str:
        return labels.action_label(self.action)

    @property
    def purpose_label(self) -> str:
        return labels.purpose_label(self.purpose)

    @property
    def actor_label(self) -> str:
        """The username, or the name of the system part that acted without a user."""
        return labels.actor_label(self.actor_id, self.actor_username)


class ChainHead(models.Model):
    """One row: the last sequence and hash. Locked while an event is appended.

    An empty chain's head holds the keyed genesis value (see ``rules.genesis_hash``).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.sequence}"
