"""The fund in the administration site: read-only, and an approve action that goes through
the same ``approve_payment`` as the pages and the API (so four eyes holds there too).

Nothing here edits a limit, a limit change, a payment request or the ledger: every field is
read-only and adding, changing and deleting are refused. Free text written about a
survivor's situation (justification, reasons) is never shown: not in lists, forms, search
or read-only fields.
"""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from himaya.accounts.acting import acting_user
from himaya.accounts.admin import admin_site
from himaya.core.errors import DomainError
from himaya.fund import actions
from himaya.fund.models import (
    BudgetLine,
    FiscalYear,
    LedgerEntry,
    LimitChange,
    PaymentLimit,
    PaymentRequest,
)

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
else:
    ModelAdmin = admin.ModelAdmin  # not subscriptable at run time


class ReadOnly(ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.manage_users")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.manage_users")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # fund records are never deleted

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if self.fields:
            return self.fields
        hidden = set(self.exclude or ())
        return [f.name for f in self.model._meta.concrete_fields if f.name not in hidden]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found


@admin.register(FiscalYear, site=admin_site)
class FiscalYearAdmin(ReadOnly):
    list_display = ("label", "starts_on", "ends_on")


@admin.register(BudgetLine, site=admin_site)
class BudgetLineAdmin(ReadOnly):
    list_display = ("code", "name_en", "fiscal_year", "source", "amount")


@admin.register(PaymentLimit, site=admin_site)
class PaymentLimitAdmin(ReadOnly):
    list_display = ("fiscal_year", "purpose", "per_request", "per_survivor_year", "version")
    fields = ("fiscal_year", "purpose", "per_request", "per_survivor_year", "version")


@admin.register(LimitChange, site=admin_site)
class LimitChangeAdmin(ReadOnly):
    list_display = (
        "code",
        "fiscal_year",
        "purpose",
        "per_request",
        "per_survivor_year",
        "status",
        "proposed_by",
        "decided_by",
    )
    list_filter = ("status",)
    fields = (
        "code",
        "fiscal_year",
        "purpose",
        "per_request",
        "per_survivor_year",
        "base_version",
        "status",
        "proposed_by",
        "decided_by",
        "decided_at",
        "version",
    )


@admin.register(LedgerEntry, site=admin_site)
class LedgerEntryAdmin(ReadOnly):
    list_display = ("occurred_at", "budget_line", "kind", "amount", "request")


@admin.register(PaymentRequest, site=admin_site)
class PaymentRequestAdmin(ReadOnly):
    list_display = ("code", "case", "purpose", "amount", "status", "created_at")
    list_filter = ("status", "purpose")
    search_fields = ("code",)
    # No free text: the justification and the reasons stay out of the form and the search.
    fields = (
        "code",
        "case",
        "budget_line",
        "purpose",
        "amount",
        "status",
        "approvals_required",
        "limit_per_request",
        "limit_per_survivor_year",
        "requested_by",
        "approved_by",
        "approved_at",
        "second_approved_by",
        "second_approved_at",
        "rejected_by",
        "paid_by",
        "paid_at",
        "method",
        "reversed_by",
        "reversed_at",
        "version",
    )
    exclude = ("justification", "rejection_reason", "reversal_reason")
    actions = ["approve_selected"]

    @admin.action(description=_("Approve the selected payment requests"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[PaymentRequest]) -> None:
        """Each request is approved at the version listed: one changed since is refused."""
        user = acting_user(request)
        for payment in queryset:
            try:
                actions.approve_payment(payment=payment, by=user, expected_version=payment.version)
            except DomainError as error:
                self.message_user(request, f"{payment.code}: {error.message}", level=messages.ERROR)
            else:
                self.message_user(request, f"{payment.code}: {_('approved')}")
