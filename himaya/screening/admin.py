from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from himaya.screening.models import CatalogueVersion, IndicatorSet, TraffickingIndicator

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
else:
    ModelAdmin = admin.ModelAdmin  # not subscriptable at run time


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(ModelAdmin):
    list_display = ("label", "source", "created_at")


@admin.register(IndicatorSet)
class IndicatorSetAdmin(ModelAdmin):
    list_display = ("code", "name_en", "catalogue", "for_children", "exploitation", "provisional")
    list_filter = ("catalogue", "provisional")


@admin.register(TraffickingIndicator)
class TraffickingIndicatorAdmin(ModelAdmin):
    list_display = ("code", "indicator_set", "dimension", "strength", "verified", "text_en", "note")
    list_filter = ("indicator_set", "verified", "dimension", "strength")

    def has_change_permission(
        self, request: HttpRequest, obj: TraffickingIndicator | None = None
    ) -> bool:
        return False  # published indicators never change: import a new catalogue version

    def has_delete_permission(
        self, request: HttpRequest, obj: TraffickingIndicator | None = None
    ) -> bool:
        return False
