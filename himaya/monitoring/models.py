"""Tables of the monitoring app: the daily values of the indicators (a table built for
reading), the settings an administrator of indicators may change, and the days waiting
for a refresh."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaya.core.models import VersionedModel


class DailyValue(models.Model):
    """One figure of one indicator on one day for one cell of a disaggregation.

    ``cell`` is a stable short key: ``""`` for the total, ``"sex=female"``,
    ``"gov=EG-C"``…; ``dimension`` and ``member`` repeat it in indexed columns, and the
    member's names are kept beside it so that the dashboard reads this table alone.
    """

    indicator = models.CharField(_("indicator"), max_length=40)
    day = models.DateField(_("day"))
    cell = models.CharField(_("cell"), max_length=80, blank=True)
    dimension = models.CharField(_("disaggregation"), max_length=12, blank=True)
    member = models.CharField(_("member"), max_length=64, blank=True)
    member_ar = models.CharField(_("member in Arabic"), max_length=200, blank=True)
    member_en = models.CharField(_("member in English"), max_length=200, blank=True)
    numerator = models.DecimalField(_("numerator"), max_digits=18, decimal_places=2)
    denominator = models.DecimalField(
        _("denominator"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("daily value")
        verbose_name_plural = _("daily values")
        ordering = ["indicator", "day", "dimension", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "day", "cell"], name="daily_value_one_per_cell"
            )
        ]
        # The unique constraint serves the reads by indicator and day; the rows are
        # rewritten by the thousand, so no index is kept that no read uses.
        indexes = [
            models.Index(
                fields=["indicator", "dimension", "day"], name="daily_value_dimension_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.day} {self.cell or '*'}"


class IndicatorSetting(VersionedModel):
    """The target and thresholds of an indicator, as an administrator of indicators set
    them (without a row, the values declared in ``indicators.py`` hold)."""

    indicator = models.CharField(_("indicator"), max_length=40, unique=True)
    target = models.DecimalField(
        _("target"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    warning = models.DecimalField(
        _("warning threshold"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    critical = models.DecimalField(
        _("critical threshold"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("indicator setting")
        verbose_name_plural = _("indicator settings")
        ordering = ["indicator"]

    def __str__(self) -> str:
        return self.indicator


class IndicatorSettingChange(models.Model):
    """The history of the settings: one row for every change, never edited."""

    setting = models.ForeignKey(
        IndicatorSetting,
        verbose_name=_("indicator setting"),
        on_delete=models.PROTECT,
        related_name="changes",
    )
    version = models.PositiveIntegerField(_("version"))
    target = models.DecimalField(
        _("target"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    warning = models.DecimalField(
        _("warning threshold"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    critical = models.DecimalField(
        _("critical threshold"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change of an indicator setting")
        verbose_name_plural = _("changes of indicator settings")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.setting_id} v{self.version}"


class DirtyDay(models.Model):
    """A day whose values must be computed again (written after a change of its data,
    emptied by ``actions.process_dirty_days``)."""

    day = models.DateField(_("day"), unique=True)
    marked_at = models.DateTimeField(_("marked at"), auto_now=True)

    class Meta:
        verbose_name = _("day to compute again")
        verbose_name_plural = _("days to compute again")
        ordering = ["day"]

    def __str__(self) -> str:
        return str(self.day)


class Edition(models.Model):
    """The edition of what the dashboard shows: one row whose token is replaced in the same
    transaction as every write of the daily values or of an indicator's setting. Pages
    drawn from the values are kept in the ``pages`` cache under the token they were drawn
    from, so that a new edition is never served from an old one."""

    token = models.CharField(_("token"), max_length=32)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("edition of the daily values")
        verbose_name_plural = _("editions of the daily values")

    def __str__(self) -> str:
        return self.token
