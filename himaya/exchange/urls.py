from django.urls import path

from himaya.exchange import api, report_views, views

app_name = "exchange"

urlpatterns = [
    path("cases/<str:code>/details/", views.details_edit, name="details_edit"),
    path("cases/<str:code>/details/panel/", views.details_panel, name="details_panel"),
    path("export/", views.export, name="export"),
    path("tables/", views.tables, name="tables"),
    path("api/exports/", api.ExportApi.as_view(), name="api_export"),
    path("api/tables/<str:name>/", api.TableApi.as_view(), name="api_table"),
    path("monthly/", report_views.monthly_reports, name="monthly_reports"),
    path("monthly/make/", report_views.monthly_report_make, name="monthly_report_make"),
    path("monthly/panel/", report_views.monthly_panel, name="monthly_panel"),
    path(
        "monthly/<str:month>/<str:language>.pdf",
        report_views.monthly_report_pdf,
        name="monthly_report_pdf",
    ),
    path(
        "api/monthly-reports/",
        report_views.MonthlyReportListApi.as_view(),
        name="api_monthly_reports",
    ),
    path(
        "api/monthly-reports/<str:month>/<str:language>/",
        report_views.MonthlyReportPdfApi.as_view(),
        name="api_monthly_report_pdf",
    ),
]
