"""The administration site is for system administrators only.

It manages users, agencies, governorates and memberships. It registers no survivor data,
and the administrator role grants no access to it anywhere else.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User


class HimayaAdminSite(admin.AdminSite):
    site_header = _("Himaya administration")
    site_title = _("Himaya administration")
    index_title = _("Users and agencies")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.has_perm("accounts.manage_users"))


admin_site = HimayaAdminSite(name="himaya_admin")


class AdministratorOnly:
    """Model admin permissions follow the administrator capability, not Django's tables."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.manage_users")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.manage_users")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.has_perm("accounts.manage_users")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.manage_users")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # users and agencies are deactivated, never deleted


@admin.register(User, site=admin_site)
class UserAdmin(AdministratorOnly, BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "last_login")
    list_filter = ("is_active",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "preferred_language")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    search_fields = ("username", "first_name", "last_name", "email")
