from django.urls import path

from himaya.screening import api, views

app_name = "screening"

urlpatterns = [
    path("", views.screening_list, name="list"),
    path("start/", views.start, name="start"),
    path("case/<str:code>/panel/", views.case_panel, name="case_panel"),
    path("api/indicator-sets/", api.IndicatorSetListApi.as_view(), name="api_sets"),
    path(
        "api/indicator-sets/<int:pk>/indicators/",
        api.IndicatorListApi.as_view(),
        name="api_indicators",
    ),
    path("api/screenings/", api.ScreeningListCreateApi.as_view(), name="api_screenings"),
    path(
        "api/screenings/<str:code>/",
        api.ScreeningDetailApi.as_view(),
        name="api_screening",
    ),
    path("<str:code>/", views.detail, name="detail"),
]
