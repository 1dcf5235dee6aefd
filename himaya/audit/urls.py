from django.urls import path

from himaya.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="events"),
]
