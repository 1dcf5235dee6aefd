from django.urls import path

from himaya.services import api, views

app_name = "services"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("feedback/", views.feedback_report, name="feedback_report"),
    path("provided/", views.provided, name="provided"),
    path("cases/<str:code>/panel/", views.case_panel, name="case_panel"),
    path("queue/week/", views.queue_week, name="queue_week"),
    path("cases/<str:code>/plan/", views.plan, name="plan"),
    path("deliveries/<str:code>/", views.delivery, name="delivery"),
    path("deliveries/<str:code>/feedback/", views.feedback, name="feedback"),
    # API
    path("api/service-types/", api.ServiceTypeListApi.as_view(), name="api_service_types"),
    path("api/deliveries/", api.DeliveryListApi.as_view(), name="api_deliveries"),
    path("api/deliveries/plan/", api.DeliveryPlanApi.as_view(), name="api_plan"),
    path("api/deliveries/<str:code>/", api.DeliveryDetailApi.as_view(), name="api_delivery"),
    path(
        "api/deliveries/<str:code>/update/",
        api.DeliveryUpdateApi.as_view(),
        name="api_delivery_update",
    ),
    path(
        "api/deliveries/<str:code>/feedback/",
        api.FeedbackCreateApi.as_view(),
        name="api_feedback",
    ),
    path("api/feedback-summary/", api.FeedbackSummaryApi.as_view(), name="api_feedback_summary"),
]
