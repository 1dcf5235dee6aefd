from django.urls import path

from himaya.empowerment import api, views

app_name = "empowerment"

urlpatterns = [
    path("", views.enrolment_list, name="enrolments"),
    path("queue/", views.work_queue, name="queue"),
    path("programmes/", views.programme_list, name="programmes"),
    path("queue-section/", views.queue_section, name="queue_section"),
    path("outcomes/", views.outcome_page, name="outcomes"),
    path("refer/<str:code>/", views.refer, name="refer"),
    path("case/<str:code>/panel/", views.case_panel, name="case_panel"),
    path("enrolments/<str:code>/", views.enrolment_detail, name="detail"),
    path("enrolments/<str:code>/decide/", views.decide, name="decide"),
    path("enrolments/<str:code>/move/", views.move, name="move"),
    path("enrolments/<str:code>/project/", views.project_start, name="start_project"),
    path(
        "projects/<str:code>/visits/<int:number>/record/",
        views.visit_record,
        name="record_visit",
    ),
    path(
        "projects/<str:code>/visits/<int:number>/reschedule/",
        views.visit_reschedule,
        name="reschedule_visit",
    ),
    # API
    path("api/programmes/", api.ProgrammeListApi.as_view(), name="api_programmes"),
    path("api/enrolments/", api.EnrolmentListApi.as_view(), name="api_enrolments"),
    path("api/enrolments/refer/", api.ReferApi.as_view(), name="api_refer"),
    path("api/enrolments/<str:code>/", api.EnrolmentDetailApi.as_view(), name="api_enrolment"),
    path("api/enrolments/<str:code>/decision/", api.DecideApi.as_view(), name="api_decide"),
    path("api/enrolments/<str:code>/status/", api.MoveApi.as_view(), name="api_move"),
    path(
        "api/enrolments/<str:code>/project/",
        api.StartProjectApi.as_view(),
        name="api_start_project",
    ),
    path(
        "api/projects/<str:code>/visits/",
        api.VisitListApi.as_view(),
        name="api_visits",
    ),
    path(
        "api/projects/<str:code>/visits/<int:number>/record/",
        api.RecordVisitApi.as_view(),
        name="api_record_visit",
    ),
    path(
        "api/projects/<str:code>/visits/<int:number>/reschedule/",
        api.RescheduleVisitApi.as_view(),
        name="api_reschedule_visit",
    ),
    path("api/outcomes/", api.OutcomesApi.as_view(), name="api_outcomes"),
]
