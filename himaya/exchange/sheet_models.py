"""Spreadsheets in: each upload of the survivors-and-cases template and the rows it made.

An upload is checked by the task queue (``checking``, then ``previewed``), then imported by
it when its uploader confirms (``importing``, then ``imported``). Until then the file is
kept encrypted, like identity; it is emptied once imported, once it has failed, or when
its uploader has not confirmed it in time (``expired``). Each row imported keeps a keyed
digest of its import key per agency, so that the same file twice changes nothing.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaya.core.fields import EncryptedTextField
from himaya.core.models import PublicCodeModel


class SheetImportStatus(models.TextChoices):
    CHECKING = "checking", _("Being checked")
    PREVIEWED = "previewed", _("Checked, awaiting import")
    IMPORTING = "importing", _("Being imported")
    IMPORTED = "imported", _("Imported")
    EXPIRED = "expired", _("Not imported in time: file deleted")
    FAILED = "failed", _("Stopped after repeated failures")


# The statuses in which the task queue works on an upload.
WORKING = (SheetImportStatus.CHECKING, SheetImportStatus.IMPORTING)


class SheetImport(PublicCodeModel):
    """One upload of the template by a user of an agency, with its report per line."""

    CODE_PREFIX = "SI"

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file digest"), max_length=64)
    # The uploaded file (base64), encrypted, kept only until it is imported.
    content = EncryptedTextField(_("file content"), blank=True, default="")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SheetImportStatus.choices,
        default=SheetImportStatus.CHECKING,
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_ready = models.PositiveIntegerField(_("rows ready"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_already_present = models.PositiveIntegerField(_("rows already imported"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("rows held as likely duplicates"), default=0)
    rows_refused = models.PositiveIntegerField(_("rows refused"), default=0)
    rows_not_attempted = models.PositiveIntegerField(_("rows not attempted"), default=0)
    # Progress of the task queue's work: rows checked or imported so far, when it last
    # moved, how many times the work was started, and whether the rows are imported as
    # soon as they are checked (an upload through the API that asked for it).
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    import_when_checked = models.BooleanField(_("import once checked"), default=False)
    # One entry per line read: {"line", "outcome", "reason", "survivor", "case"}; codes
    # and reasons only, never a name or a number typed in the file.
    report = models.JSONField(_("report"), default=list, blank=True)

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code

    @property
    def is_working(self) -> bool:
        return self.status in WORKING

    @property
    def percent_done(self) -> int:
        """The share of the rows done, in whole percent (for the progress bar)."""
        if not self.rows_read:
            return 0
        return min(100, self.rows_done * 100 // self.rows_read)


class SheetRow(models.Model):
    """A row of a spreadsheet that made a survivor and a case, known by its import key."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    # HMAC-SHA256 under the blind index key of the agency's reference (or of the row's
    # values when the reference is empty): never the reference itself.
    key = models.CharField(_("import key"), max_length=64)
    batch = models.ForeignKey(
        SheetImport, verbose_name=_("import"), on_delete=models.PROTECT, related_name="rows"
    )
    line = models.PositiveIntegerField(_("line"))
    survivor = models.ForeignKey(
        "survivors.Survivor", verbose_name=_("survivor"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="exchange_sheet_row_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.batch.code}:{self.line}"
