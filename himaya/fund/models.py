"""The victims' assistance fund: fiscal years, budget lines, payment requests and the ledger.

Balances are never stored: they are summed from the ledger (``selectors.balances``). The
ledger is append-only; a paid movement is corrected by a reversal line, never edited.
Nothing here is ever deleted.
"""

from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himaya.cases.models import Case
from himaya.core.models import (
    BilingualNamed,
    DeletionRefused,
    PublicCodeModel,
    TimeStampedModel,
    Undeletable,
    UndeletableQuerySet,
    VersionedModel,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class FiscalYear(Undeletable, TimeStampedModel):
    """Egypt's fiscal year runs from 1 July to 30 June; ``label`` reads 2025/26."""

    label = models.CharField(_("fiscal year"), max_length=7, unique=True)
    starts_on = models.DateField(_("starts on"), unique=True)
    ends_on = models.DateField(_("ends on"), unique=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="fund_fiscal_year_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Source(models.TextChoices):
    GOVERNMENT = "government", _("Government allocation")
    DONOR = "donor", _("Donor contribution")


class BudgetLine(Undeletable, PublicCodeModel, BilingualNamed, VersionedModel):
    CODE_PREFIX = "BL"

    fiscal_year = models.ForeignKey(
        FiscalYear, verbose_name=_("fiscal year"), on_delete=models.PROTECT, related_name="lines"
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    donor = models.CharField(_("donor"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("amount (EGP)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(CENT)]
    )
    # The sums of the line's ledger by kind of movement, kept by every movement written to
    # it in the transaction that writes it, under the line's lock (``actions``): balances
    # read them rather than summing a ledger that grows by the thousand on a national line.
    # The ledger stays the record; ``check_invariants`` proves every night that these
    # equal its sums.
    total_allocation = models.DecimalField(
        _("allocated in all"), max_digits=18, decimal_places=2, default=ZERO, db_default=ZERO
    )
    total_commitment = models.DecimalField(
        _("committed in all"), max_digits=18, decimal_places=2, default=ZERO, db_default=ZERO
    )
    total_release = models.DecimalField(
        _("released in all"), max_digits=18, decimal_places=2, default=ZERO, db_default=ZERO
    )
    total_payment = models.DecimalField(
        _("paid in all"), max_digits=18, decimal_places=2, default=ZERO, db_default=ZERO
    )
    total_reversal = models.DecimalField(
        _("reversed in all"), max_digits=18, decimal_places=2, default=ZERO, db_default=ZERO
    )

    class Meta:
        ordering = ["fiscal_year__starts_on", "name_en"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_line_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name} ({self.fiscal_year})"


class Purpose(models.TextChoices):
    EMERGENCY_CASH = "emergency_cash", _("Emergency cash")
    MEDICAL = "medical", _("Medical costs")
    LEGAL = "legal", _("Legal fees")
    REPATRIATION = "repatriation", _("Repatriation travel")
    EDUCATION = "education", _("Education")
    START_UP = "start_up", _("Project start-up capital")
    OTHER = "other", _("Other")


class PaymentLimit(Undeletable, VersionedModel):
    """How much one request for a purpose, and one survivor in a year, may receive with one
    approval. Beyond it, a second, different approver is needed. An empty purpose sets the
    limit for every purpose without a limit of its own. A limit is changed only through an
    approved ``LimitChange``; each request keeps the limits in force when it was made."""

    fiscal_year = models.ForeignKey(
        FiscalYear, verbose_name=_("fiscal year"), on_delete=models.PROTECT, related_name="limits"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, blank=True)
    per_request = models.DecimalField(
        _("per request (EGP)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    per_survivor_year = models.DecimalField(
        _("per survivor per fiscal year (EGP)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("payment limit")
        verbose_name_plural = _("payment limits")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "purpose"], name="fund_one_limit_per_purpose_and_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} · {self.purpose or '*'}"


class ChangeStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("limit change status", "Proposed")
    APPROVED = "approved", pgettext_lazy("limit change status", "Approved")
    REJECTED = "rejected", pgettext_lazy("limit change status", "Rejected")


class LimitChange(Undeletable, PublicCodeModel, VersionedModel):
    """A proposed change of a payment limit. It applies only once a second fund approver,
    never the one who proposed it, approves it; a change never applies to requests already
    made (each keeps the limits it was requested under)."""

    CODE_PREFIX = "LC"

    fiscal_year = models.ForeignKey(
        FiscalYear,
        verbose_name=_("fiscal year"),
        on_delete=models.PROTECT,
        related_name="limit_changes",
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, blank=True)
    per_request = models.DecimalField(
        _("per request (EGP)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    per_survivor_year = models.DecimalField(
        _("per survivor per fiscal year (EGP)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    # The version of the limit the proposal was made against (empty: there was no limit).
    base_version = models.PositiveIntegerField(_("version of the limit"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ChangeStatus.choices,
        default=ChangeStatus.PROPOSED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
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
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("limit change")
        verbose_name_plural = _("limit changes")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "purpose"],
                condition=Q(status="proposed"),
                name="fund_one_pending_limit_change_per_purpose_and_year",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(decided_by__isnull=False) & ~Q(decided_by=F("proposed_by"))),
                name="fund_limit_change_approver_is_not_proposer",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Status(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("payment status", "Requested")
    SECOND_APPROVAL_NEEDED = (
        "second_approval_needed",
        pgettext_lazy("payment status", "Second approval needed"),
    )
    APPROVED = "approved", pgettext_lazy("payment status", "Approved")
    REJECTED = "rejected", pgettext_lazy("payment status", "Rejected")
    PAID = "paid", pgettext_lazy("payment status", "Paid")
    REVERSED = "reversed", pgettext_lazy("payment status", "Reversed")


# Allowed status changes: from → the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REQUESTED: frozenset({Status.APPROVED, Status.SECOND_APPROVAL_NEEDED, Status.REJECTED}),
    Status.SECOND_APPROVAL_NEEDED: frozenset({Status.APPROVED, Status.REJECTED}),
    Status.APPROVED: frozenset({Status.PAID}),
    Status.PAID: frozenset({Status.REVERSED}),
    Status.REJECTED: frozenset(),
    Status.REVERSED: frozenset(),
}


class Method(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    MOBILE_WALLET = "mobile_wallet", _("Mobile wallet")


class PaymentRequest(Undeletable, PublicCodeModel, VersionedModel):
    CODE_PREFIX = "PR"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="payment_requests"
    )
    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    amount = models.DecimalField(
        _("amount (EGP)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(CENT)]
    )
    justification = models.TextField(_("justification"))
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=Status.choices,
        default=Status.REQUESTED,
        db_index=True,
    )
    # The approval requirement that held when the request was made: a later change of the
    # limits never applies to it.
    approvals_required = models.PositiveSmallIntegerField(_("approvals required"), default=1)
    limit_per_request = models.DecimalField(
        _("limit per request when requested (EGP)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    limit_per_survivor_year = models.DecimalField(
        _("limit per survivor per fiscal year when requested (EGP)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    second_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("second approval by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    second_approved_at = models.DateTimeField(_("second approval at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payment recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices, blank=True)
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reversed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversal_reason = models.TextField(_("reason for reversal"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        # The daily indicators read these records by day (see monitoring/indicators.py).
        indexes = [
            models.Index(fields=["created_at"], name="payment_created_idx"),
            models.Index(fields=["paid_at"], name="payment_paid_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_request_amount_positive"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="fund_approver_is_not_requester",
            ),
            models.CheckConstraint(
                condition=Q(second_approved_by__isnull=True)
                | (
                    ~Q(second_approved_by=F("requested_by"))
                    & ~Q(second_approved_by=F("approved_by"))
                ),
                name="fund_second_approver_is_a_third_person",
            ),
            models.CheckConstraint(
                condition=Q(approvals_required__in=[1, 2]),
                name="fund_request_needs_one_or_two_approvals",
            ),
            models.CheckConstraint(
                condition=Q(approvals_required=1)
                | ~Q(status__in=["approved", "paid", "reversed"])
                | Q(second_approved_by__isnull=False),
                name="fund_two_approvals_when_two_are_required",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def awaits_decision(self) -> bool:
        """An approver may approve or reject it (a first or a second approval)."""
        return Status.REJECTED in TRANSITIONS[self.status]

    @property
    def is_payable(self) -> bool:
        return Status.PAID in TRANSITIONS[self.status]

    @property
    def is_reversible(self) -> bool:
        return Status.REVERSED in TRANSITIONS[self.status]

    @property
    def accepts_documents(self) -> bool:
        """Documents are added until the request is rejected or reversed."""
        return bool(TRANSITIONS[self.status])


def document_path(instance: "SupportingDocument", filename: str) -> str:
    return f"fund/documents/{instance.stored_name}"


class SupportingDocument(Undeletable, TimeStampedModel):
    """A PDF, PNG or JPEG file, stored encrypted (``fund.documents``) under a random name;
    its original name is not kept. ``size`` and ``sha256`` describe the decrypted content."""

    request = models.ForeignKey(
        PaymentRequest,
        verbose_name=_("payment request"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    stored_name = models.CharField(_("stored name"), max_length=80, unique=True)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")

    def __str__(self) -> str:
        return self.stored_name


class EntryKind(models.TextChoices):
    ALLOCATION = "allocation", _("Allocation")
    COMMITMENT = "commitment", _("Commitment")
    RELEASE = "release", _("Release of a commitment")
    PAYMENT = "payment", _("Payment")
    REVERSAL = "reversal", _("Reversal")


class LedgerQuerySet(UndeletableQuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise DeletionRefused(_("A ledger entry is never changed: record a reversal."))


class LedgerEntry(Undeletable):
    """One movement of money on a budget line. Written once by ``fund.actions``; never
    changed. ``amount`` is always positive; its effect follows from ``kind``."""

    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    request = models.ForeignKey(
        PaymentRequest,
        verbose_name=_("payment request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    kind = models.CharField(_("movement"), max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount (EGP)"), max_digits=14, decimal_places=2)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = LedgerQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_entry_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="allocation") | Q(request__isnull=False),
                name="fund_entry_movement_names_its_request",
            ),
            # A request is committed, released, paid and reversed at most once each.
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=Q(request__isnull=False),
                name="fund_one_movement_of_each_kind_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_line.code} {self.kind} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise DeletionRefused(_("A ledger entry is never changed: record a reversal."))
        super().save(*args, **kwargs)
