"""The fund in the administration site: read-only, and an approve action that goes through
the same ``approve_payment`` as the pages and the API (so four eyes holds there too)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from himaya.accounts.admin import admin_site
from himaya.fund import actions
from himaya.fund.models import BudgetLine, FiscalYear, LedgerEntry, PaymentLimit, PaymentRequest


class ReadOnly(admin.ModelAdmin):
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


@admin.register(FiscalYear, site=admin_site)
class FiscalYearAdmin(ReadOnly):
    list_display = ("label", "starts_on", "ends_on")


@admin.register(BudgetLine, site=admin_site)
class BudgetLineAdmin(ReadOnly):
    list_display = ("code", "name_en", "fiscal_year", "source", "amount")


@admin.register(PaymentLimit, site=admin_site)
class PaymentLimitAdmin(ReadOnly):
    list_display = ("fiscal_year", "purpose", "per_request", "per_survivor_year")


@admin.register(LedgerEntry, site=admin_site)
class LedgerEntryAdmin(ReadOnly):
    list_display = ("occurred_at", "budget_line", "kind", "amount", "request")


@admin.register(PaymentRequest, site=admin_site)
class PaymentRequestAdmin(ReadOnly):
    list_display = ("code", "case", "purpose", "amount", "status", "created_at")
    list_filter = ("status", "purpose")
    actions = ["approve_selected"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found

    @admin.action(description=_("Approve the selected payment requests"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[PaymentRequest]) -> None:
        for payment in queryset:
            try:
                actions.approve_payment(payment=payment, by=request.user, request=request)
            except actions.FundError as error:
                self.message_user(request, f"{payment.code}: {error.message}", level=messages.ERROR)
            else:
                self.message_user(request, f"{payment.code}: {_('approved')}")
