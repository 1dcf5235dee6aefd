"""Spreadsheets in: pages under ``/exchange/sheets/`` and their API under
``/exchange/api/sheets/`` (included beside ``exchange.urls``, in its own namespace)."""

from django.urls import path

from himaya.exchange import sheet_api, sheet_views

app_name = "exchange_sheets"

urlpatterns = [
    path("sheets/", sheet_views.upload, name="upload"),
    path("sheets/template.xlsx", sheet_views.template, name="template"),
    path("sheets/<str:code>/", sheet_views.detail, name="detail"),
    path("sheets/<str:code>/confirm/", sheet_views.confirm, name="confirm"),
    path("sheets/<str:code>/progress/", sheet_views.progress, name="progress"),
    path("api/sheets/", sheet_api.SheetUploadApi.as_view(), name="api_upload"),
    path("api/sheets/template/", sheet_api.SheetTemplateApi.as_view(), name="api_template"),
    path("api/sheets/<str:code>/", sheet_api.SheetImportApi.as_view(), name="api_detail"),
    path("api/sheets/<str:code>/confirm/", sheet_api.SheetConfirmApi.as_view(), name="api_confirm"),
]
