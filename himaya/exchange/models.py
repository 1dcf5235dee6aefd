"""The statistical store: anonymised records imported from a CTDC-layout dataset.

These rows describe no survivor of Himaya and create none; they feed the international
tables beside Himaya's own records. Each row keeps its CTDC values as published and the
columns the tables group by.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StatisticalImport(models.Model):
    """One run of the CTDC import: the file, who ran it and what became of its rows."""

    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file digest"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_already_present = models.PositiveIntegerField(_("rows already present"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    # The first rejected rows: [{"line": 12, "reason": "..."}], at most 1,000.
    rejections = models.JSONField(_("rejected rows"), default=list, blank=True)

    class Meta:
        verbose_name = _("statistical import")
        verbose_name_plural = _("statistical imports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name} · {self.started_at:%Y-%m-%d %H:%M}"


class StatisticalRecord(models.Model):
    """One anonymised victim record of an imported dataset (never a survivor)."""

    row_hash = models.CharField(_("row digest"), max_length=64, unique=True)
    source = models.CharField(_("source"), max_length=20, default="ctdc")
    batch = models.ForeignKey(
        StatisticalImport,
        verbose_name=_("import"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    year = models.PositiveSmallIntegerField(_("year of registration"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=40, blank=True)
    age_broad = models.CharField(_("age band"), max_length=10, blank=True)
    majority_status = models.CharField(_("majority status"), max_length=10, blank=True)
    citizenship = models.CharField(_("citizenship"), max_length=10, blank=True)
    country_of_exploitation = models.CharField(
        _("country of exploitation"), max_length=10, blank=True
    )
    form = models.CharField(_("form of exploitation"), max_length=60, blank=True)
    # Every published column as read (empty cells left out).
    values = models.JSONField(_("published values"), default=dict)

    class Meta:
        verbose_name = _("statistical record")
        verbose_name_plural = _("statistical records")
        indexes = [
            models.Index(fields=["source", "year"], name="exchange_record_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.year or ''}"


class MonthlyReport(models.Model):
    """The monthly national report of one month, as PDF in Arabic and in English.

    ``month`` is the first day of the month reported. Made again, the report replaces
    its PDFs in place; who asked for it last is kept (nobody: the scheduler).
    """

    month = models.DateField(_("month"), unique=True)
    pdf_ar = models.BinaryField(_("PDF in Arabic"))
    pdf_en = models.BinaryField(_("PDF in English"))
    created_at = models.DateTimeField(_("produced at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("made again at"), auto_now=True)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("monthly national report")
        verbose_name_plural = _("monthly national reports")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


# Spreadsheets in: the uploads of the survivors-and-cases template and their rows.
from himaya.exchange.sheet_models import (  # noqa: E402, F401
    SheetImport,
    SheetImportStatus,
    SheetRow,
)
