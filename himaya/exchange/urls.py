from django.urls import path

from himaya.exchange import api, views

app_name = "exchange"

urlpatterns = [
    path("cases/<str:code>/details/", views.details_edit, name="details_edit"),
    path("cases/<str:code>/details/panel/", views.details_panel, name="details_panel"),
    path("export/", views.export, name="export"),
    path("tables/", views.tables, name="tables"),
    path("api/exports/", api.ExportApi.as_view(), name="api_export"),
    path("api/tables/<str:name>/", api.TableApi.as_view(), name="api_table"),
]
