"""Setting up the shelter network (administrators): shelters, units and beds.

Stays are not here: they are survivors' data and change only through the actions.
The address is not here either: only the shelter's own staff read and change it.
"""

from django.contrib import admin

from himaya.accounts.admin import AdministratorOnly, admin_site
from himaya.shelters.models import Bed, Shelter, Unit


class UnitInline(admin.TabularInline):
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


class BedInline(admin.TabularInline):
    model = Bed
    extra = 0
    fields = ("label", "kind", "is_active")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Shelter, site=admin_site)
class ShelterAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ("code", "agency", "governorate", "duty_phone", "is_active")
    list_filter = ("governorate", "is_active")
    search_fields = ("code", "agency__name_ar", "agency__name_en")
    fields = ("code", "agency", "governorate", "duty_phone", "is_active")
    readonly_fields = ("code",)
    inlines = [UnitInline]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Unit, site=admin_site)
class UnitAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ("label", "shelter", "sex", "security_level", "is_active")
    list_filter = ("sex", "security_level", "is_active")
    inlines = [BedInline]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
