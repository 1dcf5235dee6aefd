from django.urls import path

from himaya.returns import api, views

app_name = "returns"

urlpatterns = [
    path("", views.return_list, name="list"),
    path("queue-section/", views.queue_section, name="queue_section"),
    path("case/<str:code>/panel/", views.case_panel, name="case_panel"),
    path("case/<str:code>/reflection/", views.grant_reflection, name="grant_reflection"),
    path(
        "case/<str:code>/reflection/extend/",
        views.extend_reflection,
        name="extend_reflection",
    ),
    path("case/<str:code>/plan/", views.plan_new, name="plan_new"),
    path("plans/<str:code>/", views.plan_detail, name="plan"),
    path("plans/<str:code>/edit/", views.plan_edit, name="edit"),
    path("plans/<str:code>/choice/", views.plan_choice, name="choice"),
    path("plans/<str:code>/risk/", views.plan_risk, name="risk"),
    path("plans/<str:code>/approve/", views.plan_approve, name="approve"),
    path("plans/<str:code>/depart/", views.plan_depart, name="depart"),
    path("plans/<str:code>/arrive/", views.plan_arrive, name="arrive"),
    path("plans/<str:code>/complete/", views.plan_complete, name="complete"),
    path("plans/<str:code>/cancel/", views.plan_cancel, name="cancel"),
    path("plans/<str:code>/follow-ups/<int:months>/", views.follow_up, name="follow_up"),
    # API
    path("api/cases/<str:code>/", api.CaseReturnsApi.as_view(), name="api_case"),
    path(
        "api/cases/<str:code>/reflection/",
        api.GrantReflectionApi.as_view(),
        name="api_grant_reflection",
    ),
    path(
        "api/cases/<str:code>/reflection/extend/",
        api.ExtendReflectionApi.as_view(),
        name="api_extend_reflection",
    ),
    path("api/cases/<str:code>/plan/", api.PlanReturnApi.as_view(), name="api_plan_return"),
    path("api/plans/<str:code>/", api.PlanDetailApi.as_view(), name="api_plan"),
    path("api/plans/<str:code>/update/", api.PlanUpdateApi.as_view(), name="api_update"),
    path("api/plans/<str:code>/choice/", api.ChoiceApi.as_view(), name="api_choice"),
    path("api/plans/<str:code>/risk/", api.RiskApi.as_view(), name="api_risk"),
    path("api/plans/<str:code>/approve/", api.ApproveApi.as_view(), name="api_approve"),
    path("api/plans/<str:code>/depart/", api.DepartApi.as_view(), name="api_depart"),
    path("api/plans/<str:code>/arrive/", api.ArriveApi.as_view(), name="api_arrive"),
    path("api/plans/<str:code>/complete/", api.CompleteApi.as_view(), name="api_complete"),
    path("api/plans/<str:code>/cancel/", api.CancelApi.as_view(), name="api_cancel"),
    path(
        "api/plans/<str:code>/follow-ups/<int:months>/",
        api.FollowUpApi.as_view(),
        name="api_follow_up",
    ),
]
