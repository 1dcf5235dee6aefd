"""The administration site is for system administrators only.

It manages users, agencies, governorates and memberships (the model admins of agencies
are defined in ``himaya.agencies.admin`` and registered here). It registers no survivor
data, and the administrator role grants no access to it anywhere else.
"""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from himaya.accounts import actions
from himaya.accounts.acting import acting_user
from himaya.accounts.models import User
from himaya.agencies.admin import MODEL_ADMINS, AdministratorOnly
from himaya.jobs.admin import MODEL_ADMINS as JOB_ADMINS

if TYPE_CHECKING:
    BaseAdmin = BaseUserAdmin[Any]
else:  # not subscriptable at run time
    BaseAdmin = BaseUserAdmin


class HimayaAdminSite(admin.AdminSite):
    site_header = _("Himaya administration")
    site_title = _("Himaya administration")
    index_title = _("Users and agencies")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.has_perm("accounts.manage_users"))


admin_site = HimayaAdminSite(name="himaya_admin")


@admin.register(User, site=admin_site)
class UserAdmin(AdministratorOnly, BaseAdmin):
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
            code = actions.issue_enrolment_code(user=member, by=acting_user(request))
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


for model, model_admin in {**MODEL_ADMINS, **JOB_ADMINS}.items():
    admin_site.register(model, model_admin)
