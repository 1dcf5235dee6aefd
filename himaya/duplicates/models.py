"""Duplicate records: candidate pairs of survivors, their review, merges and settings.

A pair is scored from the survivors' decrypted identity (``survivors.rules``) and keeps
only the score and the reasons, never a name. A merge keeps one survivor, re-points every
row of the other to it and removes it; its ``MergeRecord`` keeps what is needed to undo
it exactly. The survivors are referenced without a database constraint, so that a pair
and a merge record outlive the removed survivor until the merge is undone.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.core.models import TimeStampedModel, VersionedModel
from himaya.survivors.models import Survivor


class PairStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    DISTINCT = "distinct", _("Different people")
    MERGED = "merged", _("Merged")


class CandidatePair(VersionedModel):
    """Two survivors that may be one person (``survivor_a`` has the smaller id)."""

    survivor_a = models.ForeignKey(
        Survivor,
        verbose_name=_("first survivor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    survivor_b = models.ForeignKey(
        Survivor,
        verbose_name=_("second survivor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        pgettext_lazy("state of a record", "Status"),
        max_length=10,
        choices=PairStatus.choices,
        default=PairStatus.OPEN,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate pair")
        verbose_name_plural = _("candidate pairs")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survivor_a", "survivor_b"], name="candidate_pair_once"
            ),
            models.CheckConstraint(
                condition=models.Q(survivor_a__lt=models.F("survivor_b")),
                name="candidate_pair_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "distinct", "merged"]),
                name="candidate_pair_status_known",
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="candidate_pair_queue")]

    def __str__(self) -> str:
        return f"{self.survivor_a_id} ~ {self.survivor_b_id}"


class MergeRecord(TimeStampedModel):
    """One merge: the survivor kept, the removed one's row as it was, and, per table and
    column, the ids of the rows re-pointed from the removed survivor to the kept one (and
    the rows set aside because re-pointing them would join a survivor to itself)."""

    pair = models.ForeignKey(
        CandidatePair, verbose_name=_("pair"), on_delete=models.PROTECT, related_name="merges"
    )
    kept = models.ForeignKey(
        Survivor,
        verbose_name=_("survivor kept"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    removed_id = models.BigIntegerField(_("survivor removed"))
    removed_code = models.CharField(_("code of the survivor removed"), max_length=20)
    removed_row = models.JSONField(_("row of the survivor removed"))
    repointed = models.JSONField(_("rows re-pointed"), default=dict)
    set_aside = models.JSONField(_("rows set aside"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    automatic = models.BooleanField(_("merged automatically"), default=False)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.removed_code} → {self.kept_id}"


class DuplicateSettings(VersionedModel):
    """The one row of settings: thresholds, automatic merging and the estimated weights."""

    review_threshold = models.FloatField(_("review threshold"), default=0.80)
    auto_merge_enabled = models.BooleanField(_("merge automatically"), default=False)
    auto_merge_threshold = models.FloatField(_("automatic merge threshold"), default=0.995)
    weights = models.JSONField(_("estimated weights"), default=dict, blank=True)

    class Meta:
        verbose_name = _("duplicate detection settings")
        verbose_name_plural = _("duplicate detection settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_threshold__gte=0, review_threshold__lte=1),
                name="duplicate_review_threshold_range",
            ),
            models.CheckConstraint(
                condition=models.Q(auto_merge_threshold__gte=0.99, auto_merge_threshold__lte=1),
                name="duplicate_auto_merge_high_precision",
            ),
        ]

    def __str__(self) -> str:
        return "duplicate detection settings"
