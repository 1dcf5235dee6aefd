"""Programmes in the administration site: their rules are data that administrators keep up
to date. Changes go through ``actions.update_programme`` (versioned, audited); other
empowerment records are not in the administration site."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from himaya.accounts.acting import acting_user
from himaya.accounts.admin import admin_site
from himaya.core.locking import ConcurrentEditError
from himaya.empowerment import actions
from himaya.empowerment.models import HouseholdRole, Programme
from himaya.survivors.models import Sex

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Programme]
    ModelForm = forms.ModelForm[Programme]
else:  # not subscriptable at run time
    ModelAdmin = admin.ModelAdmin
    ModelForm = forms.ModelForm

EDITABLE = [
    "name_ar",
    "name_en",
    "kind",
    "operator_ar",
    "operator_en",
    "managing_agency",
    "allowed_sexes",
    "min_age",
    "max_age",
    "household_roles",
    "requires_reintegration",
    "amount_min",
    "amount_max",
    "description_ar",
    "description_en",
    "facts_verified",
    "source",
    "is_active",
]


class ProgrammeAdminForm(ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    allowed_sexes = forms.MultipleChoiceField(
        label=_("allowed sexes"),
        choices=Sex.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    household_roles = forms.MultipleChoiceField(
        label=_("household roles"),
        choices=HouseholdRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Programme
        fields = ["slug", *EDITABLE]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", _("The maximum age cannot be below the minimum age."))
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("The largest amount cannot be below the smallest."))
        version = data.get("expected_version")
        if self.instance.pk and version is not None:
            current = Programme.objects.filter(pk=self.instance.pk).values_list(
                "version", flat=True
            )
            if current.first() != version:
                raise forms.ValidationError(ConcurrentEditError.message)
        return data


@admin.register(Programme, site=admin_site)
class ProgrammeAdmin(ModelAdmin):
    form = ProgrammeAdminForm
    list_display = ("name_en", "name_ar", "kind", "managing_agency", "facts_verified", "is_active")
    list_filter = ("kind", "facts_verified", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("slug",) if obj is not None else ()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.manage_users")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.manage_users")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.manage_users")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.manage_users")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a programme is deactivated, never deleted

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            actions.record_programme_change(programme=obj, by=acting_user(request), created=True)
            return
        actions.update_programme(
            programme=obj,
            fields=[name for name in EDITABLE if name in form.changed_data],
            expected_version=form.cleaned_data.get("expected_version") or obj.version,
            by=acting_user(request),
        )
