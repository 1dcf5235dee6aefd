"""Administration of governorates, agencies and memberships (registered on the
administration site by ``himaya.accounts.admin``, which is above agencies).

Memberships change only through ``agencies/actions.py``: the add page proposes one (for
someone else, pending a second administrator when the role needs it), and the list's
actions approve, reject, deactivate, reactivate or give another role. No field of an
existing membership is edited directly, and nothing is deleted.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from himaya.agencies import actions
from himaya.agencies.models import Agency, Governorate, Membership, Role
from himaya.audit.actions import record_event
from himaya.core.countries import CountryChoiceField, country_name

if TYPE_CHECKING:
    from himaya.accounts.models import User

    ModelAdmin = admin.ModelAdmin[Any]
    TabularInline = admin.TabularInline[Any, Any]
    ModelForm = forms.ModelForm[Any]
else:  # not subscriptable at run time
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline
    ModelForm = forms.ModelForm


def _acting(request: HttpRequest) -> "User":
    """The administrator acting (the site admits only signed-in administrators)."""
    return cast("User", request.user)


MEMBERSHIP_FIELDS = (
    "user",
    "agency",
    "role",
    "status",
    "is_active",
    "proposed_by",
    "proposed_at",
    "approved_by",
    "approved_at",
    "version",
)


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
        details={"fields": fields} if fields else {},
    )


class GovernorateAdmin(AdministratorOnly, ModelAdmin):
    list_display = ("code", "name_ar", "name_en", "population")
    search_fields = ("code", "name_ar", "name_en")


class MembershipInline(TabularInline):
    """The agency's memberships, to read; they change on the memberships' own pages."""

    model = Membership
    fk_name = "agency"
    extra = 0
    fields = ("user", "role", "status", "proposed_by", "approved_by")
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.manage_users")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AgencyForm(ModelForm):
    """An embassy's country is chosen by its name; the two-letter code is what is stored."""

    country = CountryChoiceField(
        label=_("country represented"),
        blank="—",
        stateless=False,
        required=False,
        help_text=_("For embassies and consulates."),
    )

    class Meta:
        model = Agency
        fields = "__all__"


class AgencyAdmin(AdministratorOnly, ModelAdmin):
    form = AgencyForm
    list_display = (
        "code",
        "name_ar",
        "name_en",
        "kind",
        "governorate",
        "country_name",
        "is_active",
    )
    list_filter = ("kind", "governorate", "is_active")
    search_fields = ("code", "name_ar", "name_en")
    readonly_fields = ("code",)
    inlines = [MembershipInline]

    @admin.display(description=_("country represented"), ordering="country")
    def country_name(self, agency: Agency) -> str:
        return country_name(agency.country)


class MembershipProposalForm(ModelForm):
    """Proposes a membership; the rules of ``actions.propose_membership`` answer here too."""

    request: HttpRequest | None = None

    class Meta:
        model = Membership
        fields = ("user", "agency", "role")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user, agency, role = cleaned.get("user"), cleaned.get("agency"), cleaned.get("role")
        if self.request is not None and user and agency and role:
            try:
                actions.check_proposal(
                    by=_acting(self.request), user=user, agency=agency, role=role
                )
            except actions.MembershipRefused as refusal:
                raise forms.ValidationError(str(refusal.message)) from refusal
        return cleaned

    def validate_unique(self) -> None:
        """Uniqueness is one of the action's rules, answered (and audited) in ``clean``."""


class MembershipActionForm(ActionForm):
    role = forms.ChoiceField(
        label=_("New role"), choices=[("", "---------"), *Role.choices], required=False
    )


class MembershipAdmin(AdministratorOnly, ModelAdmin):
    list_display = ("user", "agency", "role", "status", "proposed_by", "approved_by")
    list_filter = ("status", "role")
    search_fields = ("user__username", "agency__name_en", "agency__name_ar")
    autocomplete_fields = ("user", "agency")
    form = MembershipProposalForm
    action_form = MembershipActionForm
    actions = [
        "approve",
        "reject",
        "deactivate",
        "reactivate",
        "change_role",
    ]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # every change is one of the list's actions

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("user", "agency", "role") if obj is None else MEMBERSHIP_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else MEMBERSHIP_FIELDS

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        setattr(form, "request", request)  # noqa: B010 - the class is made for this request
        return form

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            raise PermissionDenied
        try:
            membership = actions.propose_membership(
                by=_acting(request), user=obj.user, agency=obj.agency, role=obj.role
            )
        except actions.MembershipRefused as refusal:
            raise PermissionDenied(str(refusal.message)) from refusal
        obj.pk = membership.pk
        obj.refresh_from_db()

    def response_add(
        self, request: HttpRequest, obj: Membership, post_url_continue: Any = None
    ) -> Any:
        if obj.status == "pending":
            self.message_user(
                request,
                _("The membership waits for a second administrator's approval."),
                messages.WARNING,
            )
        return super().response_add(request, obj, post_url_continue)

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Membership],
        change: Callable[..., Membership],
        done: Callable[[int], str],
        **kwargs: Any,
    ) -> None:
        succeeded = 0
        for membership in queryset.select_related("user", "agency"):
            try:
                change(membership=membership, by=_acting(request), **kwargs)
            except actions.MembershipRefused as refusal:
                self.message_user(
                    request,
                    _("%(membership)s: %(reason)s")
                    % {"membership": membership, "reason": refusal.message},
                    messages.ERROR,
                )
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done(succeeded), messages.SUCCESS)

    @admin.action(description=_("Approve the selected memberships"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._apply(
            request,
            queryset,
            actions.approve_membership,
            lambda n: (
                ngettext("%(count)d membership approved.", "%(count)d memberships approved.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Reject the selected proposed memberships"))
    def reject(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._apply(
            request,
            queryset,
            actions.reject_membership,
            lambda n: (
                ngettext("%(count)d membership rejected.", "%(count)d memberships rejected.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Deactivate the selected memberships"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._apply(
            request,
            queryset,
            actions.deactivate_membership,
            lambda n: (
                ngettext(
                    "%(count)d membership deactivated.", "%(count)d memberships deactivated.", n
                )
                % {"count": n}
            ),
        )

    @admin.action(description=_("Reactivate the selected memberships"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._apply(
            request,
            queryset,
            actions.reactivate_membership,
            lambda n: (
                ngettext(
                    "%(count)d membership reactivated (or waiting for approval).",
                    "%(count)d memberships reactivated (or waiting for approval).",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(description=_("Give the selected memberships the new role chosen below"))
    def change_role(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        role = request.POST.get("role", "")
        if not role:
            self.message_user(request, _("Choose the new role first."), messages.ERROR)
            return
        self._apply(
            request,
            queryset,
            actions.change_membership_role,
            lambda n: (
                ngettext(
                    "%(count)d membership given the new role.",
                    "%(count)d memberships given the new role.",
                    n,
                )
                % {"count": n}
            ),
            role=role,
        )


# What ``himaya.accounts.admin`` registers on the administration site.
MODEL_ADMINS: "dict[type[Any], type[admin.ModelAdmin[Any]]]" = {
    Governorate: GovernorateAdmin,
    Agency: AgencyAdmin,
    Membership: MembershipAdmin,
}
