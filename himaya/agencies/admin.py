from django.contrib import admin

from himaya.accounts.admin import AdministratorOnly, admin_site
from himaya.agencies.models import Agency, Governorate, Membership


@admin.register(Governorate, site=admin_site)
class GovernorateAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ("code", "name_ar", "name_en", "population")
    search_fields = ("code", "name_ar", "name_en")


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "agency"
    extra = 0
    fields = ("user", "role", "is_active")
    autocomplete_fields = ("user",)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Agency, site=admin_site)
class AgencyAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ("code", "name_ar", "name_en", "kind", "governorate", "is_active")
    list_filter = ("kind", "governorate", "is_active")
    search_fields = ("code", "name_ar", "name_en")
    readonly_fields = ("code",)
    inlines = [MembershipInline]


@admin.register(Membership, site=admin_site)
class MembershipAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ("user", "agency", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "agency__name_en", "agency__name_ar")
    autocomplete_fields = ("user", "agency")
