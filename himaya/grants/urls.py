from django.urls import path

from himaya.grants import api, views

app_name = "grants"

urlpatterns = [
    path("", views.grant_list, name="list"),
    path("new/", views.grant_create, name="create"),
    path("statement/", views.statement, name="statement"),
    path("reports/<str:code>/review/", views.report_review, name="review"),
    path("<str:code>/", views.grant_detail, name="detail"),
    path("<str:code>/tranches/<int:sequence>/release/", views.tranche_release, name="release"),
    path("<str:code>/tranches/<int:sequence>/report/", views.report_submit, name="report"),
    path("api/grants/", api.GrantListApi.as_view(), name="api_list"),
    path("api/grants/<str:code>/", api.GrantDetailApi.as_view(), name="api_detail"),
    path(
        "api/grants/<str:code>/tranches/<int:sequence>/release/",
        api.TrancheReleaseApi.as_view(),
        name="api_release",
    ),
    path(
        "api/grants/<str:code>/tranches/<int:sequence>/report/",
        api.ReportSubmitApi.as_view(),
        name="api_report",
    ),
    path("api/reports/<str:code>/review/", api.ReportReviewApi.as_view(), name="api_review"),
]
