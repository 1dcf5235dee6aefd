"""Grants in the administration site: read-only, never deleted."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from himaya.accounts.admin import admin_site
from himaya.grants.models import Grant, GrantReport, Tranche

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
        return False


@admin.register(Grant, site=admin_site)
class GrantAdmin(ReadOnly):
    list_display = ("code", "ngo", "title", "amount", "starts_on", "ends_on")


@admin.register(Tranche, site=admin_site)
class TrancheAdmin(ReadOnly):
    list_display = ("grant", "sequence", "due_on", "amount", "status")


@admin.register(GrantReport, site=admin_site)
class GrantReportAdmin(ReadOnly):
    list_display = ("code", "tranche", "status", "submitted_on")
