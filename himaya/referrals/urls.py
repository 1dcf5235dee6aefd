from django.urls import path

from himaya.referrals import api, printing, views

app_name = "referrals"

urlpatterns = [
    path("api/", api.ReferralListApi.as_view(), name="api_list"),
    path("api/new/", api.ReferralCreateApi.as_view(), name="api_create"),
    path("api/<str:code>/", api.ReferralDetailApi.as_view(), name="api_detail"),
    path("api/<str:code>/accept/", api.ReferralAcceptApi.as_view(), name="api_accept"),
    path("api/<str:code>/decline/", api.ReferralDeclineApi.as_view(), name="api_decline"),
    path("api/<str:code>/complete/", api.ReferralCompleteApi.as_view(), name="api_complete"),
    path("api/<str:code>/cancel/", api.ReferralCancelApi.as_view(), name="api_cancel"),
    path("", views.inbox, name="inbox"),
    path("sent/", views.sent, name="sent"),
    path("new/", views.create, name="create"),
    path("case/<str:code>/panel/", views.case_panel, name="case_panel"),
    path("queue/overdue/", views.queue_overdue, name="queue_overdue"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/form.pdf", printing.referral_pdf, name="form_pdf"),
    path("<str:code>/accept/", views.accept, name="accept"),
    path("<str:code>/decline/", views.decline, name="decline"),
    path("<str:code>/complete/", views.complete, name="complete"),
    path("<str:code>/cancel/", views.cancel, name="cancel"),
]
