from django.urls import path

from himaya.justice import api, views

app_name = "justice"

urlpatterns = [
    path("case/<str:code>/", views.case_justice, name="case"),
    path("case/<str:code>/panel/", views.case_panel, name="case_panel"),
    path("case/<str:code>/proceedings/new/", views.proceeding_new, name="proceeding_new"),
    path("case/<str:code>/charges/new/", views.charge_new, name="charge_new"),
    path("proceedings/<str:code>/", views.proceeding_detail, name="proceeding"),
    path("proceedings/<str:code>/edit/", views.proceeding_edit, name="proceeding_edit"),
    path("proceedings/<str:code>/move/", views.proceeding_move, name="proceeding_move"),
    path("proceedings/<str:code>/hearings/", views.hearing_add, name="hearing_add"),
    path("charges/<str:code>/edit/", views.charge_edit, name="charge_edit"),
    # API
    path("api/proceedings/", api.ProceedingListApi.as_view(), name="api_proceedings"),
    path("api/cases/<str:code>/", api.CaseJusticeApi.as_view(), name="api_case"),
    path(
        "api/cases/<str:code>/proceedings/",
        api.ProceedingCreateApi.as_view(),
        name="api_proceeding_create",
    ),
    path("api/cases/<str:code>/charges/", api.ChargeCreateApi.as_view(), name="api_charge_create"),
    path("api/proceedings/<str:code>/", api.ProceedingDetailApi.as_view(), name="api_proceeding"),
    path(
        "api/proceedings/<str:code>/update/",
        api.ProceedingUpdateApi.as_view(),
        name="api_proceeding_update",
    ),
    path(
        "api/proceedings/<str:code>/status/",
        api.ProceedingStatusApi.as_view(),
        name="api_proceeding_status",
    ),
    path(
        "api/proceedings/<str:code>/hearings/",
        api.HearingCreateApi.as_view(),
        name="api_hearing_create",
    ),
    path("api/charges/<str:code>/update/", api.ChargeUpdateApi.as_view(), name="api_charge_update"),
]
