"""The administration site is for system administrators only.

It manages users, agencies, governorates and memberships. It registers no survivor data,
and the administrator role grants no access to it anywhere else.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from himaya.accounts import actions
from himaya.accounts.models import User
from himaya.audit.actions import record_event


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

    # Every addition and change made in the administration site (a password set for
    # someone, an account or agency deactivated) is also an event of the audit chain.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        _record_admin_event("admin.added", request, obj, message)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        _record_admin_event("admin.changed", request, obj, message)
        return entry


def _record_admin_event(action: str, request: HttpRequest, obj: Any, message: Any) -> None:
    """The fields that changed are named; their values (names, passwords) never are."""
    fields: list[str] = []
    for part in message if isinstance(message, list) else []:
        for change in part.values():
            fields.extend(str(name) for name in change.get("fields", []))
    record_event(
        action=action,
        actor=request.user,
        obj=obj,
        request=request,
        details={"fields": fields} if fields else {},
    )


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
    actions = ["issue_enrolment_code"]

    @admin.action(description=_("Issue a one-time enrolment code for an authenticator"))
    def issue_enrolment_code(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        """Shows the code once, on a page of its own that is never cached."""
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose exactly one user to issue a code for."), messages.ERROR
            )
            return None
        member = queryset.get()
        try:
            code = actions.issue_enrolment_code(user=member, by=request.user, request=request)
        except actions.EnrolmentRefused as refusal:
            self.message_user(request, str(refusal.message), messages.ERROR)
            return None
        record = member.enrolment_codes.filter(used_at=None, revoked_at=None).first()
        response = TemplateResponse(
            request,
            "accounts/admin/enrolment_code.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "member": member,
                "code": code,
                "expires_at": record.expires_at if record else None,
                "title": _("Enrolment code"),
            },
        )
        response["Cache-Control"] = "no-store"
        return response
