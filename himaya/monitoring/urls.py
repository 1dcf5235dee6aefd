from django.urls import path

from himaya.monitoring import api, views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("indicators/<str:code>/", views.definition, name="definition"),
    path("api/indicators/", api.IndicatorListApi.as_view(), name="api_indicators"),
    path("api/values/", api.ValueListApi.as_view(), name="api_values"),
]
