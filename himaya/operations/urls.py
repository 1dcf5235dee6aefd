from django.urls import URLPattern, URLResolver, path

from himaya.operations import api, views

app_name = "operations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.board, name="board"),
    path("board/live/", views.board_live, name="board_live"),
    path("intake/new/", views.intake_new, name="intake_new"),
    path("intake/<str:code>/", views.intake_detail, name="intake"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<str:code>/", views.alert_detail, name="alert"),
    path("incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/<str:code>/", views.incident_detail, name="incident"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<str:code>/", views.task_detail, name="task"),
    path("reports/", views.reports, name="reports"),
    path("reports/<str:day>/<str:language>.pdf", views.report_pdf, name="report_pdf"),
    path("api/intakes/", api.IntakeListApi.as_view(), name="api_intakes"),
    path("api/intakes/<str:code>/", api.IntakeDetailApi.as_view(), name="api_intake"),
    path("api/alerts/", api.AlertListApi.as_view(), name="api_alerts"),
    path("api/alerts/<str:code>/", api.AlertDetailApi.as_view(), name="api_alert"),
    path("api/incidents/", api.IncidentListApi.as_view(), name="api_incidents"),
    path("api/incidents/<str:code>/", api.IncidentDetailApi.as_view(), name="api_incident"),
    path("api/tasks/", api.TaskListApi.as_view(), name="api_tasks"),
    path("api/tasks/<str:code>/", api.TaskDetailApi.as_view(), name="api_task"),
]
