"""Setting up the shelter network (administrators): shelters, units and beds.

Stays are not here: they are survivors' data and change only through the actions.
The address is not here either: only the shelter's own staff read and change it.
"""

from typing import TYPE_CHECKING, Any

from django.contrib import admin

from himaya.accounts.admin import admin_site
from himaya.agencies.admin import AdministratorOnly
from himaya.shelters.models import Bed, Shelter, Unit

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
    TabularInline = admin.TabularInline[Any, Any]
else:  # not subscriptable at run time
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline


class UnitInline(TabularInline):
    model = Unit
    extra = 0
    fields = (
        "label",
        "sex",
        "accepts_children",
        "accepts_adolescents",
        "accepts_adults",
        "accepts_mothers_with_children",
        "wheelchair_accessible",
        "languages",
        "security_level",
        "is_active",
    )
    show_change_link = True

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class BedInline(TabularInline):
    model = Bed
    extra = 0
    fields = ("label", "kind", "is_active")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Shelter, site=admin_site)
class ShelterAdmin(AdministratorOnly, ModelAdmin):
    list_display = ("code", "agency", "governorate", "duty_phone", "is_active")
    list_filter = ("governorate", "is_active")
    search_fields = ("code", "agency__name_ar", "agency__name_en")
    fields = ("code", "agency", "governorate", "duty_phone", "is_active")
    readonly_fields = ("code",)
    inlines = [UnitInline]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Unit, site=admin_site)
class UnitAdmin(AdministratorOnly, ModelAdmin):
    list_display = ("label", "shelter", "sex", "security_level", "is_active")
    list_filter = ("sex", "security_level", "is_active")
    inlines = [BedInline]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
