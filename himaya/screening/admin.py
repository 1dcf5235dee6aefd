from django.contrib import admin

from himaya.screening.models import CatalogueVersion, IndicatorSet, TraffickingIndicator


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(admin.ModelAdmin):
    list_display = ("label", "source", "created_at")


@admin.register(IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "catalogue", "for_children", "exploitation")
    list_filter = ("catalogue",)


@admin.register(TraffickingIndicator)
class TraffickingIndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "indicator_set", "dimension", "strength", "text_en")
    list_filter = ("indicator_set", "dimension", "strength")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # published indicators never change: import a new catalogue version

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
